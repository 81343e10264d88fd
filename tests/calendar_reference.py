"""The working-time calendar as it was before its per-year tables: each answer walked day by
day from the start. Kept verbatim (from app/services/calendar.py at 18b0f84) as the reference
the fast calendar must agree with to the minute (tests/services/test_calendar_tables.py)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from itertools import count
from types import MappingProxyType
from zoneinfo import ZoneInfo

DUE_UNITS: tuple[str, ...] = ("minute", "day")

Period = tuple[time, time]
_Span = tuple[datetime, datetime]


@dataclass(frozen=True)
class WorkingCalendar:
    """Office working time: weekly periods in a time zone, minus holidays."""

    tz: ZoneInfo
    # Excluded from the hash because a mapping is unhashable; equality still compares it.
    periods: Mapping[int, tuple[Period, ...]] = field(hash=False)
    holidays: frozenset[date] = frozenset()
    # The years whose holiday list the office has; None when every year counts as known.
    known_years: frozenset[int] | None = None

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
        first = _as_utc(start, "start").astimezone(self.tz).year
        last = max(first, _as_utc(end, "end").astimezone(self.tz).year)
        return tuple(year for year in range(first, last + 1) if year not in self.known_years)

    def working_days_in(self, year: int) -> int:
        """Count the working days of ``year``."""
        day, last = date(year, 1, 1), date(year, 12, 31)
        total = 0
        while day <= last:
            total += self.is_working_day(day)
            day += timedelta(days=1)
        return total

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
        for day in self._days_from(moment):
            for start, end in self._utc_periods(day):
                if moment < start:
                    return start.astimezone(self.tz)
                if moment < end:
                    return moment.astimezone(self.tz)
        raise AssertionError("unreachable: _days_from never ends")  # pragma: no cover

    def add_working_minutes(self, start: datetime, minutes: int) -> datetime:
        """Return the instant when ``minutes`` working minutes have passed since ``start``."""
        if minutes < 0:
            raise ValueError(f"minutes must not be negative, got {minutes}")
        moment = _as_utc(start, "start")
        remaining = timedelta(minutes=minutes)
        if not remaining:
            return moment.astimezone(self.tz)
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

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """Return the due time ``days`` working days after ``start``, at the same clock time."""
        if days < 0:
            raise ValueError(f"days must not be negative, got {days}")
        anchor = self.next_working_moment(start)
        day = anchor.date()
        for _ in range(days):
            day = self._next_working_day(day)
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
        """Sum the overlap of [start, end) with the working periods, day by day."""
        begin, finish = _as_utc(start, "start"), _as_utc(end, "end")
        total = timedelta()
        if finish <= begin:
            return total
        last_day = finish.astimezone(self.tz).date()
        for day in self._days_from(begin):
            if day > last_day:
                break
            for period_start, period_end in self._utc_periods(day):
                overlap = min(period_end, finish) - max(period_start, begin)
                if overlap > timedelta():
                    total += overlap
        return total

    def _days_from(self, moment: datetime) -> Iterator[date]:
        """Yield local dates from the one containing ``moment`` onwards, without end."""
        first = moment.astimezone(self.tz).date()
        for offset in count():
            yield first + timedelta(days=offset)

    def _utc_periods(self, day: date) -> list[_Span]:
        """List the working periods of ``day`` in UTC, so arithmetic ignores DST folds."""
        return [(start.astimezone(UTC), end.astimezone(UTC)) for start, end in self.periods_on(day)]

    def _next_working_day(self, day: date) -> date:
        """Return the first working day after ``day``."""
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

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


def _as_utc(moment: datetime, name: str) -> datetime:
    """Convert an aware datetime to UTC; refuse naive ones, whose zone is unknowable."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {moment.isoformat()}")
    return moment.astimezone(UTC)
