"""The calendar's per-year tables answer exactly as the day-by-day walk they replaced
(tests/calendar_reference.py), to the microsecond, over random spans, standards and zones."""

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.services.calendar import WorkingCalendar, default_calendar_path, load_calendar
from tests.calendar_reference import WorkingCalendar as ReferenceCalendar

OFFICE, _ = load_calendar(default_calendar_path())
PURBALINGGA = dict(OFFICE.periods)


def hours(*spans: str) -> tuple[tuple[time, time], ...]:
    """Periods from "HH:MM-HH:MM" texts."""
    return tuple(
        tuple(time.fromisoformat(clock) for clock in span.split("-"))  # type: ignore[misc]
        for span in spans
    )


def office_in(zone: str, periods=None, holidays=None, known_years=None) -> WorkingCalendar:
    """The office's week (or `periods`) in another zone, with the office's days off."""
    return WorkingCalendar(
        tz=ZoneInfo(zone),
        periods=PURBALINGGA if periods is None else periods,
        holidays=OFFICE.holidays if holidays is None else holidays,
        known_years=OFFICE.known_years if known_years is None else known_years,
    )


def reference_of(calendar: WorkingCalendar) -> ReferenceCalendar:
    return ReferenceCalendar(
        tz=calendar.tz,
        periods=dict(calendar.periods),
        holidays=calendar.holidays,
        known_years=calendar.known_years,
    )


# Periods that start or end inside Europe's clock changes (02:00-03:00 local): the years
# with such a change are answered by the walk, the others by the tables.
AT_THE_CLOCK_CHANGE = {
    weekday: hours("01:30-02:30", "02:45-04:00", "09:00-17:00") for weekday in range(7)
}
ROUND_THE_CLOCK = {weekday: hours("00:00-23:59") for weekday in range(6)}

CALENDARS = {
    "office": OFFICE,
    "berlin": office_in("Europe/Berlin"),
    "new-york": office_in("America/New_York"),
    "santiago-midnight": office_in("America/Santiago", periods=ROUND_THE_CLOCK),
    "berlin-clock-change": office_in("Europe/Berlin", periods=AT_THE_CLOCK_CHANGE),
    "jakarta-every-hour": office_in("Asia/Jakarta", periods=ROUND_THE_CLOCK, holidays=frozenset()),
}


def clocks_of(calendar: WorkingCalendar) -> list[time]:
    """Clock times worth starting at: every period's edges, a minute either side, midnight."""
    edges = {time(0, 0), time(23, 59, 59, 999999), time(12, 15)}
    for day_periods in calendar.periods.values():
        for start, end in day_periods:
            for clock in (start, end):
                moment = datetime.combine(date(2000, 1, 1), clock)
                edges.update((moment + timedelta(minutes=shift)).time() for shift in (-1, 0, 1))
    return sorted(edges)


def random_moment(rng: random.Random, calendar: WorkingCalendar, first: int = 2025) -> datetime:
    """A moment of four years from mid-`first` (from 2025: the last two years unknown to the
    office), often near a year's end or at a period's edge, in the calendar's zone, in UTC
    or at another offset."""
    if rng.random() < 0.3:
        year = rng.randint(first, first + 3)
        day = date(year, 12, 31) - timedelta(days=rng.randint(-10, 10))
    else:
        day = date(first, 6, 1) + timedelta(days=rng.randint(0, 4 * 365))
    if rng.random() < 0.6:
        clock = rng.choice(clocks_of(calendar))
    else:
        clock = time(
            rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59), rng.randint(0, 999999)
        )
    local = datetime.combine(day, clock, tzinfo=calendar.tz).replace(fold=rng.randint(0, 1))
    zone = rng.choice([calendar.tz, UTC, ZoneInfo("Asia/Makassar")])
    return local.astimezone(zone)


def random_span(rng: random.Random) -> timedelta:
    """A task's time open: mostly days or weeks, sometimes over a year, now and then negative."""
    kind = rng.random()
    if kind < 0.05:
        return -timedelta(minutes=rng.randint(0, 600))
    if kind < 0.5:
        return timedelta(minutes=rng.randint(0, 3 * 24 * 60))
    if kind < 0.9:
        return timedelta(days=rng.randint(0, 60), seconds=rng.randint(0, 86399))
    return timedelta(days=rng.randint(300, 800), microseconds=rng.randint(0, 10**6))


def random_standard(rng: random.Random) -> tuple[int, str]:
    """A time standard: minutes up to a working year's worth, or up to 300 working days."""
    if rng.random() < 0.5:
        return rng.choice([0, 1, 30, 210, 480, 481]) if rng.random() < 0.3 else rng.randint(
            0, 120_000
        ), "minute"
    return rng.choice([0, 1, 5, 250]) if rng.random() < 0.3 else rng.randint(0, 300), "day"


def same_moment(answer: datetime, expected: datetime) -> tuple:
    """What a reader of a due time sees: the instant, its wall time and offset, its fold."""
    return (answer == expected, answer.isoformat() == expected.isoformat(), answer.fold)


# Brazil's clocks changed at midnight until 2019, then no more: walked years, then tabled.
SAO_PAULO = office_in("America/Sao_Paulo", periods=ROUND_THE_CLOCK)
CALENDARS["sao-paulo-until-2019"] = SAO_PAULO
FIRST_YEAR = {"sao-paulo-until-2019": 2017}

CASES = {
    "office": 1500,
    "berlin": 600,
    "new-york": 600,
    "santiago-midnight": 300,
    "berlin-clock-change": 300,
    "jakarta-every-hour": 300,
    "sao-paulo-until-2019": 300,
}


# The office's own calendar in the quick loop; the other zones' thousands of cases in the
# whole suite (CI runs them all).
@pytest.mark.parametrize(
    "name",
    [name if name == "office" else pytest.param(name, marks=pytest.mark.slow) for name in CASES],
)
def test_the_tables_answer_as_the_day_by_day_walk(name):
    """Working minutes and seconds, the next working moment, and due times in minutes and
    in days agree with the old walk for random starts, ends and standards."""
    calendar, rng = CALENDARS[name], random.Random(f"issue-11-{name}")
    reference = reference_of(calendar)
    for case in range(CASES[name]):
        start = random_moment(rng, calendar, FIRST_YEAR.get(name, 2025))
        end = start + random_span(rng)
        value, unit = random_standard(rng)
        facts = (case, start.isoformat(), end.isoformat(), value, unit)
        assert calendar.working_minutes_between(start, end) == reference.working_minutes_between(
            start, end
        ), facts
        assert calendar.working_seconds_between(start, end) == reference.working_seconds_between(
            start, end
        ), facts
        nearest, expected = (
            calendar.next_working_moment(start),
            reference.next_working_moment(start),
        )
        assert same_moment(nearest, expected) == (True, True, expected.fold), facts
        due, expected = calendar.due_at(start, value, unit), reference.due_at(start, value, unit)
        assert same_moment(due, expected) == (True, True, expected.fold), facts


@pytest.mark.parametrize("name", CASES)
def test_working_days_per_year_agree_with_the_walk(name):
    """Each year's count of working days is the old count, known years or not."""
    calendar = CALENDARS[name]
    reference = reference_of(calendar)
    for year in range(2024, 2031):
        assert calendar.working_days_in(year) == reference.working_days_in(year), year


def test_the_clock_change_years_are_walked_and_the_others_tabled():
    """Periods meeting a clock change make that year walked; a zone without changes never."""
    changing = CALENDARS["berlin-clock-change"]
    assert not changing._year(2026).regular
    assert CALENDARS["berlin"]._year(2026).regular
    assert OFFICE._year(2026).regular
    samoa = office_in("Pacific/Apia")
    # Samoa skipped 30 December 2011, crossing the date line.
    assert not samoa._year(2011).regular
    assert samoa._year(2013).regular
    assert [SAO_PAULO._year(year).regular for year in (2018, 2019, 2020)] == [False, False, True]


def test_a_day_skipped_by_the_date_line_counts_as_the_walk_counted_it():
    """Samoa's missing 30 December 2011 gives the old answers around it."""
    samoa = office_in("Pacific/Apia", periods=ROUND_THE_CLOCK, holidays=frozenset())
    reference = reference_of(samoa)
    apia = samoa.tz
    start = datetime(2011, 12, 28, 9, tzinfo=apia)
    for hours_open in range(0, 24 * 6, 7):
        end = start + timedelta(hours=hours_open)
        assert samoa.working_minutes_between(start, end) == reference.working_minutes_between(
            start, end
        )
        assert samoa.add_working_minutes(start, hours_open * 60) == reference.add_working_minutes(
            start, hours_open * 60
        )


def test_a_spell_crossing_many_years_adds_each_year_whole():
    """Ten years of working time agree with the walk: every year between is counted once."""
    start = datetime(2024, 3, 4, 8, tzinfo=OFFICE.tz)
    end = datetime(2034, 3, 4, 8, tzinfo=OFFICE.tz)
    reference = reference_of(OFFICE)
    minutes = OFFICE.working_minutes_between(start, end)
    assert minutes == reference.working_minutes_between(start, end)
    assert OFFICE.add_working_minutes(start, minutes) == reference.add_working_minutes(
        start, minutes
    )
    assert OFFICE.add_working_days(start, 2500) == reference.add_working_days(start, 2500)


def test_a_calendar_with_other_days_off_has_its_own_tables():
    """Replacing the days off after the tables were built answers with the new days off."""
    start = datetime(2026, 1, 5, 8, tzinfo=OFFICE.tz)
    end = datetime(2026, 1, 9, 8, tzinfo=OFFICE.tz)
    before = OFFICE.working_minutes_between(start, end)
    # Wednesday 7 January 2026, a full working day of 480 minutes.
    extra_day_off = OFFICE.with_holidays(OFFICE.holidays | {date(2026, 1, 7)})
    assert extra_day_off.working_minutes_between(start, end) == before - 480
    assert OFFICE.working_minutes_between(start, end) == before
    assert extra_day_off != OFFICE


def test_the_tables_are_not_part_of_the_calendars_value():
    """A calendar that has answered equals, and hashes as, one that has not."""
    fresh = office_in("Asia/Jakarta")
    used = office_in("Asia/Jakarta")
    used.working_minutes_between(
        datetime(2026, 1, 5, tzinfo=used.tz), datetime(2027, 1, 5, tzinfo=used.tz)
    )
    assert used == fresh
    assert hash(used) == hash(fresh)
    assert repr(used) == repr(fresh)
