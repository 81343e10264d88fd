"""The office's working calendar: the weekly hours from the calendar file, the days off
from the database (seeded from the same file, then kept by the admin)."""

from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models import HolidayKind, HolidayRow
from app.services.calendar import Holiday, WorkingCalendar, load_calendar


@lru_cache(maxsize=8)
def _file_calendar(path: str, mtime_ns: int) -> tuple[WorkingCalendar, tuple[Holiday, ...]]:
    calendar, holidays = load_calendar(path)
    return calendar, tuple(holidays)


def _calendar_file() -> tuple[WorkingCalendar, tuple[Holiday, ...]]:
    path = current_app.config["CALENDAR_FILE"]
    return _file_calendar(path, Path(path).stat().st_mtime_ns)


def office_calendar() -> WorkingCalendar:
    """Return the working calendar in force: file hours, database holidays."""
    calendar, _ = _calendar_file()
    return calendar.with_holidays(db.session.scalars(sa.select(HolidayRow.day)))


def seed_holidays() -> int:
    """Add the calendar file's days off that the database does not have yet; count them."""
    _, holidays = _calendar_file()
    known = set(db.session.scalars(sa.select(HolidayRow.day)))
    added = 0
    for holiday in holidays:
        if holiday.day not in known:
            db.session.add(
                HolidayRow(day=holiday.day, name=holiday.name, kind=HolidayKind(holiday.kind))
            )
            added += 1
    db.session.flush()
    return added


def office_timezone():
    """Return the office's time zone, in which the API answers."""
    calendar, _ = _calendar_file()
    return calendar.tz
