"""Tests for the office working-time calendar (app/services/calendar.py)."""

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.services.calendar import (
    CalendarFileError,
    Holiday,
    WorkingCalendar,
    default_calendar_path,
    load_calendar,
)

JAKARTA = ZoneInfo("Asia/Jakarta")
OFFICE, SHIPPED_YEARS = load_calendar(default_calendar_path())
SHIPPED_HOLIDAYS = [
    holiday for year in SHIPPED_YEARS if year.year == 2026 for holiday in year.holidays
]


def wib(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """Build an aware datetime in Asia/Jakarta (WIB)."""
    return datetime(year, month, day, hour, minute, tzinfo=JAKARTA)


# Reference week, January 2026: Mon 5, Tue 6, Wed 7, Thu 8, Fri 9, Sat 10, Sun 11.


# --- working_minutes_between -------------------------------------------------------------


def test_full_monday_is_480_minutes():
    """A whole Monday holds 480 working minutes."""
    assert OFFICE.working_minutes_between(wib(2026, 1, 5, 7, 30), wib(2026, 1, 5, 16)) == 480
    assert OFFICE.working_minutes_between(wib(2026, 1, 5), wib(2026, 1, 6)) == 480


def test_full_friday_is_330_minutes():
    """A whole Friday holds 330 working minutes."""
    assert OFFICE.working_minutes_between(wib(2026, 1, 9), wib(2026, 1, 10)) == 330


def test_full_week_is_37_and_a_half_hours():
    """A week without holidays holds 37.5 working hours."""
    assert OFFICE.working_minutes_between(wib(2026, 1, 5), wib(2026, 1, 12)) == 37 * 60 + 30


def test_lunch_break_is_not_working_time():
    """Monday 11:00 to 13:00 counts 90 minutes: the 12:00-12:30 break is excluded."""
    assert OFFICE.working_minutes_between(wib(2026, 1, 5, 11), wib(2026, 1, 5, 13)) == 90


def test_friday_break_is_not_working_time():
    """Friday 11:00 to 13:30 counts 60 minutes: the 11:30-13:00 break is excluded."""
    assert OFFICE.working_minutes_between(wib(2026, 1, 9, 11), wib(2026, 1, 9, 13, 30)) == 60
    assert OFFICE.working_minutes_between(wib(2026, 1, 9, 11, 30), wib(2026, 1, 9, 13)) == 0


def test_weekend_is_not_working_time():
    """Saturday and Sunday count nothing; Friday 14:00 to Monday 08:00 counts 60 minutes."""
    assert OFFICE.working_minutes_between(wib(2026, 1, 10), wib(2026, 1, 12)) == 0
    assert OFFICE.working_minutes_between(wib(2026, 1, 9, 14), wib(2026, 1, 12, 8)) == 60


def test_time_before_opening_and_after_closing_is_not_counted():
    """Minutes before 07:30 and after 16:00 are not working time."""
    assert OFFICE.working_minutes_between(wib(2026, 1, 5, 6), wib(2026, 1, 5, 8)) == 30
    assert OFFICE.working_minutes_between(wib(2026, 1, 5, 17), wib(2026, 1, 6, 8)) == 30


def test_end_not_after_start_counts_zero():
    """An empty or reversed span counts zero working time."""
    assert OFFICE.working_minutes_between(wib(2026, 1, 5, 10), wib(2026, 1, 5, 10)) == 0
    assert OFFICE.working_minutes_between(wib(2026, 1, 5, 11), wib(2026, 1, 5, 10)) == 0
    assert OFFICE.working_seconds_between(wib(2026, 1, 5, 11), wib(2026, 1, 5, 10)) == 0.0


def test_partial_minutes_are_floored():
    """Working seconds are exact; working minutes are whole minutes, rounded down."""
    start = wib(2026, 1, 5, 10)
    end = start + timedelta(minutes=2, seconds=59)
    assert OFFICE.working_seconds_between(start, end) == 179.0
    assert OFFICE.working_minutes_between(start, end) == 2


def test_idulfitri_holiday_run_is_not_working_time():
    """From Tue 17 Mar 2026 15:00 to Wed 25 Mar 08:30 only 120 minutes are worked."""
    # 17 Mar 15:00-16:00 = 60; 18 Mar cuti (Nyepi), 19 Nyepi, 20 cuti, 21-22 Idulfitri
    # (also a weekend), 23-24 cuti; 25 Mar 07:30-08:30 = 60.
    assert OFFICE.working_minutes_between(wib(2026, 3, 17, 15), wib(2026, 3, 25, 8, 30)) == 120


def test_span_across_new_year_skips_the_holiday():
    """Wed 31 Dec 2025 15:00 to Fri 2 Jan 2026 08:30 counts 120 minutes (1 Jan is a holiday)."""
    start, end = wib(2025, 12, 31, 15), wib(2026, 1, 2, 8, 30)
    assert OFFICE.working_minutes_between(start, end) == 120


def test_inputs_in_utc_are_converted_to_office_time():
    """UTC instants are read in Asia/Jakarta: 00:30Z-09:00Z on a Monday is the full day."""
    start = datetime(2026, 1, 5, 0, 30, tzinfo=UTC)
    end = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    assert OFFICE.working_minutes_between(start, end) == 480
    # 23:00Z on Sunday is already 06:00 on Monday in Jakarta.
    assert OFFICE.working_minutes_between(datetime(2026, 1, 4, 23, tzinfo=UTC), end) == 480


def test_year_long_span_matches_the_sum_of_its_days():
    """A year of working time equals the sum of its days' working minutes."""
    midnights = [wib(2026, 1, 1) + timedelta(days=n) for n in range(366)]
    by_day = sum(map(OFFICE.working_minutes_between, midnights, midnights[1:]))
    assert OFFICE.working_minutes_between(midnights[0], midnights[-1]) == by_day
    # 2026 has 261 weekdays, 21 of them off (holiday or cuti bersama), so 240 worked.
    # Of its 52 Fridays 6 are off (16 Jan, 20 Mar, 3 Apr, 1 May, 15 May, 25 Dec): 46 worked.
    assert by_day == 46 * 330 + (240 - 46) * 480 == 108_300


def test_naive_datetimes_are_refused():
    """A naive datetime is refused, since its zone cannot be known."""
    with pytest.raises(ValueError, match="timezone-aware"):
        OFFICE.working_minutes_between(datetime(2026, 1, 5, 8), wib(2026, 1, 5, 9))


# --- next_working_moment -----------------------------------------------------------------


def test_next_working_moment_inside_a_period_is_itself():
    """An instant inside a working period is its own next working moment."""
    at = wib(2026, 1, 5, 10, 15)
    assert OFFICE.next_working_moment(at) == at


def test_next_working_moment_at_a_period_end_is_the_next_period():
    """An instant exactly at a period's end is not working: the next period starts it."""
    assert OFFICE.next_working_moment(wib(2026, 1, 5, 12)) == wib(2026, 1, 5, 12, 30)
    assert OFFICE.next_working_moment(wib(2026, 1, 9, 14, 30)) == wib(2026, 1, 12, 7, 30)


def test_next_working_moment_before_opening_is_the_opening():
    """Before 07:30 the next working moment is the day's opening."""
    assert OFFICE.next_working_moment(wib(2026, 1, 5, 6)) == wib(2026, 1, 5, 7, 30)


def test_next_working_moment_skips_holidays():
    """From Nyepi's cuti bersama the next working moment is Wed 25 Mar 2026 07:30."""
    assert OFFICE.next_working_moment(wib(2026, 3, 18, 9)) == wib(2026, 3, 25, 7, 30)


def test_next_working_moment_is_in_office_time():
    """The answer to a UTC instant is expressed in Asia/Jakarta."""
    moment = OFFICE.next_working_moment(datetime(2026, 1, 5, 3, tzinfo=UTC))
    assert moment.tzinfo == JAKARTA
    assert moment == wib(2026, 1, 5, 10)


# --- add_working_minutes -----------------------------------------------------------------


def test_minutes_reached_at_noon_end_at_noon():
    """Monday 11:45 plus 15 working minutes is 12:00, not 12:30."""
    assert OFFICE.add_working_minutes(wib(2026, 1, 5, 11, 45), 15) == wib(2026, 1, 5, 12)


def test_minutes_reached_at_friday_break_end_at_the_break():
    """Friday 11:00 plus 30 working minutes is 11:30; one more minute is 13:01."""
    assert OFFICE.add_working_minutes(wib(2026, 1, 9, 11), 30) == wib(2026, 1, 9, 11, 30)
    assert OFFICE.add_working_minutes(wib(2026, 1, 9, 11), 31) == wib(2026, 1, 9, 13, 1)


def test_minutes_standard_runs_over_the_weekend():
    """Friday 14:00 plus 60 working minutes is Monday 08:00."""
    assert OFFICE.add_working_minutes(wib(2026, 1, 9, 14), 60) == wib(2026, 1, 12, 8)


def test_minutes_from_a_break_count_from_its_end():
    """A start inside the lunch break counts from 12:30."""
    assert OFFICE.add_working_minutes(wib(2026, 1, 5, 12, 10), 30) == wib(2026, 1, 5, 13)


def test_zero_minutes_is_the_start():
    """Adding zero working minutes answers the start itself, even outside working hours."""
    start = wib(2026, 1, 10, 9)
    assert OFFICE.add_working_minutes(start, 0) == start


def test_minutes_over_the_idulfitri_holidays():
    """Tue 17 Mar 2026 15:00 plus 120 working minutes is Wed 25 Mar 08:30."""
    assert OFFICE.add_working_minutes(wib(2026, 3, 17, 15), 120) == wib(2026, 3, 25, 8, 30)


def test_minutes_from_the_nyepi_cuti_bersama_start_after_the_holidays():
    """Wed 18 Mar 2026 is cuti bersama, so 15:00 plus 120 minutes is Wed 25 Mar 09:30."""
    # Were 18 Mar a working day, 15:00-16:00 would count and the answer would be 08:30.
    assert OFFICE.add_working_minutes(wib(2026, 3, 18, 15), 120) == wib(2026, 3, 25, 9, 30)


def test_minutes_across_new_year():
    """Wed 31 Dec 2025 15:00 plus 120 working minutes is Fri 2 Jan 2026 08:30."""
    assert OFFICE.add_working_minutes(wib(2025, 12, 31, 15), 120) == wib(2026, 1, 2, 8, 30)


def test_added_minutes_from_utc_answer_in_office_time():
    """A UTC start yields a due time expressed in Asia/Jakarta."""
    due = OFFICE.add_working_minutes(datetime(2026, 1, 5, 4, 45, tzinfo=UTC), 15)
    assert due.tzinfo == JAKARTA
    assert (due.hour, due.minute) == (12, 0)


def test_negative_minutes_are_refused():
    """A negative number of minutes is refused."""
    with pytest.raises(ValueError, match="negative"):
        OFFICE.add_working_minutes(wib(2026, 1, 5, 10), -1)


# --- add_working_days --------------------------------------------------------------------


def test_one_day_is_the_same_clock_time_next_working_day():
    """One working day from Monday 10:00 is Tuesday 10:00."""
    assert OFFICE.add_working_days(wib(2026, 1, 5, 10), 1) == wib(2026, 1, 6, 10)


def test_day_due_past_closing_is_clamped_to_closing():
    """One working day from Thursday 15:30 is Friday's closing, 14:30."""
    assert OFFICE.add_working_days(wib(2026, 1, 8, 15, 30), 1) == wib(2026, 1, 9, 14, 30)


def test_day_due_inside_a_break_snaps_back_to_the_period_end():
    """From Thursday 12:10 (lunch) counting starts 12:30; Friday 12:30 is a break, so 11:30."""
    assert OFFICE.add_working_days(wib(2026, 1, 8, 12, 10), 1) == wib(2026, 1, 9, 11, 30)


def test_day_standard_runs_over_the_weekend():
    """One working day from Friday 14:00 is Monday 14:00."""
    assert OFFICE.add_working_days(wib(2026, 1, 9, 14), 1) == wib(2026, 1, 12, 14)


def test_day_standard_from_saturday_counts_from_monday_opening():
    """One working day from Saturday counts from Monday 07:30 and is due Tuesday 07:30."""
    assert OFFICE.add_working_days(wib(2026, 1, 10, 10), 1) == wib(2026, 1, 13, 7, 30)


def test_day_standard_after_closing_counts_from_next_opening():
    """One working day from Monday 17:00 counts from Tuesday 07:30 and is due Wednesday 07:30."""
    assert OFFICE.add_working_days(wib(2026, 1, 5, 17), 1) == wib(2026, 1, 7, 7, 30)


def test_day_standard_skips_holidays():
    """Two working days from Tue 12 May 2026 10:00 skip Kenaikan and its cuti: Mon 18 May."""
    # Wed 13 May is day 1; Thu 14 (holiday), Fri 15 (cuti), Sat, Sun are skipped.
    assert OFFICE.add_working_days(wib(2026, 5, 12, 10), 2) == wib(2026, 5, 18, 10)


def test_day_standard_over_good_friday():
    """One working day from Thu 2 Apr 2026 15:00 skips Wafat Yesus Kristus: Mon 6 Apr 15:00."""
    assert OFFICE.add_working_days(wib(2026, 4, 2, 15), 1) == wib(2026, 4, 6, 15)


def test_zero_days_is_the_next_working_moment():
    """Zero working days answers the moment counting starts."""
    assert OFFICE.add_working_days(wib(2026, 1, 5, 10), 0) == wib(2026, 1, 5, 10)
    assert OFFICE.add_working_days(wib(2026, 1, 10, 10), 0) == wib(2026, 1, 12, 7, 30)


def test_negative_days_are_refused():
    """A negative number of days is refused."""
    with pytest.raises(ValueError, match="negative"):
        OFFICE.add_working_days(wib(2026, 1, 5, 10), -2)


# --- due_at ------------------------------------------------------------------------------


def test_due_at_dispatches_on_the_unit():
    """A minute standard adds working minutes; a day standard adds working days."""
    start = wib(2026, 1, 8, 15, 30)
    assert OFFICE.due_at(start, 60, "minute") == wib(2026, 1, 9, 8)
    assert OFFICE.due_at(start, 1, "day") == wib(2026, 1, 9, 14, 30)


def test_due_at_refuses_an_unknown_unit():
    """An unknown unit is refused with an error naming it."""
    with pytest.raises(ValueError, match="'hour'"):
        OFFICE.due_at(wib(2026, 1, 5, 10), 2, "hour")


# --- calendar structure ------------------------------------------------------------------


def test_weekends_and_holidays_are_not_working_days():
    """Saturday, Sunday, a holiday and a cuti bersama are not working days; a Wednesday is."""
    assert not OFFICE.is_working_day(date(2026, 1, 10))
    assert not OFFICE.is_working_day(date(2026, 1, 11))
    assert not OFFICE.is_working_day(date(2026, 3, 19))
    assert not OFFICE.is_working_day(date(2026, 2, 16))
    assert OFFICE.is_working_day(date(2026, 2, 18))


def test_periods_on_a_friday_are_aware_and_in_office_time():
    """Friday has two periods, 07:30-11:30 and 13:00-14:30, in Asia/Jakarta."""
    assert OFFICE.periods_on(date(2026, 1, 9)) == [
        (wib(2026, 1, 9, 7, 30), wib(2026, 1, 9, 11, 30)),
        (wib(2026, 1, 9, 13), wib(2026, 1, 9, 14, 30)),
    ]
    assert all(start.tzinfo == JAKARTA for start, _ in OFFICE.periods_on(date(2026, 1, 9)))


def test_periods_on_a_holiday_are_empty():
    """A holiday has no working periods."""
    assert OFFICE.periods_on(date(2026, 8, 17)) == []


def test_with_holidays_replaces_the_list():
    """Replacing the holiday list changes which days are worked, leaving the original alone."""
    replaced = OFFICE.with_holidays([date(2026, 1, 5)])
    assert not replaced.is_working_day(date(2026, 1, 5))
    assert replaced.is_working_day(date(2026, 3, 19))
    assert OFFICE.is_working_day(date(2026, 1, 5))
    assert not OFFICE.is_working_day(date(2026, 3, 19))


def test_calendar_refuses_overlapping_or_empty_periods():
    """A calendar with an empty, overlapping or absent period is refused."""
    with pytest.raises(ValueError, match="empty"):
        WorkingCalendar(JAKARTA, {0: ((time(9), time(8)),)}, frozenset())
    with pytest.raises(ValueError, match="overlap"):
        WorkingCalendar(JAKARTA, {0: ((time(8), time(10)), (time(9), time(11)))}, frozenset())
    with pytest.raises(ValueError, match="at least one"):
        WorkingCalendar(JAKARTA, {5: ()}, frozenset())


# --- load_calendar -----------------------------------------------------------------------


def test_shipped_calendar_loads():
    """The shipped file's 2026 holds 17 national holidays and 8 cuti bersama days in
    Asia/Jakarta."""
    assert OFFICE.tz == JAKARTA
    assert len(SHIPPED_HOLIDAYS) == 25
    kinds = [holiday.kind for holiday in SHIPPED_HOLIDAYS]
    assert kinds.count("libur_nasional") == 17
    assert kinds.count("cuti_bersama") == 8
    nyepi_cuti = Holiday(
        date(2026, 3, 18), "Cuti Bersama Hari Suci Nyepi Tahun Baru Saka 1948", "cuti_bersama"
    )
    assert nyepi_cuti in SHIPPED_HOLIDAYS
    assert {day for day in OFFICE.holidays if day.year == 2026} == {
        holiday.day for holiday in SHIPPED_HOLIDAYS
    }
    assert [h.day for h in SHIPPED_HOLIDAYS] == sorted(h.day for h in SHIPPED_HOLIDAYS)


def test_default_calendar_path_points_to_the_shipped_file():
    """The default path names the Purbalingga calendar inside the app package."""
    path = default_calendar_path()
    assert path.name == "calendar-purbalingga.yaml"
    assert path.is_file()


VALID_HOURS = """\
timezone: Asia/Jakarta
working_hours:
  monday: [07:30-12:00, 12:30-16:00]
  friday: [07:30-11:30, 13:00-14:30]
"""


YEAR = "years:\n  2026:\n    source: SKB 2026\n    holidays:\n"


def write_calendar(tmp_path: Path, text: str) -> Path:
    """Write a calendar file and return its path."""
    path = tmp_path / "calendar-test.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_minimal_calendar_file_loads(tmp_path):
    """A file without holidays loads, and absent weekdays have no working time."""
    calendar, years = load_calendar(write_calendar(tmp_path, VALID_HOURS))
    assert years == []
    assert calendar.known_years == frozenset()
    assert calendar.is_working_day(date(2026, 1, 5))
    assert not calendar.is_working_day(date(2026, 1, 6))


@pytest.mark.parametrize(
    ("text", "field", "detail"),
    [
        (VALID_HOURS.replace("16:00", "25:00"), "working_hours.monday[1]", "25:00"),
        (VALID_HOURS.replace("12:30-16:00", "16:00-12:30"), "working_hours.monday[1]", "before"),
        (VALID_HOURS.replace("12:30-16:00", "11:00-16:00"), "working_hours.monday", "overlap"),
        (VALID_HOURS.replace("monday", "funday"), "working_hours.funday", "unknown weekday"),
        (VALID_HOURS.replace("12:30-16:00", "noon"), "working_hours.monday[1]", "HH:MM-HH:MM"),
        (VALID_HOURS.replace("Asia/Jakarta", "Asia/Atlantis"), "timezone", "Asia/Atlantis"),
        (VALID_HOURS + "holidays: []\n", "holidays", "unknown key"),
        (
            VALID_HOURS + YEAR + "      - {date: 2026-02-30, kind: cuti_bersama, name: X}\n",
            "years.2026.holidays[0].date",
            "2026-02-30",
        ),
        (
            VALID_HOURS + YEAR + "      - {date: 2026-01-01, kind: libur, name: X}\n",
            "years.2026.holidays[0].kind",
            "libur",
        ),
        (
            VALID_HOURS + YEAR + "      - {date: 2026-01-01, kind: cuti_bersama}\n",
            "years.2026.holidays[0].name",
            "name",
        ),
        (
            VALID_HOURS + YEAR + "      - {date: 2027-01-01, kind: cuti_bersama, name: X}\n",
            "years.2026.holidays[0].date",
            "not in 2026",
        ),
        (
            VALID_HOURS + YEAR + "      - {date: 2026-01-01, kind: cuti_bersama, name: X}\n" * 2,
            "years.2026.holidays[1].date",
            "twice",
        ),
        (
            VALID_HOURS + YEAR + "      - {date: 2026-01-01, kind: cuti_bersama, name: X, "
            "estimated: maybe}\n",
            "years.2026.holidays[0].estimated",
            "true or false",
        ),
        (VALID_HOURS + "years:\n  2026: {holidays: []}\n", "years.2026.source", "source"),
        (VALID_HOURS + "years:\n  1999: {source: X}\n", "years.1999", "2000 to 2100"),
        ("timezone: Asia/Jakarta\nworking_hours: {saturday: []}\n", "working_hours", "no working"),
        ("- just a list\n", "(top level)", "mapping"),
        ("timezone: [unclosed\n", "not valid YAML", "YAML"),
    ],
)
def test_bad_calendar_file_names_the_file_and_field(tmp_path, text, field, detail):
    """An invalid calendar file raises an error naming the file and the bad field."""
    path = write_calendar(tmp_path, text)
    with pytest.raises(CalendarFileError) as caught:
        load_calendar(path)
    message = str(caught.value)
    assert str(path) in message
    assert field in message
    assert detail in message


def test_missing_calendar_file_names_the_file(tmp_path):
    """A missing calendar file raises an error naming it."""
    path = tmp_path / "nowhere.yaml"
    with pytest.raises(CalendarFileError, match="nowhere.yaml"):
        load_calendar(path)


def test_calendar_file_error_is_a_value_error():
    """Callers catching ValueError also catch calendar file errors."""
    assert issubclass(CalendarFileError, ValueError)


# --- properties --------------------------------------------------------------------------

instants = st.datetimes(
    min_value=datetime(2025, 12, 1), max_value=datetime(2027, 1, 31), timezones=st.just(UTC)
)
whole_second_instants = instants.map(lambda moment: moment.replace(microsecond=0))


@settings(database=None, deadline=None)
@given(start=instants, minutes=st.integers(min_value=0, max_value=5_000))
def test_added_minutes_are_counted_back_exactly(start, minutes):
    """Counting working minutes up to start + m working minutes gives back m."""
    moment = OFFICE.next_working_moment(start)
    due = OFFICE.add_working_minutes(moment, minutes)
    assert due >= moment
    assert OFFICE.working_minutes_between(moment, due) == minutes
    assert OFFICE.working_minutes_between(start, OFFICE.add_working_minutes(start, minutes)) == (
        minutes
    )


@settings(database=None, deadline=None)
@given(moments=st.lists(whole_second_instants, min_size=3, max_size=3).map(sorted))
def test_working_time_is_additive(moments):
    """Working time from a to b plus b to c equals working time from a to c."""
    a, b, c = moments
    total = OFFICE.working_seconds_between(a, c)
    assert OFFICE.working_seconds_between(a, b) + OFFICE.working_seconds_between(b, c) == total


@settings(database=None, deadline=None)
@given(start=instants, days=st.integers(min_value=1, max_value=30))
def test_day_standard_lands_within_working_hours_of_a_working_day(start, days):
    """A day standard is due within the opening hours of a working day, after the start."""
    due = OFFICE.add_working_days(start, days)
    assert due.tzinfo == JAKARTA
    assert due > start
    periods = OFFICE.periods_on(due.date())
    assert periods, "due on a non-working day"
    assert any(period_start <= due <= period_end for period_start, period_end in periods)
    counted = OFFICE.next_working_moment(start).date()
    working_days = [
        counted + timedelta(days=n)
        for n in range(1, (due.date() - counted).days + 1)
        if OFFICE.is_working_day(counted + timedelta(days=n))
    ]
    assert len(working_days) == days


# --- years without a list ----------------------------------------------------------------


def test_unknown_years_are_those_without_a_list():
    """A span reaching past the shipped years names each year the calendar has no list for."""
    last_known = max(OFFICE.known_years)
    assert OFFICE.unknown_years(wib(2026, 3, 2, 8), wib(2026, 3, 9, 8)) == ()
    assert OFFICE.unknown_years(wib(last_known, 12, 30, 8), wib(last_known + 2, 1, 4, 8)) == (
        last_known + 1,
        last_known + 2,
    )


def test_a_calendar_without_known_years_warns_of_none():
    """A calendar built without known years (tests, the pure arithmetic) never warns."""
    calendar = WorkingCalendar(JAKARTA, OFFICE.periods, frozenset())
    assert calendar.unknown_years(wib(2031, 1, 1), wib(2032, 1, 1)) == ()


def test_working_days_in_2026_count_the_days_off():
    """2026 has 261 weekdays; 21 of its days off fall on one, so 240 are worked."""
    assert OFFICE.working_days_in(2026) == 240


def test_shipped_2027_marks_the_estimated_dates():
    """2027's Idulfitri and Iduladha dates wait on the moon: the file marks them estimated."""
    year_2027 = next(year for year in SHIPPED_YEARS if year.year == 2027)
    estimated = {holiday.day for holiday in year_2027.holidays if holiday.estimated}
    assert estimated == {date(2027, 3, 10), date(2027, 3, 11), date(2027, 5, 17)}
    assert "2027" in year_2027.source
