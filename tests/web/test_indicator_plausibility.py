"""The indicator page warns beside figures that look implausible (app/web/indicators.py with
app/services/indicators/plausibility.py), while typing and once saved."""

import re
from decimal import Decimal

from tests.web.test_indicators import PERIOD, PREVIEW, office, row_of, stored  # noqa: F401


def predikat_cell(html: str, code: str) -> str:
    match = re.search(rf'<td class="category" id="pred-{re.escape(code)}".*?</td>', html, re.S)
    assert match, f"no predikat cell for {code}"
    return match.group(0)


def test_typing_a_capaian_above_150_shows_a_warning(office, pages):  # noqa: F811
    """Does the preview of 400 against a target of 100 answer the predikat cell (swapped in
    as typed) with a warning in Bahasa Indonesia naming the capaian and the threshold, and
    still save nothing?"""
    response = pages("anggota").post(
        PREVIEW.format(code="PEM-01", period=PERIOD),
        {"target": "100", "realization": "400", "original_target": "100"},
    )
    assert response.status_code == 200
    cell = predikat_cell(response.text, "PEM-01")
    assert 'hx-swap-oob="true"' in cell
    assert "plausibility-warning" in cell
    assert "Capaian 400,00\u00a0% di atas 150\u00a0%" in cell
    assert "Realisasi 400 lebih dari 3 kali target 100." in cell
    assert stored(office, "PEM-01") == (Decimal(100), Decimal(80))


def test_a_negative_capaian_is_flagged(office, pages):  # noqa: F811
    """Is a negative indicator whose realisation passed twice its target (capaian below 0)
    flagged as typed?"""
    response = pages("anggota").post(
        PREVIEW.format(code="TRA-01", period=PERIOD), {"target": "10", "realization": "25"}
    )
    cell = predikat_cell(response.text, "TRA-01")
    assert "Capaian -50,00\u00a0% di bawah 0\u00a0%" in cell
    assert "kali target" not in cell


def test_plausible_figures_carry_no_warning(office, pages):  # noqa: F811
    """Are ordinary figures (a capaian of exactly 150 %, of 0 %, of 95 %) shown without a
    warning?"""
    client = pages("anggota")
    for target, realization in (("100", "150"), ("100", "0"), ("100", "95")):
        response = client.post(
            PREVIEW.format(code="PEM-01", period=PERIOD),
            {"target": target, "realization": realization},
        )
        assert "plausibility-warning" not in response.text, (target, realization)


def test_a_stored_implausible_value_is_flagged_on_the_page(office, pages):  # noqa: F811
    """Does the page, opened afresh, flag a stored realisation of 4.000 against 100?"""
    client = pages("anggota")
    saved = client.post(
        f"/indicators/PEM-01/values/{PERIOD}",
        {
            "target": "100",
            "realization": "4000",
            "original_target": "100",
            "original_realization": "80",
        },
    )
    assert saved.status_code == 200
    assert stored(office, "PEM-01") == (Decimal(100), Decimal(4000))
    html = client.get(f"/indicators?period={PERIOD}").text
    assert "Capaian 4.000,00\u00a0% di atas 150\u00a0%" in row_of(html, "PEM-01")
    assert "plausibility-warning" not in row_of(html, "TRA-01")
    assert "css/indicators.css" in html
