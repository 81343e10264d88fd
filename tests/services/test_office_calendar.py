"""Tests for the office calendar's cache (app/services/office_calendar.py): built once per
process and days-off version, and never stale for another worker, after a rollback, or in the
next test."""

from contextlib import contextmanager
from datetime import date

import pytest
import sqlalchemy as sa

from app import create_app
from app.config import TestConfig
from app.extensions import db
from app.models import HolidayKind, HolidayRow, User
from app.services import holiday_lists
from app.services.office_calendar import office_calendar

# Wednesdays of 2026 without a day off: working days in the seeded calendar.
JULY_8, JULY_15 = date(2026, 7, 8), date(2026, 7, 15)
NEW_YEAR = date(2026, 1, 1)
# A Wednesday, working in the seeded calendar: the test of a move adds it as a day off.
MARCH_4 = date(2026, 3, 4)


def admin() -> User:
    return db.session.scalar(sa.select(User).filter_by(username="admin"))


def day_off(day: date, name: str = "Libur uji") -> holiday_lists.HolidayEntry:
    return holiday_lists.HolidayEntry(day=day, name=name, kind=HolidayKind.LIBUR_NASIONAL)


@contextmanager
def statements(engine):
    """Collect the SQL statements sent to `engine` (not the transactions' BEGIN)."""
    seen: list[str] = []

    def note(conn, cursor, statement, *args):
        if not statement.startswith("BEGIN"):
            seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)


@pytest.fixture
def other_worker(app, tmp_path):
    """A second app on the same database, as another gunicorn worker (or host) would be."""
    config = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
    config.update(
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        STORAGE_DIR=str(tmp_path / "other-blobs"),
    )
    other = create_app(config)
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def is_working_day(app, day: date) -> bool:
    """Ask `app` in a transaction of its own whether `day` is a working day."""
    with app.app_context():
        return office_calendar().is_working_day(day)


def test_another_worker_sees_the_admins_change_at_its_next_computation(app, users, other_worker):
    """A day off the admin adds, or removes, on one worker holds on the other at once."""
    assert is_working_day(other_worker, JULY_8)
    with app.app_context():
        holiday_lists.add_holiday(2026, day_off(JULY_8), actor=admin())
        db.session.commit()
    assert not is_working_day(other_worker, JULY_8)
    with app.app_context():
        holiday = db.session.scalar(sa.select(HolidayRow).filter_by(day=JULY_8))
        holiday_lists.remove_holiday(holiday, actor=admin())
        db.session.commit()
    assert is_working_day(other_worker, JULY_8)
    assert is_working_day(app, JULY_8)


def test_a_year_replaced_through_the_api_is_seen_by_another_worker(api, app, other_worker):
    """`PUT /api/v1/calendar/2031` makes the year known, with its days off, everywhere."""
    with other_worker.app_context():
        assert 2031 not in office_calendar().known_years
    body = {
        "source": "SKB 2031",
        "holidays": [{"date": "2031-07-09", "name": "A", "kind": "holiday"}],
    }
    response = api.client.put("/api/v1/calendar/2031", json=body, headers=api.headers("admin"))
    assert response.status_code == 200, response.get_json()
    with other_worker.app_context():
        calendar = office_calendar()
        assert 2031 in calendar.known_years
        assert not calendar.is_working_day(date(2031, 7, 9))


def test_a_rolled_back_change_leaves_no_stale_calendar(app_ctx, users):
    """A day off computed with and then rolled back is a working day again, at once and
    after a later, committed change, which shows alone."""
    holiday_lists.add_holiday(2026, day_off(JULY_8), actor=admin())
    assert not office_calendar().is_working_day(JULY_8)
    db.session.rollback()
    assert office_calendar().is_working_day(JULY_8)
    holiday_lists.add_holiday(2026, day_off(JULY_8), actor=admin())
    assert not office_calendar().is_working_day(JULY_8)
    db.session.rollback()
    # The next change, unlike the rolled-back one, is committed: a version counted up
    # would come back to the rolled-back one's number, with its calendar in the cache.
    holiday_lists.add_holiday(2026, day_off(JULY_15), actor=admin())
    db.session.commit()
    calendar = office_calendar()
    assert calendar.is_working_day(JULY_8)
    assert not calendar.is_working_day(JULY_15)


def test_a_change_not_yet_flushed_counts_in_its_own_transaction(app_ctx, users):
    """A day off moved in this transaction, still unflushed, moves in the next computation."""
    office_calendar()
    holiday = db.session.scalar(sa.select(HolidayRow).filter_by(day=NEW_YEAR))
    holiday.day = JULY_8
    calendar = office_calendar()
    assert not calendar.is_working_day(JULY_8)
    assert calendar.is_working_day(NEW_YEAR)


def test_a_computation_costs_one_small_read_and_a_second_none(app_ctx, users):
    """Once built, the calendar costs each transaction one read of the version alone."""
    built = office_calendar()
    db.session.commit()
    with statements(db.engine) as seen:
        first = office_calendar()
        second = office_calendar()
    assert first is second is built
    assert len(seen) == 1, seen
    assert "calendar_state" in seen[0] and "holiday" not in seen[0]


def test_a_changed_calendar_is_built_once_per_version(app_ctx, users):
    """After a change the next computation reads the days off once; the one after, not."""
    office_calendar()
    holiday_lists.add_holiday(2026, day_off(JULY_8), actor=admin())
    db.session.commit()
    with statements(db.engine) as seen:
        office_calendar()
    assert sum("holiday" in statement for statement in seen) == 1, seen
    db.session.commit()
    with statements(db.engine) as seen:
        assert not office_calendar().is_working_day(JULY_8)
    assert len(seen) == 1, seen


def test_a_move_after_another_workers_change_counts_the_new_day_off(app, runner, other_worker):
    """A move timed after another worker added a day off counts it, although this worker's
    cached calendar predates it: the move's locked read brings the days off's version."""
    instance = runner.start(started_at="2026-03-02T08:00:00+07:00")  # builds the cache
    task = runner.open_task(instance["id"])
    runner.attach_outputs(task)
    with other_worker.app_context():
        holiday_lists.add_holiday(2026, day_off(MARCH_4), actor=admin())
        db.session.commit()
    # After Tuesday's hours: the next step's 15 minutes run on the next working day.
    body = {"occurred_at": "2026-03-03T20:00:00+07:00"}
    response = runner.api.post(
        f"/api/v1/tasks/{task['id']}/complete", json=body, as_=runner.actor_of(task["step_no"])
    )
    assert response.status_code == 200, response.get_json()
    (opened,) = response.get_json()["next_tasks"]
    assert opened["due_at"].startswith("2026-03-05T07:45"), opened


# The two tests below run in this order: the first changes the days off and commits, the
# second, on the next fresh database, must see the seeded days off, not the cached change.


def test_a_committed_change_of_one_test(app_ctx, users):
    """New Year's Day removed and 8 July added are what this test's calendar shows."""
    holiday = db.session.scalar(sa.select(HolidayRow).filter_by(day=NEW_YEAR))
    holiday_lists.remove_holiday(holiday, actor=admin())
    holiday_lists.add_holiday(2026, day_off(JULY_8), actor=admin())
    db.session.commit()
    calendar = office_calendar()
    assert calendar.is_working_day(NEW_YEAR)
    assert not calendar.is_working_day(JULY_8)


def test_the_next_test_sees_the_seeded_days_off(app_ctx, users):
    """The next test's fresh database has the seeded days off again, and so has its calendar."""
    calendar = office_calendar()
    assert not calendar.is_working_day(NEW_YEAR)
    assert calendar.is_working_day(JULY_8)
