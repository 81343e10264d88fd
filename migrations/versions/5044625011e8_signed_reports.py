"""signed reports: the signed report of a measurement, its printed and file hashes, its signer

Revision ID: 5044625011e8
Revises: 02f10b8f2e01
Create Date: 2026-11-24 19:42:52.943176

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5044625011e8'
down_revision = '02f10b8f2e01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('signed_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('office', sa.String(length=200), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('signed_by_id', sa.Integer(), nullable=False),
    sa.Column('signer_name', sa.String(length=200), nullable=False),
    sa.Column('signer_nip', sa.String(length=18), nullable=True),
    sa.Column('signed_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('length(file_sha256) = 64', name=op.f('ck_signed_report_file_sha256_length')),
    sa.CheckConstraint('length(sha256) = 64', name=op.f('ck_signed_report_sha256_length')),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_signed_report_document_id_document'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['instance_id'], ['instance.id'], name=op.f('fk_signed_report_instance_id_instance'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['signed_by_id'], ['user_account.id'], name=op.f('fk_signed_report_signed_by_id_user_account')),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], name=op.f('fk_signed_report_task_id_task'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signed_report')),
    sa.UniqueConstraint('document_id', name=op.f('uq_signed_report_document_id')),
    sa.UniqueConstraint('file_sha256', name=op.f('uq_signed_report_file_sha256')),
    sa.UniqueConstraint('instance_id', name=op.f('uq_signed_report_instance_id')),
    sa.UniqueConstraint('sha256', name=op.f('uq_signed_report_sha256'))
    )


def downgrade():
    op.drop_table('signed_report')
