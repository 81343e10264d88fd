"""Tests of indicators and their values: creation, who may write, what a value may be, and
the figures of each period and year."""

from decimal import Decimal as D

import pytest
import sqlalchemy as sa

from app.errors import DomainError
from app.extensions import db
from app.models import AuditEvent
from app.services import indicators as svc
from tests.services.indicators.conftest import actions, add, put, stored


def test_create_indicator_writes_its_audit_event(office):
    """An admin adds an indicator to a section; the audit trail says so."""
    indicator = add(office, "PEM-01", polarity="negative", aggregation="last")
    db.session.commit()
    assert (indicator.section.code, indicator.polarity, indicator.aggregation) == (
        "pemerintahan",
        "negative",
        "last",
    )
    assert indicator.active
    assert actions()[-1] == "indicator.created"


@pytest.mark.parametrize(
    ("section", "status", "code"),
    [("nowhere", 422, "unknown_section"), ("sekretariat", 422, "unknown_section")],
)
def test_an_indicator_needs_a_section(office, section, status, code):
    """An unknown unit, or a unit that is not a section, is refused."""
    with pytest.raises(DomainError) as raised:
        add(office, "X-1", section=section)
    assert (raised.value.status, raised.value.code) == (status, code)


def test_duplicate_code_conflicts(office):
    """A second indicator with the same code is a 409."""
    add(office, "PEM-01")
    with pytest.raises(DomainError) as raised:
        add(office, "PEM-01", section="trantib")
    assert (raised.value.status, raised.value.code) == (409, "duplicate_indicator")


@pytest.mark.parametrize("role", ["kasi", "viewer", "camat", "sekcam"])
def test_only_admin_and_anggota_write(office, role):
    """Other roles may neither add indicators nor set values."""
    indicator = add(office, "PEM-01")
    with pytest.raises(DomainError) as raised:
        svc.create_indicator(
            code="X-2",
            name="x",
            unit="%",
            polarity="positive",
            aggregation="sum",
            section="pemerintahan",
            actor=office[role],
        )
    assert raised.value.status == 403
    with pytest.raises(DomainError) as raised:
        put(office, indicator, "2026-Q1", as_=role, target=10)
    assert raised.value.status == 403


def test_set_value_keeps_what_is_not_sent_and_clears_null(office):
    """A field left out stays; None clears it; each change is audited with before and after."""
    indicator = add(office, "PEM-01")
    put(office, indicator, "2026-Q1", target=80)
    figures = put(office, indicator, "2026-Q1", realization=D("72.4"))
    assert (figures.target, figures.realization) == (D(80), D("72.4"))
    assert (figures.achievement.value, figures.achievement.category.code) == (D("90.50"), "tinggi")
    cleared = put(office, indicator, "2026-Q1", realization=None)
    assert cleared.achievement.reason == "realization_missing"
    db.session.commit()
    assert stored(indicator) == {"2026-Q1": (D(80), None)}
    event = db.session.scalars(
        sa.select(AuditEvent).filter_by(action="indicator.value_set").order_by(AuditEvent.id)
    ).all()[-1]
    assert event.data["before"] == {"target": "80", "realization": "72.4"}
    assert event.data["after"] == {"target": "80", "realization": None}


def test_float_input_keeps_its_decimal(office):
    """A float from JSON is taken as written (0.1 is 0.1), and stored to 4 decimals exactly."""
    indicator = add(office, "PEM-01")
    figures = put(office, indicator, "2026-Q1", target=0.3, realization=0.1)
    db.session.commit()
    db.session.expire_all()
    assert stored(indicator) == {"2026-Q1": (D("0.3"), D("0.1"))}
    assert figures.achievement.value == D("33.33")
    put(office, indicator, "2026-Q2", target=-0.0)
    assert stored(indicator)["2026-Q2"] == (D(0), None)
    assert str(stored(indicator)["2026-Q2"][0]).startswith("0")  # not -0


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"target": -1}, "negative_value"),
        ({"realization": D("-0.5")}, "negative_value"),
        ({"target": float("nan")}, "value_not_finite"),
        ({"target": float("inf")}, "value_not_finite"),
        ({"target": 10**11}, "value_too_large"),
        ({"target": D("1.23456")}, "value_too_precise"),
        ({"target": "12"}, "not_a_number"),
        ({"target": True}, "not_a_number"),
        ({"target": 0, "realization": 5}, "realization_on_zero_target"),
        ({}, "nothing_to_set"),
    ],
)
def test_bad_values_are_refused(office, values, code):
    """Negative, non-finite, oversized, over-precise and non-numeric values are 422s, as is a
    realisation against a zero target; nothing is stored."""
    indicator = add(office, "PEM-01")
    with pytest.raises(DomainError) as raised:
        put(office, indicator, "2026-Q1", **values)
    assert (raised.value.status, raised.value.code) == (422, code)
    assert stored(indicator) == {}


def test_a_zero_target_refuses_a_later_realization(office):
    """A zero target may be stored, but then no realisation may join it (nor the reverse)."""
    indicator = add(office, "PEM-01")
    assert put(office, indicator, "2026-Q1", target=0).achievement.reason == "target_zero"
    with pytest.raises(DomainError) as raised:
        put(office, indicator, "2026-Q1", realization=3)
    assert raised.value.code == "realization_on_zero_target"
    put(office, indicator, "2026-Q2", target=5, realization=3)
    with pytest.raises(DomainError) as raised:
        put(office, indicator, "2026-Q2", target=0)
    assert raised.value.code == "realization_on_zero_target"


@pytest.mark.parametrize("period", ["2026-Q5", "2026Q1", "26", "1999", "2026-q1", "", "2026-Q1 "])
def test_bad_periods_are_refused(office, period):
    """A period is YYYY or YYYY-Q1..Q4 between 2000 and 2100."""
    indicator = add(office, "PEM-01")
    with pytest.raises(DomainError) as raised:
        put(office, indicator, period, target=1)
    assert (raised.value.status, raised.value.code) == (422, "invalid_period")


def test_explicit_year_values_win_over_the_quarters(office):
    """A year's own target wins; its missing realisation is made of the quarters."""
    indicator = add(office, "PEM-01", aggregation="sum")
    for quarter, (t, r) in enumerate([(10, 9), (10, 11), (10, None), (10, None)], start=1):
        put(office, indicator, f"2026-Q{quarter}", target=t, realization=r)
    made = svc.values_of(indicator).years[0]
    assert (made.period, made.target, made.realization) == ("2026", D(40), D(20))
    assert (made.target_source, made.realization_source) == ("quarters", "quarters")
    assert made.achievement.value == D("50.00")
    put(office, indicator, "2026", target=25)
    year = svc.values_of(indicator).years[0]
    assert (year.target, year.realization) == (D(25), D(20))
    assert (year.target_source, year.realization_source) == ("entered", "quarters")
    assert year.achievement.value == D("80.00")


def test_values_list_every_period_and_year(office):
    """Every stored period is listed in order, with one aggregate per year."""
    indicator = add(office, "PEM-01", aggregation="last")
    put(office, indicator, "2026-Q2", target=100, realization=90)
    put(office, indicator, "2026-Q1", target=100, realization=80)
    put(office, indicator, "2027-Q1", target=100)
    values = svc.values_of(indicator)
    assert [f.period for f in values.periods] == ["2026-Q1", "2026-Q2", "2027-Q1"]
    assert [(y.period, y.target, y.realization) for y in values.years] == [
        ("2026", D(100), D(90)),
        ("2027", D(100), None),
    ]
    assert values.years[1].achievement.reason == "realization_missing"
