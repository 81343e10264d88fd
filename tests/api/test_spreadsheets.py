"""The worksheets and the recap as spreadsheets (app/api/reports.py, services/spreadsheets.py,
rendering/xlsx.py), read back with openpyxl."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from app.rendering import xlsx
from tests.api.test_reports import instance, measured, office  # noqa: F401

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook_of(api, path: str):
    response = api.get(path, as_="viewer")
    assert response.status_code == 200, response.get_json()
    assert response.mimetype == XLSX_TYPE
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    return load_workbook(io.BytesIO(response.data)), response


def header_and_rows(sheet) -> tuple[int, list, list[list]]:
    """The header row's number, its titles, and the rows under it."""
    rows = list(sheet.iter_rows(values_only=True))
    header = next(n for n, row in enumerate(rows, start=1) if row[0] == "No")
    return header, list(rows[header - 1]), [list(r) for r in rows[header:] if any(r)]


def test_worksheet_xlsx_holds_numbers_with_print_titles(api, instance):  # noqa: F811
    """Is a section's kertas kerja a workbook with the office and period in its title block,
    a header row that repeats on print and stays frozen, and target, realisation and capaian
    stored as numbers with number formats?"""
    path = f"/api/v1/instances/{instance['id']}/worksheets/pemerintahan.xlsx"
    book, response = workbook_of(api, path)
    assert (
        "kertas-kerja-pengukuran-kinerja-pemerintahan-2026-Q1.xlsx"
        in response.headers["Content-Disposition"]
    )
    sheet = book.worksheets[0]
    title = [sheet.cell(row=n, column=1).value for n in range(1, 5)]
    assert title[0] == "KERTAS KERJA PENGUKURAN KINERJA"
    assert "Triwulan I 2026" in title
    header, titles, rows = header_and_rows(sheet)
    assert titles[:9] == [
        "No",
        "Kode",
        "Indikator Kinerja",
        "Satuan",
        "Polaritas",
        "Target",
        "Realisasi",
        "Capaian",
        "Predikat",
    ]
    assert sheet.print_title_rows == f"${header}:${header}"
    assert sheet.freeze_panes == f"A{header + 1}"
    first = rows[0]
    assert isinstance(first[5], int | float) and isinstance(first[6], int | float)
    assert isinstance(first[7], float)
    capaian = sheet.cell(row=header + 1, column=8)
    assert capaian.number_format == xlsx.PERCENT
    assert sheet.cell(row=header + 1, column=6).number_format == xlsx.DECIMAL
    assert sheet.column_dimensions["C"].width >= 40


def test_recap_xlsx_has_the_summary_and_every_indicator(api, instance):  # noqa: F811
    """Does the recap workbook hold the summary per section (with the office's average as a
    percentage) and a sheet of every indicator with its section?"""
    book, _ = workbook_of(api, f"/api/v1/instances/{instance['id']}/recap.xlsx")
    assert [s.title for s in book.worksheets] == ["Ringkasan", "Hasil per indikator"]
    _, titles, rows = header_and_rows(book["Ringkasan"])
    assert titles[1] == "Bagian" and titles[4] == "Rata-rata Capaian"
    total = rows[-1]
    assert total[1].endswith("(keseluruhan)")
    assert isinstance(total[4], float) and 0 < total[4] < 10
    _, titles, rows = header_and_rows(book["Hasil per indikator"])
    assert titles[2] == "Bagian"
    assert all(isinstance(r[0], int) for r in rows)


def test_unknown_section_xlsx_is_404(api, instance):  # noqa: F811
    """Is the spreadsheet of an unknown section a 404 in the one error shape?"""
    response = api.get(f"/api/v1/instances/{instance['id']}/worksheets/tidak-ada.xlsx")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_spreadsheets_need_credentials(api, instance):  # noqa: F811
    """Is a spreadsheet refused (401) without credentials?"""
    response = api.client.get(f"/api/v1/instances/{instance['id']}/recap.xlsx")
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Seksi A/B: [x]", "Seksi A-B- -x-"), ("x" * 40, "x" * 31), ("", "Lembar")],
)
def test_sheet_names_are_ones_excel_accepts(name, expected):
    """Are sheet names cut to 31 characters and rid of the characters Excel refuses?"""
    assert xlsx.sheet_name(name) == expected


def test_the_writer_stores_numbers_as_numbers_and_repeats_sheet_names():
    """Does the generic writer keep Decimals as numbers, text as text, and give two tables
    of one name distinct sheets?"""
    table = xlsx.Table(
        "Data",
        ["JUDUL"],
        [xlsx.Column("No", 5, xlsx.INTEGER), xlsx.Column("Nilai", 10, xlsx.DECIMAL_2)],
        [[1, Decimal("1402.9")], [2, "teks"]],
    )
    book = load_workbook(io.BytesIO(xlsx.workbook_bytes([table, table], title="t", creator="c")))
    assert [s.title for s in book.worksheets] == ["Data", "Data (2)"]
    sheet = book["Data"]
    assert sheet["B4"].value == pytest.approx(1402.9) and sheet["B4"].number_format == "#,##0.00"
    assert sheet["B5"].value == "teks"
    assert book.properties.creator == "c"
