"""Tests of the measurement sheet: each section's rows and summary, the office's, a year's
sheet made of the quarters, and an empty period."""

from decimal import Decimal as D

import pytest

from app.extensions import db
from app.services.indicators import measurement_sheet
from tests.services.indicators.conftest import add, put

# --- the measurement sheet -----------------------------------------------------------------


@pytest.fixture
def small_setup(office):
    """Pemerintahan: 95.00, 70.00 and one without realisation; trantib: 66.67; kesos: none;
    and a retired indicator with values only in 2025-Q3, which 2026's sheets leave out."""
    a1 = add(office, "A1", name="Persentase LPPD tepat waktu")
    a2 = add(office, "A2", polarity="negative", unit="kasus", aggregation="average")
    a3 = add(office, "A3", aggregation="last")
    b1 = add(office, "B1", section="trantib")
    gone = add(office, "A0")
    gone.active = False
    put(office, a1, "2026-Q1", target=100, realization=95)
    put(office, a2, "2026-Q1", target=10, realization=13)
    put(office, a3, "2026-Q1", target=50)
    put(office, b1, "2026-Q1", target=3, realization=2)
    put(office, gone, "2025-Q3", target=100, realization=1)
    # Second quarter, for the year: A1 sums to 100/200, A2 averages to 10/12.
    put(office, a1, "2026-Q2", target=100, realization=5)
    put(office, a2, "2026-Q2", target=10, realization=11)
    db.session.commit()
    return office


def test_measurement_sheet_summaries(small_setup):
    """Sections average their measurable rows; the overall average weighs each indicator."""
    sheet = measurement_sheet("2026-Q1")
    assert [s.code for s in sheet.sections] == ["pemerintahan", "trantib", "kesos"]
    pem, trantib, kesos = sheet.sections
    assert [(r.code, r.achievement.value) for r in pem.rows] == [
        ("A1", D("95.00")),
        ("A2", D("70.00")),
        ("A3", None),
    ]
    assert pem.rows[0].name == "Persentase LPPD tepat waktu"
    assert (pem.rows[1].unit, pem.rows[1].polarity) == ("kasus", "negative")
    assert pem.rows[2].achievement.reason == "realization_missing"
    assert (pem.average, pem.category.code, pem.measurable, pem.not_measurable) == (
        D("82.50"),
        "tinggi",
        2,
        1,
    )
    assert (trantib.average, trantib.category.code) == (D("66.67"), "sedang")
    assert (kesos.rows, kesos.average, kesos.category.code) == ([], None, "not_measurable")
    # (95 + 70 + 66.67) / 3 = 77.2233…
    assert (sheet.average, sheet.category.code) == (D("77.22"), "tinggi")
    assert (sheet.measurable, sheet.not_measurable) == (3, 1)
    assert sheet.section("trantib") is trantib
    assert sheet.section("nowhere") is None


def test_measurement_sheet_of_a_year_uses_the_aggregate(small_setup):
    """A year's sheet aggregates each indicator's quarters by its own rule."""
    sheet = measurement_sheet("2026")
    rows = {r.code: r for r in sheet.sections[0].rows}
    assert (rows["A1"].target, rows["A1"].realization) == (D(200), D(100))
    assert rows["A1"].achievement.value == D("50.00")
    assert (rows["A2"].target, rows["A2"].realization) == (D(10), D(12))
    assert rows["A2"].achievement.value == D("80.00")  # (20 - 12) / 10
    assert rows["A3"].target == D(50)  # "last": the only quarter with a target
    # (50 + 80 + 66.67) / 3 = 65.5566…
    assert (sheet.average, sheet.category.code) == (D("65.56"), "rendah")


def test_a_retired_indicator_stays_in_the_periods_it_has_values_for(small_setup):
    """Does a retired indicator keep its row in a period it has values for (its history),
    while a period without its values leaves it out?"""
    old = measurement_sheet("2025-Q3")
    assert [(r.code, r.achievement.value) for r in old.sections[0].rows] == [
        ("A0", D("1.00")),
        ("A1", None),
        ("A2", None),
        ("A3", None),
    ]
    assert "A0" in {r.code for s in measurement_sheet("2025").sections for r in s.rows}
    assert "A0" not in {r.code for s in measurement_sheet("2026-Q3").sections for r in s.rows}


def test_measurement_sheet_of_an_empty_period(small_setup):
    """A period without values lists the indicators as not measurable, and no average."""
    sheet = measurement_sheet("2025-Q4")
    assert (sheet.average, sheet.category.code) == (None, "not_measurable")
    assert (sheet.measurable, sheet.not_measurable) == (0, 4)
    assert {r.achievement.reason for s in sheet.sections for r in s.rows} == {"target_missing"}
