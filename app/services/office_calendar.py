"""The office's working calendar: the weekly hours from the calendar file, the days off
from the database (one list per year, seeded from the same file, then kept by the admin)."""

from datetime import datetime
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models import HolidayKind, HolidayRow, HolidayYear, utcnow
from app.services.calendar import WorkingCalendar, YearList, load_calendar
from app.services.sop_definitions import SopDefinition


@lru_cache(maxsize=8)
def _file_calendar(path: str, mtime_ns: int) -> tuple[WorkingCalendar, tuple[YearList, ...]]:
    calendar, years = load_calendar(path)
    return calendar, tuple(years)


def _calendar_file() -> tuple[WorkingCalendar, tuple[YearList, ...]]:
    path = current_app.config["CALENDAR_FILE"]
    return _file_calendar(path, Path(path).stat().st_mtime_ns)


def office_calendar() -> WorkingCalendar:
    """Return the working calendar in force: file hours, the database's years and days off."""
    calendar, _ = _calendar_file()
    # One query, as before the years existed: a year without days off comes with a NULL day.
    rows = db.session.execute(
        sa.select(HolidayYear.year, HolidayRow.day).outerjoin(
            HolidayRow, HolidayRow.year == HolidayYear.year
        )
    ).all()
    return calendar.with_holidays(
        (day for _, day in rows if day is not None), known_years={year for year, _ in rows}
    )


def seed_holidays() -> int:
    """Copy the calendar file's years that the database has no list for; count the days added.
    A year the database knows is the admin's: the file never overrides it."""
    _, years = _calendar_file()
    known = set(db.session.scalars(sa.select(HolidayYear.year)))
    taken = set(db.session.scalars(sa.select(HolidayRow.day)))
    added = 0
    for year_list in years:
        if year_list.year in known:
            continue
        row = HolidayYear(year=year_list.year, source=year_list.source, updated_at=utcnow())
        db.session.add(row)
        for holiday in year_list.holidays:
            if holiday.day in taken:
                continue
            row.holidays.append(
                HolidayRow(
                    day=holiday.day,
                    name=holiday.name,
                    kind=HolidayKind(holiday.kind),
                    estimated=holiday.estimated,
                )
            )
            added += 1
    db.session.flush()
    return added


def unknown_years_ahead(definition: SopDefinition, now: datetime | None = None) -> list[int]:
    """List the years without a holiday list that a run of `definition` started now would
    meet, its steps following one another at their mutu baku."""
    calendar = office_calendar()
    start = at = now or utcnow()
    for step in definition.steps:
        at = calendar.due_at(at, step.standard.value, step.standard.unit)
    return list(calendar.unknown_years(start, at))


def office_timezone():
    """Return the office's time zone, in which the API answers."""
    calendar, _ = _calendar_file()
    return calendar.tz
