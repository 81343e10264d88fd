"""task standard minutes: the mutu baku in working minutes, counted when the task opens

Revision ID: b3c8f0d2e614
Revises: a7c3e5f19b02
Create Date: 2026-12-01 15:10:00

The back-fill counts each existing task's standard as the board did on every render: a
minute standard is itself, a day standard the working time from the opening to the stored
due time in today's calendar (the calendar file's hours, the database's days off).
"""
from datetime import UTC

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b3c8f0d2e614'
down_revision = 'a7c3e5f19b02'
branch_labels = None
depends_on = None


def _aware(moment):
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _office_calendar(bind):
    """Today's working calendar, read through the migration's own connection."""
    from flask import current_app

    from app.services.calendar import load_calendar

    calendar, _ = load_calendar(current_app.config["CALENDAR_FILE"])
    rows = bind.execute(
        sa.text(
            "SELECT holiday_year.year, holiday.day FROM holiday_year"
            " LEFT JOIN holiday ON holiday.year = holiday_year.year"
        ).columns(year=sa.Integer, day=sa.Date)
    ).all()
    days = [day for _, day in rows if day is not None]
    return calendar.with_holidays(days, known_years={year for year, _ in rows})


def _standards(bind) -> dict[tuple[int, int], tuple[int, str]]:
    """(sop_version id, step no) → (value, unit) of every stored definition."""
    found = {}
    versions = sa.text("SELECT id, definition FROM sop_version").columns(
        id=sa.Integer, definition=sa.JSON
    )
    for version_id, definition in bind.execute(versions):
        for step in definition["steps"]:
            found[version_id, step["no"]] = (step["standard"]["value"], step["standard"]["unit"])
    return found


def upgrade():
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('standard_minutes', sa.Integer(), nullable=True))
    bind = op.get_bind()
    tasks = bind.execute(
        sa.text(
            "SELECT task.id, task.step_no, task.opened_at, task.due_at, instance.sop_version_id"
            " FROM task JOIN instance ON instance.id = task.instance_id"
        ).columns(
            id=sa.Integer,
            step_no=sa.Integer,
            opened_at=sa.DateTime,
            due_at=sa.DateTime,
            sop_version_id=sa.Integer,
        )
    ).all()
    if not tasks:
        return
    standards = _standards(bind)
    calendar = None
    update = sa.text("UPDATE task SET standard_minutes = :minutes WHERE id = :id")
    for task_id, step_no, opened_at, due_at, version_id in tasks:
        value, unit = standards.get((version_id, step_no), (None, None))
        if unit == "minute":
            minutes = value
        elif unit == "day":
            calendar = calendar or _office_calendar(bind)
            minutes = calendar.working_minutes_between(_aware(opened_at), _aware(due_at))
        else:
            continue
        bind.execute(update, {"minutes": minutes, "id": task_id})


def downgrade():
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_column('standard_minutes')
