"""Office working-time calendar: working periods, holidays and due-time arithmetic."""

from __future__ import annotations

import re
from calendar import isleap
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from itertools import count
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from app.services.working_year import MICROSECOND, WorkingYear, from_us, to_us

WEEKDAYS: tuple[str, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
HOLIDAY_KINDS: tuple[str, ...] = ("libur_nasional", "cuti_bersama")
DUE_UNITS: tuple[str, ...] = ("minute", "day")
MINUTE_US = 60_000_000
DAY_US = 86_400_000_000
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

Period = tuple[time, time]
_Span = tuple[datetime, datetime]

_PERIOD_RE = re.compile(r"^\s*(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s*$")
_TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FILE_KEYS = ("timezone", "working_hours", "years")
_YEAR_KEYS = ("source", "holidays")
_HOLIDAY_KEYS = ("date", "name", "kind", "estimated")


class CalendarFileError(ValueError):
    """Report an invalid calendar file, naming the file and the offending field."""


_Fail = Callable[[str, str], CalendarFileError]


@dataclass(frozen=True)
class Holiday:
    """A day off: a national holiday (libur nasional) or a joint leave day (cuti bersama)."""

    day: date
    name: str
    kind: str
    # A date the decree names but that waits on the sighting of the moon (perkiraan).
    estimated: bool = False


@dataclass(frozen=True)
class YearList:
    """One year's days off as the office knows them, and where the list comes from."""

    year: int
    source: str
    holidays: tuple[Holiday, ...] = ()


@dataclass(frozen=True)
class WorkingCalendar:
    """Office working time: weekly periods in a time zone, minus holidays.

    Answers come from per-year tables (`WorkingYear`), each built on first use and kept on
    the calendar, which is immutable: a span of a year costs what a span of a day does.
    """

    tz: ZoneInfo
    # Excluded from the hash because a mapping is unhashable; equality still compares it.
    periods: Mapping[int, tuple[Period, ...]] = field(hash=False)
    holidays: frozenset[date] = frozenset()
    # The years whose holiday list the office has; None when every year counts as known.
    known_years: frozenset[int] | None = None
    # The years' tables by year: derived from the fields above, so not part of the value.
    _years: dict[int, WorkingYear] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        """Check the periods and freeze the containers."""
        frozen: dict[int, tuple[Period, ...]] = {}
        for weekday, day_periods in self.periods.items():
            if weekday not in range(7):
                raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {weekday!r}")
            day_periods = tuple(day_periods)
            for start, end in day_periods:
                if start >= end:
                    raise ValueError(f"period {start}-{end} on weekday {weekday} is empty")
            for (_, end), (next_start, _) in zip(day_periods, day_periods[1:], strict=False):
                if next_start < end:
                    raise ValueError(f"periods on weekday {weekday} overlap or are out of order")
            frozen[weekday] = day_periods
        # Without any period no working moment exists and the searches would never end.
        if not any(frozen.values()):
            raise ValueError("a working calendar needs at least one working period")
        object.__setattr__(self, "periods", MappingProxyType(frozen))
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        if self.known_years is not None:
            object.__setattr__(self, "known_years", frozenset(self.known_years))

    def with_holidays(
        self, days: Iterable[date], known_years: Iterable[int] | None = None
    ) -> WorkingCalendar:
        """Return this calendar with its holiday list (and, if given, its known years)
        replaced."""
        years = self.known_years if known_years is None else frozenset(known_years)
        return replace(self, holidays=frozenset(days), known_years=years)

    def unknown_years(self, start: datetime, end: datetime) -> tuple[int, ...]:
        """List the years from ``start`` to ``end`` (local dates) that have no holiday list:
        working time there is counted as if they had no days off."""
        if self.known_years is None:
            return ()
        begin, finish = _as_utc(start, "start"), _as_utc(end, "end")
        # A local date lies within a day of the UTC one: when the years round both are known,
        # so are theirs (the common case, answered without converting either).
        if all(year in self.known_years for year in range(begin.year - 1, finish.year + 2)):
            return ()
        first = begin.astimezone(self.tz).year
        last = max(first, finish.astimezone(self.tz).year)
        return tuple(year for year in range(first, last + 1) if year not in self.known_years)

    def working_days_in(self, year: int) -> int:
        """Count the working days of ``year``."""
        return len(self._year(year).working_days)

    def is_working_day(self, day: date) -> bool:
        """Tell whether ``day`` has working periods and is not a holiday."""
        return bool(self.periods.get(day.weekday())) and day not in self.holidays

    def periods_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """List the working periods of ``day`` as aware datetimes in the calendar's zone."""
        if not self.is_working_day(day):
            return []
        return [
            (
                datetime.combine(day, start, tzinfo=self.tz),
                datetime.combine(day, end, tzinfo=self.tz),
            )
            for start, end in self.periods[day.weekday()]
        ]

    def working_seconds_between(self, start: datetime, end: datetime) -> float:
        """Return the working seconds from ``start`` to ``end`` (0 when end <= start)."""
        return self._working_time_between(start, end).total_seconds()

    def working_minutes_between(self, start: datetime, end: datetime) -> int:
        """Return the whole working minutes from ``start`` to ``end`` (0 when end <= start)."""
        return self._working_time_between(start, end) // timedelta(minutes=1)

    def next_working_moment(self, at: datetime) -> datetime:
        """Return ``at`` if it is working time, else the start of the next working period."""
        moment = _as_utc(at, "at")
        instant = to_us(moment)
        for year in count(self._year_of(moment)):
            table = self._year(year)
            if not table.regular:
                return self._walk_to_working_moment(moment)
            index = table.next_period(instant)
            if index is not None:
                start = table.starts[index]
                return (moment if start <= instant else from_us(start)).astimezone(self.tz)
        raise AssertionError("unreachable: count never ends")  # pragma: no cover

    def add_working_minutes(self, start: datetime, minutes: int) -> datetime:
        """Return the instant when ``minutes`` working minutes have passed since ``start``."""
        if minutes < 0:
            raise ValueError(f"minutes must not be negative, got {minutes}")
        moment = _as_utc(start, "start")
        if not minutes:
            return moment.astimezone(self.tz)
        year = self._year_of(moment)
        table = self._year(year)
        if not table.regular:
            return self._walk_working_minutes(moment, minutes)
        # Counted from the year's first working moment, so each later year is one subtraction.
        wanted = table.worked_until(to_us(moment)) + minutes * MINUTE_US
        while wanted > table.total:
            wanted -= table.total
            year += 1
            table = self._year(year)
            if not table.regular:
                return self._walk_working_minutes(moment, minutes)
        return from_us(table.moment_worked(wanted)).astimezone(self.tz)

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """Return the due time ``days`` working days after ``start``, at the same clock time."""
        if days < 0:
            raise ValueError(f"days must not be negative, got {days}")
        anchor = self.next_working_moment(start)
        day = self._working_day_after(anchor.date(), days)
        return self._latest_working_moment(day, anchor.time())

    def due_at(self, start: datetime, value: int, unit: str) -> datetime:
        """Return the due time of a standard of ``value`` working ``unit``s started at ``start``."""
        if unit == "minute":
            return self.add_working_minutes(start, value)
        if unit == "day":
            return self.add_working_days(start, value)
        raise ValueError(
            f"unknown time-standard unit {unit!r}; expected one of {', '.join(DUE_UNITS)}"
        )

    def _working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """The working time of [start, end): what the years before `end` hold, less what
        `start`'s year held before it."""
        begin, finish = _as_utc(start, "start"), _as_utc(end, "end")
        if finish <= begin:
            return timedelta()
        years = [
            self._year(year) for year in range(self._year_of(begin), self._year_of(finish) + 1)
        ]
        if not all(table.regular for table in years):
            return self._walk_working_time(begin, finish)
        worked = (
            sum(table.total for table in years[:-1])
            - years[0].worked_until(to_us(begin))
            + years[-1].worked_until(to_us(finish))
        )
        return timedelta(microseconds=worked)

    def _year_of(self, moment: datetime) -> int:
        """The year of the local date of ``moment``: the table its day belongs to."""
        return moment.astimezone(self.tz).year

    def _year(self, year: int) -> WorkingYear:
        """Return the table of ``year``, building it on first use."""
        table = self._years.get(year)
        if table is None:
            # Two threads may both build a year; the tables are equal, either one stays.
            table = self._years[year] = self._build_year(year)
        return table

    def _build_year(self, year: int) -> WorkingYear:
        """List the year's working periods in UTC and tell whether a clock change meets one."""
        spans: tuple[list[int], list[int]] = ([], [])
        working_days: list[int] = []
        unambiguous = True
        first = date(year, 1, 1)
        for offset in range(366 if isleap(year) else 365):
            day = first + timedelta(days=offset)
            if not self.is_working_day(day):
                continue
            working_days.append(day.toordinal())
            midnight = (day.toordinal() - EPOCH_ORDINAL) * DAY_US
            for period in self.periods[day.weekday()]:
                for clock, into in zip(period, spans, strict=True):
                    # What `local - EPOCH` answers, without building the difference.
                    local = datetime.combine(day, clock, tzinfo=self.tz)
                    utc_offset = local.utcoffset()
                    unambiguous = unambiguous and _exists_once(local, utc_offset)
                    into.append(midnight + _clock_us(clock) - utc_offset // MICROSECOND)
        starts, ends = spans
        return WorkingYear.of(year, starts, ends, working_days, unambiguous)

    def _working_day_after(self, day: date, days: int) -> date:
        """Return the ``days``-th working day after ``day`` (``day`` itself for 0)."""
        if not days:
            return day
        year = day.year
        table = self._year(year)
        index = table.working_days_through(day.toordinal()) + days - 1
        while index >= len(table.working_days):
            index -= len(table.working_days)
            year += 1
            table = self._year(year)
        return date.fromordinal(table.working_days[index])

    def _latest_working_moment(self, day: date, clock: time) -> datetime:
        """Return ``clock`` on working ``day``, snapped back to the end of a period if outside."""
        wanted = datetime.combine(day, clock, tzinfo=self.tz).astimezone(UTC)
        periods = self._utc_periods(day)
        # A clock before the day's opening (only if weekdays open at different times) opens it.
        chosen = periods[0][0]
        for period_start, period_end in periods:
            if wanted < period_start:
                break
            chosen = min(wanted, period_end)
        return chosen.astimezone(self.tz)

    # --- the day-by-day walk, for years whose periods meet a daylight-saving change ---------
    # There a period can run backwards or overlap another in UTC; the walk is the rule
    # itself, so its answers there stay what they always were.

    def _walk_working_time(self, begin: datetime, finish: datetime) -> timedelta:
        """Sum the overlap of [begin, finish) with the working periods, day by day."""
        total = timedelta()
        last_day = finish.astimezone(self.tz).date()
        for day in self._days_from(begin):
            if day > last_day:
                break
            for period_start, period_end in self._utc_periods(day):
                overlap = min(period_end, finish) - max(period_start, begin)
                if overlap > timedelta():
                    total += overlap
        return total

    def _walk_to_working_moment(self, moment: datetime) -> datetime:
        """Return ``moment`` if it is working time, else the next period's start, day by day."""
        for day in self._days_from(moment):
            for start, end in self._utc_periods(day):
                if moment < start:
                    return start.astimezone(self.tz)
                if moment < end:
                    return moment.astimezone(self.tz)
        raise AssertionError("unreachable: _days_from never ends")  # pragma: no cover

    def _walk_working_minutes(self, moment: datetime, minutes: int) -> datetime:
        """Return the instant ``minutes`` working minutes after ``moment``, day by day."""
        remaining = timedelta(minutes=minutes)
        for day in self._days_from(moment):
            for period_start, period_end in self._utc_periods(day):
                if period_end <= moment:
                    continue
                begin = max(period_start, moment)
                available = period_end - begin
                # "<=" so that a count reached exactly at a period's end answers that end.
                if remaining <= available:
                    return (begin + remaining).astimezone(self.tz)
                remaining -= available
        raise AssertionError("unreachable: _days_from never ends")  # pragma: no cover

    def _days_from(self, moment: datetime) -> Iterator[date]:
        """Yield local dates from the one containing ``moment`` onwards, without end."""
        first = moment.astimezone(self.tz).date()
        for offset in count():
            yield first + timedelta(days=offset)

    def _utc_periods(self, day: date) -> list[_Span]:
        """List the working periods of ``day`` in UTC, so arithmetic ignores DST folds."""
        return [(start.astimezone(UTC), end.astimezone(UTC)) for start, end in self.periods_on(day)]


def default_calendar_path() -> Path:
    """Return the path of the calendar file shipped with the application."""
    return Path(__file__).resolve().parent.parent / "data" / "calendar-purbalingga.yaml"


def load_calendar(path: Path | str) -> tuple[WorkingCalendar, list[YearList]]:
    """Read and validate a calendar YAML file into a calendar and its years' holiday lists."""
    path = Path(path)
    try:
        # Safe loading, with dates kept as text so a bad one is reported with its field.
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_CalendarLoader)
    except OSError as exc:
        raise CalendarFileError(f"{path}: cannot read calendar file: {exc.strerror}") from exc
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise CalendarFileError(f"{path}: not valid YAML: {exc}") from exc

    def fail(where: str, problem: str) -> CalendarFileError:
        return CalendarFileError(f"{path}: {where}: {problem}")

    if not isinstance(data, dict):
        raise fail("(top level)", "expected a mapping with timezone, working_hours, years")
    unknown = sorted(str(key) for key in data if key not in _FILE_KEYS)
    if unknown:
        raise fail(unknown[0], f"unknown key; expected one of {', '.join(_FILE_KEYS)}")

    tz = _parse_timezone(data.get("timezone"), fail)
    periods = _parse_working_hours(data.get("working_hours"), fail)
    years = _parse_years(data.get("years"), fail)
    try:
        calendar = WorkingCalendar(
            tz=tz,
            periods=periods,
            holidays=frozenset(h.day for y in years for h in y.holidays),
            known_years=frozenset(y.year for y in years),
        )
    except ValueError as exc:
        raise fail("working_hours", str(exc)) from exc
    return calendar, years


class _CalendarLoader(yaml.SafeLoader):
    """Load YAML safely, leaving timestamps as strings for field-aware validation."""


_CalendarLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_scalar)


def _exists_once(local: datetime, utc_offset: timedelta) -> bool:
    """Tell whether a local clock time happens exactly once: not skipped by a daylight-saving
    change (a gap) nor repeated by one (a fold), where both readings of it have one offset."""
    return utc_offset == local.replace(fold=1 - local.fold).utcoffset()


def _clock_us(clock: time) -> int:
    """Microseconds from midnight to a clock time."""
    return ((clock.hour * 60 + clock.minute) * 60 + clock.second) * 1_000_000 + clock.microsecond


def _as_utc(moment: datetime, name: str) -> datetime:
    """Convert an aware datetime to UTC; refuse naive ones, whose zone is unknowable."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {moment.isoformat()}")
    return moment.astimezone(UTC)


def _parse_timezone(value: Any, fail: _Fail) -> ZoneInfo:
    """Parse the ``timezone`` field into a ZoneInfo."""
    if not isinstance(value, str) or not value.strip():
        raise fail("timezone", f"expected an IANA zone name such as Asia/Jakarta, got {value!r}")
    try:
        return ZoneInfo(value.strip())
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise fail("timezone", f"unknown time zone {value!r}") from exc


def _parse_working_hours(value: Any, fail: _Fail) -> dict[int, tuple[Period, ...]]:
    """Parse ``working_hours`` (weekday name -> list of "HH:MM-HH:MM") into sorted periods."""
    if not isinstance(value, dict):
        raise fail("working_hours", "expected a mapping of weekday name to a list of periods")
    periods: dict[int, tuple[Period, ...]] = {}
    for key, entries in value.items():
        where = f"working_hours.{key}"
        if key not in WEEKDAYS:
            raise fail(where, f"unknown weekday {key!r}; expected one of {', '.join(WEEKDAYS)}")
        if entries is None:
            entries = []
        if not isinstance(entries, list):
            raise fail(where, 'expected a list of periods such as ["07:30-12:00"]')
        parsed = [_parse_period(entry, f"{where}[{i}]", fail) for i, entry in enumerate(entries)]
        parsed.sort()
        for (_, end), (next_start, _) in zip(parsed, parsed[1:], strict=False):
            if next_start < end:
                raise fail(where, f"periods overlap around {next_start:%H:%M}")
        periods[WEEKDAYS.index(key)] = tuple(parsed)
    if not any(periods.values()):
        raise fail("working_hours", "no working period on any day")
    return periods


def _parse_period(value: Any, where: str, fail: _Fail) -> Period:
    """Parse one "HH:MM-HH:MM" period whose start is before its end."""
    # An unquoted 12:30 alone is read by YAML 1.1 as the number 750, hence the hint.
    match = _PERIOD_RE.match(value) if isinstance(value, str) else None
    if match is None:
        raise fail(where, f"expected a period 'HH:MM-HH:MM', got {value!r}")
    start = _parse_time(match.group(1), where, fail)
    end = _parse_time(match.group(2), where, fail)
    if start >= end:
        raise fail(where, f"period start {start:%H:%M} is not before its end {end:%H:%M}")
    return start, end


def _parse_time(text: str, where: str, fail: _Fail) -> time:
    """Parse an "HH:MM" clock time."""
    match = _TIME_RE.match(text)
    hour, minute = (int(match.group(1)), int(match.group(2))) if match else (-1, -1)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise fail(where, f"bad time {text!r} (expected HH:MM, 00:00 to 23:59)")
    return time(hour, minute)


def _parse_years(value: Any, fail: _Fail) -> list[YearList]:
    """Parse ``years`` (year -> {source, holidays}) into year lists, oldest first."""
    if value is None:
        return []
    if not isinstance(value, dict):
        raise fail("years", "expected a mapping of year to {source, holidays}")
    years = []
    for key, entry in value.items():
        where = f"years.{key}"
        if not isinstance(key, int) or not 2000 <= key <= 2100:
            raise fail(where, f"expected a year from 2000 to 2100, got {key!r}")
        if not isinstance(entry, dict):
            raise fail(where, "expected a mapping with source and holidays")
        unknown = sorted(str(k) for k in entry if k not in _YEAR_KEYS)
        if unknown:
            raise fail(f"{where}.{unknown[0]}", "unknown key; expected source, holidays")
        source = entry.get("source")
        if not isinstance(source, str) or not source.strip():
            raise fail(f"{where}.source", "name the list's source (the decree it follows)")
        holidays = _parse_holidays(entry.get("holidays"), f"{where}.holidays", key, fail)
        years.append(YearList(year=key, source=" ".join(source.split()), holidays=holidays))
    years.sort(key=lambda year_list: year_list.year)
    return years


def _parse_holidays(value: Any, where: str, year: int, fail: _Fail) -> tuple[Holiday, ...]:
    """Parse one year's list of {date, name, kind, estimated?} entries, sorted by date."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise fail(where, "expected a list of {date, name, kind} entries")
    holidays: dict[date, Holiday] = {}
    for index, entry in enumerate(value):
        at = f"{where}[{index}]"
        if not isinstance(entry, dict):
            raise fail(at, "expected a mapping with date, name and kind")
        unknown = sorted(str(key) for key in entry if key not in _HOLIDAY_KEYS)
        if unknown:
            raise fail(f"{at}.{unknown[0]}", "unknown key; expected date, name, kind, estimated")
        day = _parse_date(entry.get("date"), f"{at}.date", fail)
        if day.year != year:
            raise fail(f"{at}.date", f"{day} is not in {year}")
        if day in holidays:
            raise fail(f"{at}.date", f"{day} is listed twice")
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise fail(f"{at}.name", f"expected a non-empty name, got {name!r}")
        kind = entry.get("kind")
        if kind not in HOLIDAY_KINDS:
            raise fail(f"{at}.kind", f"unknown kind {kind!r}; expected one of {HOLIDAY_KINDS}")
        estimated = entry.get("estimated", False)
        if not isinstance(estimated, bool):
            raise fail(f"{at}.estimated", f"expected true or false, got {estimated!r}")
        holidays[day] = Holiday(day=day, name=name.strip(), kind=kind, estimated=estimated)
    return tuple(sorted(holidays.values(), key=lambda holiday: holiday.day))


def _parse_date(value: Any, where: str, fail: _Fail) -> date:
    """Parse a YYYY-MM-DD date."""
    if isinstance(value, str) and _DATE_RE.match(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise fail(where, f"bad date {value!r} (expected YYYY-MM-DD)")
