"""Tests of the category scale: the default bands' boundaries, a scale without an open
bottom band, and the office's scale as data."""

from decimal import Decimal as D

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import CategoryBand
from app.services import indicators as svc
from app.services.indicators import DEFAULT_BANDS, categorize, measurement_sheet
from tests.services.indicators.conftest import add, put

# --- categories ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "code", "label"),
    [
        ("-50", "sangat_rendah", "Sangat Rendah"),
        ("0", "sangat_rendah", "Sangat Rendah"),
        ("50.99", "sangat_rendah", "Sangat Rendah"),
        ("51", "rendah", "Rendah"),
        ("65.99", "rendah", "Rendah"),
        ("66", "sedang", "Sedang"),
        ("75.99", "sedang", "Sedang"),
        ("76", "tinggi", "Tinggi"),
        ("90.5", "tinggi", "Tinggi"),
        ("90.99", "tinggi", "Tinggi"),
        ("91", "sangat_tinggi", "Sangat Tinggi"),
        ("91.00", "sangat_tinggi", "Sangat Tinggi"),
        ("250", "sangat_tinggi", "Sangat Tinggi"),
    ],
)
def test_default_scale_boundaries(value, code, label):
    """Each band's lower bound is inclusive: 51 is Rendah, 50.99 Sangat Rendah, and so on."""
    assert categorize(D(value), DEFAULT_BANDS) == svc.Category(code, label)


def test_none_is_not_measurable():
    """No value has no band."""
    assert categorize(None, DEFAULT_BANDS).code == "not_measurable"


def test_a_scale_without_an_open_bottom_band_keeps_its_lowest_band():
    """Below the lowest bound of a scale with no open band is still the lowest band."""
    bands = [svc.Band("baik", "Baik", D(80)), svc.Band("kurang", "Kurang", D(50))]
    assert categorize(D(10), bands).code == "kurang"
    assert categorize(D(80), bands).code == "baik"


# --- the scale is data ---------------------------------------------------------------------


def test_the_scale_is_data(office):
    """Moving a band's bound in the database moves the category with it."""
    svc.seed_category_bands()  # PostgreSQL tests start from emptied tables
    indicator = add(office, "PEM-01")
    assert put(office, indicator, "2026-Q1", target=100, realization=88).achievement.category == (
        svc.Category("tinggi", "Tinggi")
    )
    band = db.session.scalar(sa.select(CategoryBand).filter_by(code="sangat_tinggi"))
    band.min_achievement = D(85)
    band.name = "Istimewa"
    db.session.commit()
    figures = put(office, indicator, "2026-Q1", realization=88)
    assert figures.achievement.category == svc.Category("sangat_tinggi", "Istimewa")
    assert measurement_sheet("2026-Q1").bands[0].min_achievement == D(85)


def test_the_seeded_scale_is_the_default(office):
    """The scale in the database, seeded by the migration, is the default one."""
    svc.seed_category_bands()
    assert svc.current_bands() == DEFAULT_BANDS


def test_an_empty_scale_falls_back_to_the_default(office):
    """With every band deleted, the default scale still names the categories."""
    db.session.execute(sa.delete(CategoryBand))
    assert svc.current_bands() == DEFAULT_BANDS
