"""Benchmark the working-time clock: a task open 365 days against one open 1 day.

Times `WorkingCalendar.working_minutes_between` on the shipped Purbalingga calendar (2026
days off, Asia/Jakarta) for a task opened on Monday 2 March 2026 at 08:00 and looked at 1 day
and 365 days later, and `due_at` for a 1-day and a 250-day standard from the same start. The
baseline is the 1-day call. The figures are the steady state: the calendar keeps a table per
year, built by the first call that needs it, so every timed call comes after one untimed
call; the cost of that first call on a fresh calendar (building two years' tables) is
reported apart, as is the day-by-day walk the tables replaced (tests/calendar_reference.py),
timed in the same run. The last line is one JSON object of the figures.

    .venv/bin/python bench/clock.py
    .venv/bin/python bench/clock.py --quick          # fewer rounds, as the suite runs it
"""

import argparse
import platform
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import print_figures  # noqa: E402

from app.services.calendar import WorkingCalendar, default_calendar_path, load_calendar  # noqa: E402
from tests.calendar_reference import WorkingCalendar as ReferenceCalendar  # noqa: E402

ROUNDS, QUICK_ROUNDS = 15, 3
CALLS, QUICK_CALLS = 2_000, 200
COLD_SAMPLES, QUICK_COLD_SAMPLES = 20, 3


def per_call_us(call, calls: int, rounds: int) -> float:
    """The median over `rounds` of the mean time of `calls` calls of `call()`, in µs."""
    call()
    means = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(calls):
            call()
        means.append((time.perf_counter() - started) / calls * 1e6)
    return statistics.median(means)


def first_call_us(calendar: WorkingCalendar, start: datetime, end: datetime, samples: int):
    """The median time of the first `working_minutes_between` on a fresh copy of `calendar`."""
    times = []
    for _ in range(samples):
        fresh = calendar.with_holidays(calendar.holidays)
        started = time.perf_counter()
        fresh.working_minutes_between(start, end)
        times.append((time.perf_counter() - started) * 1e6)
    return statistics.median(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds, as the tests do")
    args = parser.parse_args(argv)
    rounds = QUICK_ROUNDS if args.quick else ROUNDS
    calls = QUICK_CALLS if args.quick else CALLS
    cold_samples = QUICK_COLD_SAMPLES if args.quick else COLD_SAMPLES

    calendar, _ = load_calendar(default_calendar_path())
    walk = ReferenceCalendar(
        tz=calendar.tz,
        periods=dict(calendar.periods),
        holidays=calendar.holidays,
        known_years=calendar.known_years,
    )
    start = datetime(2026, 3, 2, 8, tzinfo=calendar.tz)
    day_later, year_later = start + timedelta(days=1), start + timedelta(days=365)

    figures = {
        "minutes_1_day_us": per_call_us(
            lambda: calendar.working_minutes_between(start, day_later), calls, rounds
        ),
        "minutes_365_days_us": per_call_us(
            lambda: calendar.working_minutes_between(start, year_later), calls, rounds
        ),
        "due_1_day_us": per_call_us(lambda: calendar.due_at(start, 1, "day"), calls, rounds),
        "due_250_days_us": per_call_us(lambda: calendar.due_at(start, 250, "day"), calls, rounds),
        "due_480_minutes_us": per_call_us(
            lambda: calendar.due_at(start, 480, "minute"), calls, rounds
        ),
        "due_120000_minutes_us": per_call_us(
            lambda: calendar.due_at(start, 120_000, "minute"), calls, rounds
        ),
        "cold_minutes_365_days_us": first_call_us(calendar, start, year_later, cold_samples),
        # The walk is slow by design: a tenth of the calls is plenty.
        "walk_1_day_us": per_call_us(
            lambda: walk.working_minutes_between(start, day_later), max(1, calls // 10), rounds
        ),
        "walk_365_days_us": per_call_us(
            lambda: walk.working_minutes_between(start, year_later), max(1, calls // 10), rounds
        ),
    }
    figures["ratio"] = figures["minutes_365_days_us"] / figures["minutes_1_day_us"]
    figures["ratio_due"] = figures["due_250_days_us"] / figures["due_1_day_us"]
    figures["ratio_due_minutes"] = figures["due_120000_minutes_us"] / figures["due_480_minutes_us"]
    figures["ratio_walk"] = figures["walk_365_days_us"] / figures["walk_1_day_us"]
    figures["speedup_365_days"] = figures["walk_365_days_us"] / figures["minutes_365_days_us"]

    print(f"Working-time clock, Purbalingga calendar, {platform.python_version()}, steady state")
    print(f"{'call':<44}{'µs per call':>14}")
    for name, value in figures.items():
        if name.endswith("_us"):
            print(f"{name:<44}{value:>14.2f}")
    print(
        f"ratio 365 days / 1 day {figures['ratio']:.2f}× (goal ≤ 10×); the walk's "
        f"{figures['ratio_walk']:.0f}×; due 250 days / 1 day {figures['ratio_due']:.2f}×"
    )
    print_figures(
        {
            "benchmark": "clock",
            "baseline": "working_minutes_between over 1 day (steady state)",
            "quick": args.quick,
            **figures,
        }
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
