"""Implausible values: figures that are allowed, but that a reviewer should look at before
they reach a signed report (a typo giving 4.000 %, a negative capaian).

The one place of the rule and its thresholds: the indicator page warns beside what is typed
with it, and the recap and the draft report list the flagged rows for the reviewers
("Catatan untuk pemeriksa"). A flag never refuses a value: a realisation can truly be far
above its target; the flag asks someone to check it.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from app.rendering.format import format_number, format_percent

# A capaian above this (%) is flagged: the default scale's top band starts at 91, so a
# capaian of 150 % or more usually means a wrong target or a mistyped realisation.
MAX_PLAUSIBLE_ACHIEVEMENT = Decimal(150)
# A capaian below this (%) is flagged: only a negative indicator whose realisation passed
# twice its target gets there.
MIN_PLAUSIBLE_ACHIEVEMENT = Decimal(0)
# A realisation more than this many times its target is flagged, whatever the polarity.
MAX_REALIZATION_TO_TARGET = Decimal(3)


@dataclass(frozen=True)
class Flag:
    """One reason a row's figures look implausible: a stable code and the sentence a page or
    a report prints (Bahasa Indonesia, as every page)."""

    code: str  # achievement_above, achievement_below, realization_far_above_target
    message: str


def thresholds() -> dict[str, str]:
    """The thresholds as plain numbers, for a page to show or carry (e.g. a data attribute)."""
    return {
        "max_achievement": str(MAX_PLAUSIBLE_ACHIEVEMENT),
        "min_achievement": str(MIN_PLAUSIBLE_ACHIEVEMENT),
        "max_ratio": str(MAX_REALIZATION_TO_TARGET),
    }


def implausibilities(
    target: Decimal | None, realization: Decimal | None, achievement: Decimal | None
) -> list[Flag]:
    """Say what is implausible about a row's target, realisation and capaian (empty when
    nothing is, or when the row is not measurable)."""
    flags = []
    if achievement is not None and achievement > MAX_PLAUSIBLE_ACHIEVEMENT:
        flags.append(
            Flag(
                "achievement_above",
                f"Capaian {format_percent(achievement)}\u00a0% di atas "
                f"{format_number(MAX_PLAUSIBLE_ACHIEVEMENT)}\u00a0%: periksa target dan realisasi.",
            )
        )
    if achievement is not None and achievement < MIN_PLAUSIBLE_ACHIEVEMENT:
        flags.append(
            Flag(
                "achievement_below",
                f"Capaian {format_percent(achievement)}\u00a0% di bawah "
                f"{format_number(MIN_PLAUSIBLE_ACHIEVEMENT)}\u00a0%: periksa realisasi.",
            )
        )
    if (
        target is not None
        and realization is not None
        and target > 0
        and realization > MAX_REALIZATION_TO_TARGET * target
    ):
        flags.append(
            Flag(
                "realization_far_above_target",
                f"Realisasi {format_number(realization)} lebih dari "
                f"{format_number(MAX_REALIZATION_TO_TARGET)} kali target "
                f"{format_number(target)}.",
            )
        )
    return flags


@dataclass(frozen=True)
class FlaggedRow:
    """A worksheet row with what is implausible about it, and its section."""

    section: str
    code: str
    name: str
    target: Decimal | None
    realization: Decimal | None
    achievement: Decimal | None
    flags: list[Flag]


def flagged_rows(sections: Iterable) -> list[FlaggedRow]:
    """List the rows of these section sheets whose figures look implausible, in the sheet's
    order."""
    flagged = []
    for section in sections:
        for row in section.rows:
            value = row.achievement.value
            flags = implausibilities(row.target, row.realization, value)
            if flags:
                flagged.append(
                    FlaggedRow(
                        section.name,
                        row.code,
                        row.name,
                        row.target,
                        row.realization,
                        value,
                        flags,
                    )
                )
    return flagged
