"""Tests of the indicator arithmetic: capaian against a target, the zero-target rule, the
rounded achievement's category, and the year made of its quarters."""

from decimal import Decimal as D

import pytest

from app.errors import DomainError
from app.services import indicators as svc
from app.services.indicators import achievement, aggregate

# --- achievement ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "realization", "value", "category"),
    [
        ("100", "91", "91.00", "sangat_tinggi"),
        ("80", "72.4", "90.50", "tinggi"),  # 72.4 / 80 = 0.905
        ("3", "2", "66.67", "sedang"),  # 66.666… rounds up
        ("200", "181.99", "91.00", "sangat_tinggi"),  # 90.995 exactly: half up, no float drift
        ("13", "11", "84.62", "tinggi"),  # 84.615… rounds up
        ("50", "0", "0.00", "sangat_rendah"),
        ("40", "100", "250.00", "sangat_tinggi"),  # no cap above 100
    ],
)
def test_positive_achievement_is_realization_over_target(target, realization, value, category):
    """A positive indicator's achievement is r / t × 100, rounded half up to 2 decimals."""
    result = achievement(D(target), D(realization), "positive")
    assert result.value == D(value)
    assert str(result.value) == value
    assert result.category.code == category
    assert result.reason is None


@pytest.mark.parametrize(
    ("target", "realization", "value", "category"),
    [
        ("10", "4", "160.00", "sangat_tinggi"),  # (20 - 4) / 10
        ("10", "10", "100.00", "sangat_tinggi"),
        ("10", "13", "70.00", "sedang"),  # (20 - 13) / 10
        ("8", "10", "75.00", "sedang"),  # (16 - 10) / 8
        ("24", "30", "75.00", "sedang"),
        ("3", "4.8", "40.00", "sangat_rendah"),  # (6 - 4.8) / 3
        ("10", "20", "0.00", "sangat_rendah"),
        ("10", "25", "-50.00", "sangat_rendah"),  # past twice the target: negative, kept
        ("10", "0", "200.00", "sangat_tinggi"),
    ],
)
def test_negative_achievement_is_two_targets_less_realization(target, realization, value, category):
    """A negative indicator's achievement is (2t − r) / t × 100, negative results kept."""
    result = achievement(D(target), D(realization), "negative")
    assert result.value == D(value)
    assert result.category.code == category


@pytest.mark.parametrize(
    ("target", "realization", "reason"),
    [
        (None, D(5), "target_missing"),
        (None, None, "target_missing"),
        (D(0), D(5), "target_zero"),
        (D(0), None, "target_zero"),
        (D("0.0000"), D(1), "target_zero"),
        (D(10), None, "realization_missing"),
    ],
)
def test_what_cannot_be_measured_says_why(target, realization, reason):
    """A missing or zero target or a missing realisation is not measurable, never 0."""
    for polarity in ("positive", "negative"):
        result = achievement(target, realization, polarity)
        assert result.value is None
        assert result.category == svc.NOT_MEASURABLE
        assert result.category.label == "Tidak dapat diukur"
        assert result.reason == reason


def test_a_realization_of_zero_is_measured():
    """A realisation of 0 is a value, not a missing one."""
    assert achievement(D(10), D(0), "positive").value == D("0.00")


@pytest.mark.parametrize(
    ("target", "realization", "refused"),
    [
        (D(0), D(5), True),
        (D("0.0000"), D(0), True),
        (D(0), None, False),
        (D(10), D(5), False),
        (None, D(5), False),
    ],
)
def test_a_realization_on_a_zero_target_is_refused(target, realization, refused):
    """Only a realisation against a zero target is refused; a zero target alone is stored."""
    if refused:
        with pytest.raises(DomainError) as raised:
            svc.refuse_realization_on_zero_target(target, realization, "2026-Q1")
        assert (raised.value.status, raised.value.code) == (422, "realization_on_zero_target")
        assert raised.value.details == {"field": "target"}
    else:
        svc.refuse_realization_on_zero_target(target, realization, "2026-Q1")


def test_categories_use_the_rounded_achievement():
    """90.995 shows as 91.00 and is Sangat Tinggi, like the number on the worksheet."""
    result = achievement(D(1000), D("909.95"), "positive")
    assert (result.value, result.category.code) == (D("91.00"), "sangat_tinggi")


# --- aggregation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("how", "quarters", "year"),
    [
        ("sum", ["10", "20", "30", "40"], "100"),
        ("sum", ["10", None, "5", None], "15"),
        ("sum", ["2.5", "0", None, None], "2.5"),
        ("average", ["80", "90", "100", "70"], "85"),
        ("average", ["10", "20", None, "5"], "11.6667"),  # 35 / 3, to 4 decimals
        ("average", [None, "3", None, None], "3"),
        ("last", ["10", "20", "30", "40"], "40"),
        ("last", ["10", None, "7", None], "7"),  # the latest quarter with a value
        ("last", ["0", None, None, None], "0"),
    ],
)
def test_quarters_make_the_year(how, quarters, year):
    """Sum, average and last run over the quarters that have a value."""
    values = [None if q is None else D(q) for q in quarters]
    assert aggregate(values, how) == D(year)


@pytest.mark.parametrize("how", ["sum", "average", "last"])
def test_a_year_without_quarter_values_has_none(how):
    """With no quarter value, the year has none either (not 0)."""
    assert aggregate([None, None, None, None], how) is None
    assert aggregate([], how) is None
