"""audit event object index: find the events about one object (the XES export's traces)

Revision ID: e7a3c91d5f20
Revises: b7e4a1c0ff1c
Create Date: 2026-12-01 10:20:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e7a3c91d5f20'
down_revision = 'b7e4a1c0ff1c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index('ix_audit_event_object', ['object_type', 'object_id'], unique=False)


def downgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_object')
