"""The Kinerja SOP page: its figures are the files' figures, it is for the reviewers, it says
what is wrong with a filter, and it is in Bahasa Indonesia."""

import csv
import io
import re
from html import unescape

import pytest
from openpyxl import load_workbook

from tests.analytics_history import build_history

PAGE = "/kinerja"
FIRST_HALF = "since=2026-01-01&until=2026-06-30"


@pytest.fixture
def history(app, users):
    with app.app_context():
        return {name: instance.id for name, instance in build_history().items()}


def _cells(html: str, table_id: str) -> dict[str, dict[str, str]]:
    """The `data-col` cells of a table's rows, by the row's `data-*` key."""
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S).group(0)
    rows = {}
    for key, body in re.findall(r'<tr data-\w+="([^"]+)"[^>]*>(.*?)</tr>', table, re.S):
        cells = re.findall(r'<td[^>]*data-col="(\w+)"[^>]*>(.*?)</td>', body, re.S)
        rows[key] = {name: unescape(re.sub(r"<[^>]+>", "", text)).strip() for name, text in cells}
    return rows


def _page_number(text: str) -> str:
    """A page's "80,0 %" or "1.234" as the file writes it ("80.0", "1234"); "–" as empty."""
    if text == "–":
        return ""
    return text.removesuffix(" %").replace(".", "").replace(",", ".")


def test_page_shows_the_files_figures(pages, history):
    """Do the page's step table, the CSV and the workbook show the same figures?"""
    client = pages("camat")
    html = client.get(f"{PAGE}?{FIRST_HALF}").text
    page = _cells(html, "step-table")
    response = client.get(f"/api/v1/analytics/steps.csv?{FIRST_HALF}")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    book = load_workbook(io.BytesIO(client.get(f"/api/v1/analytics/steps.xlsx?{FIRST_HALF}").data))
    sheet = list(book["Langkah"].iter_rows(values_only=True))
    assert len(rows) == len(page) == len(sheet) - 1 == 12
    for row, cells in zip(rows, sheet[1:], strict=True):
        shown = page[row["step_no"]]
        for name in ("tasks", "on_time", "late", "compliance", "returns"):
            assert _page_number(shown[name]) == row[name], (row["step_no"], name)
        xlsx = dict(zip(sheet[0], cells, strict=True))
        assert str(xlsx["tasks"]) == row["tasks"]
        if row["compliance"]:
            assert float(xlsx["compliance"]) == float(row["compliance"])
        else:
            assert xlsx["compliance"] is None
    # Durations as the board writes them: step 8's median of 150 working minutes.
    assert page["8"]["median_working_minutes"] == "2 jam 30 menit"
    assert page["10"]["p90_working_minutes"] == "1 jam 30 menit"
    assert page["1"]["compliance"] == "–"
    # The slowest step relative to its standard stands out, in the chart and the table.
    assert 'class="slowest"' in html and "paling lambat" in html
    assert "Paling lambat terhadap mutu baku:</strong> langkah 8" in html
    quarters = _cells(html, "quarter-table")
    assert quarters["2026-Q1"]["compliance"] == "55,6 %"
    assert quarters["2026-Q2"]["compliance"] == "71,4 %"
    cycles = _cells(html, "measurement-table")
    assert cycles[str(history["B"])]["cycle"] == "5 jam 30 menit"  # 330 working minutes
    assert 'href="/api/v1/analytics/steps.xlsx?' in html


def test_page_is_for_the_reviewers(pages, history):
    """Do the Camat, the Sekcam, the admin and the viewer see it (and its link), others not?"""
    for username in ("camat", "sekcam", "admin", "viewer"):
        client = pages(username)
        assert client.get(PAGE).status_code == 200
        assert 'href="/kinerja"' in client.get("/instances").text
    for username in ("anggota", "kasi"):
        client = pages(username)
        response = client.get(PAGE)
        assert response.status_code == 403
        assert "tidak berwenang" in response.text
        assert client.get(f"{PAGE}?since=kemarin").status_code == 403
        assert 'href="/kinerja"' not in client.get("/instances").text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("since=2026-02-30", "Dari: Gunakan tanggal"),
        ("until=1999-01-01", "Sampai: Tahun harus antara 2000 dan 2100."),
        ("period=2026-Q7", "Periode harus berbentuk TTTT atau TTTT-Q1..Q4."),
        ("since=2026-06-01&until=2026-05-01", "Sampai: tanggal harus sama dengan atau sesudah"),
    ],
)
def test_bad_filters_are_named_inline(pages, history, query, message):
    """Is a bad filter answered on the page, in Indonesian, with nothing counted?"""
    response = pages("camat").get(f"{PAGE}?{query}", headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert message in response.text
    assert 'aria-invalid="true"' in response.text
    assert 'id="step-table"' not in response.text


def test_empty_state(pages, history):
    """Does a filter that matches no measurement say so instead of drawing empty charts?"""
    html = pages("sekcam").get(f"{PAGE}?period=2025").text
    assert "Tidak ada pengukuran" in html
    assert "<svg" not in html.split("<main", 1)[1]


def test_period_filter_and_language(pages, history):
    """Does the period filter choose the measurements, in Indonesian whatever is asked?"""
    response = pages("viewer").get(f"{PAGE}?period=2026-Q1", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert '<html lang="id">' in response.text
    assert "Waktu kerja per langkah" in response.text
    measurements = _cells(response.text, "measurement-table")
    assert set(measurements) == {str(history["A"]), str(history["B"])}
