"""office profile (one row) and section heads

The office's name, address, contacts, logo and public address become data an admin edits;
the configuration's OFFICE_* values are the defaults it starts from. A section gets a
head (its Kepala Seksi).

Revision ID: b7e4a1c0ff1c
Revises: c4a1e27b2027
Create Date: 2026-12-01 10:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e4a1c0ff1c'
down_revision = 'c4a1e27b2027'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('office_profile',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('government', sa.String(length=200), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('phone', sa.String(length=60), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('website', sa.String(length=300), nullable=False),
    sa.Column('city', sa.String(length=100), nullable=False),
    sa.Column('base_url', sa.String(length=300), nullable=False),
    sa.Column('logo', sa.LargeBinary(), nullable=True),
    sa.Column('logo_media_type', sa.String(length=40), nullable=True),
    sa.Column('logo_sha256', sa.String(length=64), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('id = 1', name=op.f('ck_office_profile_single_row')),
    sa.CheckConstraint('(logo IS NULL) = (logo_media_type IS NULL)', name=op.f('ck_office_profile_logo_has_media_type')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_office_profile_updated_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_office_profile'))
    )
    op.create_table('section_head',
    sa.Column('section_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['section_id'], ['org_unit.id'], name=op.f('fk_section_head_section_id_org_unit'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_section_head_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('section_id', name=op.f('pk_section_head'))
    )
    with op.batch_alter_table('section_head', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_section_head_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('section_head', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_section_head_user_id'))
    op.drop_table('section_head')
    op.drop_table('office_profile')
