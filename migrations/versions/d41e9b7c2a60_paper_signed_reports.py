"""paper-signed reports: a scan of the ink-signed report as the signing step's output

Revision ID: d41e9b7c2a60
Revises: ff9e4a93f1b8
Create Date: 2026-12-01 12:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd41e9b7c2a60'
down_revision = 'ff9e4a93f1b8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signed_on_paper', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('signed_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('signed_report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signed_on_paper', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('signed_report', schema=None) as batch_op:
        batch_op.drop_column('signed_on_paper')
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_column('signed_at')
        batch_op.drop_column('signed_on_paper')
