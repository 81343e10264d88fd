"""How far a task has used its mutu baku: the one rule every place that colours time uses."""

from typing import Literal

# Share of the standard after which an open task is "near" its limit (amber on the board,
# the timeline and the charts; reminders go out at this point too).
NEAR_LIMIT_SHARE = 0.75

TimeState = Literal["ok", "near", "late"]


def used_share(working_minutes: int, standard_minutes: int) -> float:
    """How much of the standard is used, 0..1 (capped: a late task is simply full)."""
    if standard_minutes <= 0:
        return 1.0
    return min(1.0, working_minutes / standard_minutes)


def is_near_limit(working_minutes: int, standard_minutes: int) -> bool:
    """Tell whether a task has used at least NEAR_LIMIT_SHARE of its standard."""
    return standard_minutes > 0 and working_minutes >= NEAR_LIMIT_SHARE * standard_minutes


def time_state(working_minutes: int, standard_minutes: int, *, late: bool) -> TimeState:
    """ "late" when past its due time, "near" from NEAR_LIMIT_SHARE of the standard, else "ok"."""
    if late:
        return "late"
    return "near" if is_near_limit(working_minutes, standard_minutes) else "ok"
