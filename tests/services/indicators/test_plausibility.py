"""Tests for the implausible-values rule (app/services/indicators/plausibility.py)."""

from decimal import Decimal

import pytest

from app.services.indicators import plausibility
from app.services.indicators.plausibility import (
    MAX_PLAUSIBLE_ACHIEVEMENT,
    MAX_REALIZATION_TO_TARGET,
    MIN_PLAUSIBLE_ACHIEVEMENT,
    implausibilities,
)


def codes(target, realization, achievement) -> list[str]:
    def d(value):
        return None if value is None else Decimal(str(value))

    return [f.code for f in implausibilities(d(target), d(realization), d(achievement))]


def test_the_thresholds_are_the_issue_s():
    """Are the thresholds 150 %, 0 % and three times the target?"""
    assert MAX_PLAUSIBLE_ACHIEVEMENT == 150
    assert MIN_PLAUSIBLE_ACHIEVEMENT == 0
    assert MAX_REALIZATION_TO_TARGET == 3
    assert plausibility.thresholds() == {
        "max_achievement": "150",
        "min_achievement": "0",
        "max_ratio": "3",
    }


@pytest.mark.parametrize(
    ("target", "realization", "achievement", "expected"),
    [
        (100, 150, 150, []),  # on the threshold: plausible
        (100, 150.01, 150.01, ["achievement_above"]),
        (100, 0, 0, []),
        (10, 21, -10, ["achievement_below"]),  # negative polarity past twice its target
        (10, 30, -100, ["achievement_below"]),  # three times: not yet "more than three"
        (10, 30.01, -100.1, ["achievement_below", "realization_far_above_target"]),
        (6, 84.174, 1402.9, ["achievement_above", "realization_far_above_target"]),
        (None, 5, None, []),  # not measurable: nothing to judge
        (0, None, None, []),
        (100, None, None, []),
    ],
)
def test_what_is_flagged(target, realization, achievement, expected):
    """Are capaian above 150 %, below 0 %, and a realisation more than three times its target
    flagged, and nothing else?"""
    assert codes(target, realization, achievement) == expected


def test_messages_are_indonesian_with_the_figures():
    """Does each flag say, in Bahasa Indonesia, the figure and the threshold it passed?"""
    flags = implausibilities(Decimal(6), Decimal("84.174"), Decimal("1402.90"))
    assert [f.message for f in flags] == [
        "Capaian 1.402,90\u00a0% di atas 150\u00a0%: periksa target dan realisasi.",
        "Realisasi 84,174 lebih dari 3 kali target 6.",
    ]
