"""roles as data: user_role.role becomes a plain string (any SOP actor code, admin, viewer)

The role column was an enum of the Pengukuran Kinerja SOP's actors, so another SOP's
actor could not be stored without a code change. Existing rows keep their values.

Revision ID: 9c4d1e7a2b35
Revises: 5044625011e8
Create Date: 2026-12-01 09:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9c4d1e7a2b35'
down_revision = '5044625011e8'
branch_labels = None
depends_on = None

OLD_ROLES = ('camat', 'sekcam', 'kasi', 'anggota', 'admin', 'viewer')
OLD_TYPE = sa.Enum(*OLD_ROLES, name='role', native_enum=False, create_constraint=True, length=32)


def upgrade():
    with op.batch_alter_table('user_role', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_user_role_role'), type_='check')
        batch_op.alter_column(
            'role', existing_type=sa.String(length=32), type_=sa.String(length=40),
            existing_nullable=False,
        )
        batch_op.create_check_constraint('role_not_empty', sa.text("role <> ''"))
    # The column was never a native enum, but a database made by hand may have one.
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TYPE IF EXISTS role')


def downgrade():
    # Roles the old enum did not know (another SOP's actors) cannot be kept.
    user_role = sa.table('user_role', sa.column('role', sa.String))
    op.execute(user_role.delete().where(user_role.c.role.notin_(OLD_ROLES)))
    with op.batch_alter_table('user_role', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_user_role_role_not_empty'), type_='check')
        batch_op.alter_column(
            'role', existing_type=sa.String(length=40), type_=sa.String(length=32),
            existing_nullable=False,
        )
        batch_op.create_check_constraint(
            'role', sa.column('role').in_(OLD_ROLES)
        )
