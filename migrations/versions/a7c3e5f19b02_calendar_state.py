"""calendar state: the days off's version, one row, so that every process can cache the
office calendar and see an admin's change at its next computation

Revision ID: a7c3e5f19b02
Revises: d41e9b7c2a60
Create Date: 2026-12-01 15:10:00

"""
import uuid

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c3e5f19b02'
down_revision = 'd41e9b7c2a60'
branch_labels = None
depends_on = None


def upgrade():
    state = op.create_table('calendar_state',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('version', sa.String(length=32), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('id = 1', name=op.f('ck_calendar_state_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_state'))
    )
    op.bulk_insert(state, [{'id': 1, 'version': uuid.uuid4().hex}])


def downgrade():
    op.drop_table('calendar_state')
