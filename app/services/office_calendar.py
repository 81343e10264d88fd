"""The office's working calendar: the weekly hours from the calendar file, the days off
from the database (one list per year, seeded from the same file, then kept by the admin).

The calendar is built once per process and days-off version (`CalendarState`, renewed in
the transaction of every change to the days off), so a computation costs one small read of
the version (none where a statement of the transaction brought it: a move's locked read),
and none for a second computation in the same transaction; an admin's change is seen by
every worker's next transaction."""

import os
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from itertools import chain

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import HolidayKind, HolidayRow, HolidayYear, utcnow
from app.models.calendar import SESSION_CHANGED_AT, SESSION_VERSION, CalendarState
from app.services.calendar import WorkingCalendar, YearList, load_calendar
from app.services.sop_definitions import SopDefinition

# Where each app keeps its built calendar (app.extensions).
CACHE = "office_calendar"


@dataclass(frozen=True)
class _Built:
    """A calendar built from the file's hours (`hours`) and the days off at `version`."""

    hours: WorkingCalendar
    version: str
    calendar: WorkingCalendar


@lru_cache(maxsize=8)
def _file_calendar(path: str, mtime_ns: int) -> tuple[WorkingCalendar, tuple[YearList, ...]]:
    calendar, years = load_calendar(path)
    return calendar, tuple(years)


def calendar_file_stamp() -> tuple[str, int]:
    """The calendar file and its modification time: its working hours can change with no
    audit event, so whatever is kept for them (the built calendar, a kept board) keys on it."""
    path = current_app.config["CALENDAR_FILE"]
    # os.stat, not pathlib: every time an answer shows (several per move) asks, and the
    # Path object cost twice the system call.
    return path, os.stat(path).st_mtime_ns


def _calendar_file() -> tuple[WorkingCalendar, tuple[YearList, ...]]:
    return _file_calendar(*calendar_file_stamp())


def office_calendar() -> WorkingCalendar:
    """Return the working calendar in force: file hours, the database's years and days off."""
    hours, _ = _calendar_file()
    session = db.session()
    version = _days_off_version(session)
    built = current_app.extensions.get(CACHE)
    if built is not None and built.hours is hours and built.version == version:
        return built.calendar
    return _build(session, hours)


def _days_off_version(session: Session) -> str | None:
    """The days off's version as this transaction sees it, read at most once per transaction."""
    if SESSION_VERSION in session.info:
        # A change still waiting for its flush would be missed by the cached version: the
        # full read used to flush it, so flush it here (which renews the version).
        if _days_off_pending(session):
            session.flush()
        return session.info[SESSION_VERSION]
    row = session.execute(sa.select(CalendarState.version, CalendarState.changed_at)).first()
    version, changed_at = row if row is not None else (None, None)
    session.info[SESSION_VERSION] = version
    session.info[SESSION_CHANGED_AT] = changed_at
    return version


def days_off_version_columns() -> tuple:
    """The days off's version and change time as columns another statement can carry, so a
    unit of work that reads its rows anyway learns them without a statement of their own
    (`expect_days_off_version`)."""
    return (
        sa.select(CalendarState.version).scalar_subquery(),
        sa.select(CalendarState.changed_at).scalar_subquery(),
    )


def expect_days_off_version(version: str | None, changed_at: datetime | None) -> None:
    """Remember the days off's version as a statement of this transaction read it (with
    `days_off_version_columns`): the transaction's calendar is then built or taken from the
    cache without reading it again."""
    session = db.session()
    session.info[SESSION_VERSION] = version
    session.info[SESSION_CHANGED_AT] = changed_at


def days_off_changed_at() -> datetime | None:
    """When the days off last changed, as this transaction sees it (None: not since the
    database was made); read with the version, so it costs no statement of its own."""
    session = db.session()
    _days_off_version(session)
    return session.info.get(SESSION_CHANGED_AT)


def _days_off_pending(session: Session) -> bool:
    pending = chain(session.new, session.dirty, session.deleted)
    return any(isinstance(obj, HolidayYear | HolidayRow) for obj in pending)


def _build(session: Session, hours: WorkingCalendar) -> WorkingCalendar:
    """Read the years and days off, with their version in the same statement (one snapshot),
    and keep the calendar built from them for the next computation at that version."""
    # One query, as before the years existed: a year without days off comes with a NULL day.
    rows = session.execute(
        sa.select(
            HolidayYear.year,
            HolidayRow.day,
            *days_off_version_columns(),
        ).outerjoin(HolidayRow, HolidayRow.year == HolidayYear.year)
    ).all()
    calendar = hours.with_holidays(
        (row.day for row in rows if row.day is not None), known_years={row.year for row in rows}
    )
    # Without any year there is no version to read with them: such a calendar is not kept.
    version = rows[0][2] if rows else None
    if version is not None:
        session.info[SESSION_VERSION] = version
        session.info[SESSION_CHANGED_AT] = rows[0][3]
        current_app.extensions[CACHE] = _Built(hours, version, calendar)
    return calendar


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
