"""calendar years: each year's holiday list has a row naming its source; a holiday belongs
to its year's list and may be marked estimated

The days off already stored get a year row per year they fall in, whose source says the
list came from the calendar file, so that they stay known.

Revision ID: c4a1e27b2027
Revises: 9c4d1e7a2b35
Create Date: 2026-12-01 10:20:00.000000

"""
from datetime import UTC, date, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4a1e27b2027'
down_revision = '9c4d1e7a2b35'
branch_labels = None
depends_on = None

FILE_SOURCE = (
    'SKB 3 Menteri tentang Hari Libur Nasional dan Cuti Bersama Tahun {year} (daftar dari '
    'berkas kalender kantor)'
)


def upgrade():
    year_table = op.create_table('holiday_year',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('source', sa.String(length=500), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("source <> ''", name=op.f('ck_holiday_year_source_not_empty')),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_holiday_year'))
    )
    with op.batch_alter_table('holiday', schema=None) as batch_op:
        batch_op.add_column(sa.Column('year', sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column('estimated', sa.Boolean(), server_default=sa.false(), nullable=False)
        )

    holiday = sa.table('holiday', sa.column('day', sa.Date), sa.column('year', sa.Integer))
    bind = op.get_bind()
    years = sorted({day.year for (day,) in bind.execute(sa.select(holiday.c.day))})
    now = datetime.now(UTC).replace(tzinfo=None)
    if years:
        op.bulk_insert(
            year_table,
            [{'year': y, 'source': FILE_SOURCE.format(year=y), 'updated_at': now} for y in years],
        )
    for year in years:
        bind.execute(
            holiday.update()
            .where(holiday.c.day.between(date(year, 1, 1), date(year, 12, 31)))
            .values(year=year)
        )

    with op.batch_alter_table('holiday', schema=None) as batch_op:
        batch_op.alter_column('year', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_holiday_year_holiday_year'), 'holiday_year', ['year'], ['year']
        )


def downgrade():
    with op.batch_alter_table('holiday', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_holiday_year_holiday_year'), type_='foreignkey')
        batch_op.drop_column('estimated')
        batch_op.drop_column('year')
    op.drop_table('holiday_year')
