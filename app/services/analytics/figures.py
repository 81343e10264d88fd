"""The figures the analytics answer: per step, per actor role, per measurement, per quarter."""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from app.services.sop_definitions import Standard

MEDIAN, P90 = 50, 90


def nearest_rank(sorted_values: Sequence[int], percent: int) -> int | None:
    """The nearest-rank percentile of ascending `sorted_values`: the value at rank
    ceil(percent / 100 × n) (the same rank the SQL takes); None for no values."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(percent * len(sorted_values) / 100))
    return sorted_values[rank - 1]


def compliance(on_time: int, closed: int) -> Decimal | None:
    """on time / closed × 100 with one decimal (half up); None when nothing closed."""
    if not closed:
        return None
    return (Decimal(on_time) * 100 / Decimal(closed)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def ratio(count: int, of: int, places: str = "0.01") -> Decimal | None:
    """count / of with two decimals; None for nothing to divide by."""
    if not of:
        return None
    return (Decimal(count) / Decimal(of)).quantize(Decimal(places), ROUND_HALF_UP)


@dataclass(frozen=True)
class Counts:
    """What a group of closed tasks adds up to."""

    tasks: int = 0
    on_time: int = 0
    late: int = 0
    returns: int = 0
    median_working_minutes: int | None = None
    p90_working_minutes: int | None = None

    @property
    def compliance(self) -> Decimal | None:
        return compliance(self.on_time, self.tasks)


@dataclass(frozen=True)
class StepFigures(Counts):
    """One step of the SOP: its closed tasks against its mutu baku."""

    step_no: int = 0
    step_name: str = ""
    actors: tuple[str, ...] = ()
    actor_names: tuple[str, ...] = ()
    standard_minutes: int = 0
    standard: Standard | None = None
    is_decision: bool = False

    @property
    def over_standard(self) -> Decimal | None:
        """The median as a share of the standard (1 = exactly on it)."""
        if self.median_working_minutes is None or not self.standard_minutes:
            return None
        return ratio(self.median_working_minutes, self.standard_minutes)


@dataclass(frozen=True)
class RoleFigures(Counts):
    """One actor role (the board's lane): the closed tasks of the steps in its lane."""

    role: str = ""
    role_name: str = ""
    steps: tuple[int, ...] = ()


@dataclass(frozen=True)
class Measurement:
    """One measurement of the scope: its cycle time (when completed) and rounds of correction."""

    instance_id: int
    title: str
    period: str
    status: str
    quarter: str
    started_at: datetime
    completed_at: datetime | None
    cycle_working_minutes: int | None
    returns: int


@dataclass(frozen=True)
class InstanceFigures:
    """The measurements of a scope (or of one quarter of it) taken together."""

    measurements: int
    completed: int
    median_cycle_working_minutes: int | None
    returns_per_instance: Decimal | None


@dataclass(frozen=True)
class QuarterFigures:
    """One quarter of the trend: the quarter's measurements and their steps."""

    quarter: str
    instances: InstanceFigures
    totals: Counts
    steps: list[StepFigures] = field(default_factory=list)
    roles: list[RoleFigures] = field(default_factory=list)


@dataclass(frozen=True)
class Analytics:
    """Everything the Kinerja SOP page, the API and the files show."""

    sop: str
    sop_title: str
    steps: list[StepFigures]
    roles: list[RoleFigures]
    instances: InstanceFigures
    measurements: list[Measurement]
    trend: list[QuarterFigures]

    @property
    def is_empty(self) -> bool:
        return not self.measurements

    @property
    def slowest_step(self) -> StepFigures | None:
        """The step whose median runs furthest over its standard (only one that runs over)."""
        over = [s for s in self.steps if s.over_standard is not None and s.over_standard > 1]
        return max(over, key=lambda s: (s.over_standard, -s.step_no), default=None)
