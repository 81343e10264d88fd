"""Tests for the labels and number formats (app/rendering/format.py)."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from app.rendering.format import (
    FILTERS,
    POLARITIES,
    format_date,
    format_datetime,
    format_duration,
    format_nip,
    format_number,
    format_period,
    format_polarity,
    format_reason,
    format_standard,
    input_text,
)
from app.services.sop_definitions import Standard


@pytest.mark.parametrize(
    ("value", "places", "text"),
    [
        (Decimal("91.25"), None, "91,25"),
        (Decimal("80.0000"), None, "80"),
        (Decimal("1500.0000"), None, "1.500"),
        (Decimal("1234.5"), None, "1.234,5"),
        (Decimal("1234567.125"), 2, "1.234.567,13"),
        (Decimal("100"), 2, "100,00"),
        (Decimal("-0.001"), 2, "0,00"),
        (Decimal("-12.5"), None, "-12,5"),
        (7, None, "7"),
        (0.1, None, "0,1"),
        (None, 2, "–"),
    ],
)
def test_numbers_are_written_the_indonesian_way(value, places, text):
    """Numbers use a decimal comma and a thousands dot: 91,25 and 1.234,5."""
    assert format_number(value, places) == text


def test_dates_are_written_the_indonesian_way(app_ctx):
    """Dates read "24 November 2026", an instant taken in the office's zone."""
    assert format_date(date(2026, 11, 24)) == "24 November 2026"
    late_evening_utc = datetime(2026, 3, 1, 18, 0, tzinfo=UTC)
    assert format_date(late_evening_utc) == "2 Maret 2026"
    assert format_datetime(late_evening_utc) == "2 Maret 2026 01.00"


def test_periods_nips_and_durations_are_written_as_on_letters():
    """Periods, NIPs and working time read as an office letter writes them."""
    assert format_period("2026-Q1") == "Triwulan I 2026"
    assert format_period("2026-Q4") == "Triwulan IV 2026"
    assert format_period("2026") == "Tahun 2026"
    assert format_nip("197003121990031005") == "19700312 199003 1 005"
    assert format_nip("12345") == "12345"
    assert format_duration(45) == "45 menit"
    assert format_duration(125) == "2 jam 05 menit"


def test_datetimes_can_name_the_day(app_ctx):
    """With its day, an instant reads "Senin, 2 Maret 2026 01.00"."""
    late_evening_utc = datetime(2026, 3, 1, 18, 0, tzinfo=UTC)
    assert format_datetime(late_evening_utc, with_day=True) == "Senin, 2 Maret 2026 01.00"
    assert format_datetime(None) == "–"


def test_a_standard_reads_as_the_sop_states_it():
    """A mutu baku in days is working days: "2 hari kerja"; in minutes "15 menit"."""
    assert format_standard(Standard(2, "day")) == "2 hari kerja"
    assert format_standard(Standard(15, "minute")) == "15 menit"


def test_a_period_that_is_not_one_is_written_as_it_is():
    """A text that names no period is left as typed rather than guessed at."""
    assert format_period("2026-Q5") == "2026-Q5"
    assert format_period("kemarin") == "kemarin"


def test_polarities_and_reasons_have_one_wording():
    """A polarity reads "Positif" in a table and has its arrow and meaning for the page; the
    reason an indicator cannot be measured reads the same everywhere."""
    assert format_polarity("negative") == "Negatif"
    assert (POLARITIES["positive"].arrow, POLARITIES["positive"].meaning) == (
        "↑",
        "lebih tinggi lebih baik",
    )
    assert format_reason("target_zero") == "target bernilai 0"
    assert format_reason("lain") == "lain"


def test_an_input_shows_a_decimal_comma_and_no_grouping():
    """A value put back into an input reads "1234,5", which the parser reads back."""
    assert input_text(Decimal("1234.5000")) == "1234,5"
    assert input_text(None) == ""


def test_the_formats_are_the_apps_jinja_filters(app):
    """Are the same functions registered as the Jinja filters pages and PDFs use?"""
    for name, function in FILTERS.items():
        assert app.jinja_env.filters[name] is function
    assert app.jinja_env.from_string("{{ '2026-Q3'|period }}").render() == "Triwulan III 2026"
