"""The board's service (app/services/board.py) and the standard minutes a task stores when
it opens (Task.standard_minutes, read by task_views.describe_tasks)."""

from datetime import UTC, datetime

import sqlalchemy as sa

from app.extensions import db
from app.models import HolidayYear, Task, User
from app.models.calendar import CalendarState
from app.services import holiday_lists, routing, task_views
from app.services.office_calendar import office_calendar


def test_task_stores_its_standard_minutes_when_it_opens(app, runner):
    """Does a day standard's task store the working minutes from its opening to its due time?"""
    task_id = runner.walk_to(runner.start("2026-Q1")["id"], 7)["id"]
    with app.app_context():
        task = db.session.get(Task, task_id)
        assert routing.step_of(task).standard.unit == "day"
        counted = office_calendar().working_minutes_between(task.opened_at, task.due_at)
        assert task.standard_minutes == counted > 0


def test_stored_standard_is_counted_again_after_the_holidays_change(app, runner, users):
    """Is the stored count shown while the days off last changed before the opening, and the
    standard counted again (as every reader did) once the admin changes a list?"""
    task_id = runner.walk_to(runner.start("2026-Q1")["id"], 7)["id"]
    with app.app_context():
        # Days off last changed long before the opening; a stored count marked to be told apart.
        db.session.execute(
            sa.update(CalendarState).values(changed_at=datetime(2001, 1, 1, tzinfo=UTC))
        )
        db.session.execute(sa.update(Task).where(Task.id == task_id).values(standard_minutes=7))
        db.session.commit()
        task = db.session.get(Task, task_id)
        assert task_views.describe_tasks([task])[0].standard_minutes == 7
        admin = db.session.scalar(sa.select(User).filter_by(username="admin"))
        year = db.session.scalars(sa.select(HolidayYear.year)).first()
        holiday_lists.set_source(year, "SKB 3 Menteri (diperbarui)", actor=admin)
        db.session.commit()
        counted = office_calendar().working_minutes_between(task.opened_at, task.due_at)
        assert task_views.describe_tasks([task])[0].standard_minutes == counted != 7
