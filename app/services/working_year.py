"""One calendar year of office working time as sorted arrays, so that the clock answers in
time independent of a span's length: working time up to a moment, and the moment a count
of working time is reached, are each one binary search instead of a walk over the days.

Instants are whole microseconds since the Unix epoch (UTC): a timedelta's own resolution,
so the arithmetic is exact and agrees with datetime arithmetic to the microsecond.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import accumulate

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def to_us(moment: datetime) -> int:
    """Answer an aware datetime as microseconds since the epoch."""
    return (moment - EPOCH) // MICROSECOND


def from_us(instant: int) -> datetime:
    """Answer microseconds since the epoch as an aware UTC datetime."""
    return EPOCH + timedelta(microseconds=instant)


@dataclass(frozen=True)
class WorkingYear:
    """A year's working periods in UTC, each with the working time of the year before it.

    `regular` is False when a period of the year starts or ends at a clock time that a
    daylight-saving change skips or repeats: such a year's periods may overlap or run
    backwards in UTC, and the calendar answers there by walking its days instead.
    """

    year: int
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    # Working microseconds of the year before each period starts, and when it ends.
    before: tuple[int, ...]
    until: tuple[int, ...]
    # The proleptic ordinals of the year's working days, in order.
    working_days: tuple[int, ...]
    regular: bool

    @classmethod
    def of(
        cls,
        year: int,
        starts: list[int],
        ends: list[int],
        working_days: list[int],
        unambiguous: bool,
    ) -> WorkingYear:
        """Build the year from its periods in order; check that they follow one another."""
        ordered = all(start < end for start, end in zip(starts, ends, strict=True)) and all(
            end <= following for end, following in zip(ends, starts[1:], strict=False)
        )
        lengths = [end - start for start, end in zip(starts, ends, strict=True)]
        until = tuple(accumulate(lengths))
        before = tuple(done - length for done, length in zip(until, lengths, strict=True))
        return cls(
            year,
            tuple(starts),
            tuple(ends),
            before,
            until,
            tuple(working_days),
            unambiguous and ordered,
        )

    @property
    def total(self) -> int:
        """The year's working microseconds."""
        return self.until[-1] if self.until else 0

    def worked_until(self, instant: int) -> int:
        """Working microseconds of the year before `instant`."""
        index = bisect_right(self.starts, instant) - 1
        if index < 0:
            return 0
        return self.before[index] + min(instant, self.ends[index]) - self.starts[index]

    def moment_worked(self, worked: int) -> int:
        """The first instant by which `worked` (0 < worked <= total) microseconds of the
        year's working time have passed: a count reached at a period's end is that end."""
        index = bisect_left(self.until, worked)
        return self.starts[index] + worked - self.before[index]

    def next_period(self, instant: int) -> int | None:
        """The index of the first period that ends after `instant`, or None."""
        index = bisect_right(self.ends, instant)
        return index if index < len(self.ends) else None

    def working_days_through(self, ordinal: int) -> int:
        """How many of the year's working days fall on or before the day `ordinal`."""
        return bisect_right(self.working_days, ordinal)
