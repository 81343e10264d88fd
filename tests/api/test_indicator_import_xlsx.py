"""POST /api/v1/indicators/import with an .xlsx workbook (services/indicators/importing.py):
the same columns as the CSV, all or nothing, bad rows named by their spreadsheet row."""

import io

from openpyxl import Workbook

from tests.api.test_indicators import BASE, create, error_of, office, upload  # noqa: F401


def workbook(*rows, title_block=(), sheets_before=()) -> bytes:
    """An .xlsx file: optional sheets without a header first, then one whose title block
    (if any) sits above the rows."""
    book = Workbook()
    book.remove(book.active)
    for name in sheets_before:
        book.create_sheet(name).append(["Ringkasan", 1])
    sheet = book.create_sheet("Nilai")
    for line in title_block:
        sheet.append([line])
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def values_of(api, code: str) -> list[tuple]:
    values = api.get(f"{BASE}/{code}/values").get_json()["values"]
    return [(v["period"], v["target"], v["realization"]) for v in values]


def test_an_xlsx_workbook_imports_numbers_and_text(api, office):  # noqa: F811
    """Does a workbook with a title block, a header row (Kode, Periode, Target, Realisasi)
    and rows of real numbers, Indonesian number text and a year typed as a number import
    every row, skipping blank and total rows?"""
    create(api)
    create(api, code="TRA-01", section="trantib", polarity="negative")
    content = workbook(
        ["No", "Kode", "Periode", "Target", "Realisasi", "Capaian"],
        [1, "PEM-01", "2026-Q1", 100, 91.25, 0.9125],
        [2, "TRA-01", "2026-Q1", "1.200", "1.140,5", None],
        [None, None, None, None, None, None],
        [3, "PEM-01", 2026, 400, None, None],
        ["Rata-rata", None, None, None, None, 0.9],
        title_block=["KERTAS KERJA PENGUKURAN KINERJA", "Kecamatan Purbalingga"],
        sheets_before=["Ringkasan"],
    )
    response = upload(api, content, filename="nilai.xlsx")
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"applied": 3, "created": 3, "updated": 0}
    assert ("2026-Q1", 100, 91.25) in values_of(api, "PEM-01")
    assert ("2026", 400) in [v[:2] for v in values_of(api, "PEM-01")]
    assert values_of(api, "TRA-01") == [("2026-Q1", 1.2, 1140.5)]


def test_bad_rows_are_named_by_their_spreadsheet_row_and_nothing_changes(api, office):  # noqa: F811
    """Does one bad row refuse the whole workbook, each bad row named by its data row and
    its row in the sheet (line), with nothing stored?"""
    create(api)
    content = workbook(
        ["indikator", "periode", "realisasi"],
        ["PEM-01", "2026-Q1", 10],
        ["PEM-01", "2026-Q2", "banyak"],
        ["NOPE", "2026-Q3", 1],
        ["PEM-01", "2026-Q4", -5],
        title_block=["Judul", ""],
    )
    error = error_of(upload(api, content, filename="nilai.xlsx"), 422, "import_invalid")
    assert [(e["row"], e["line"], e["field"], e["code"]) for e in error["details"]["errors"]] == [
        (2, 5, "realization", "not_a_number"),
        (3, 6, "indicator", "unknown_indicator"),
        (4, 7, "realization", "negative_value"),
    ]
    assert values_of(api, "PEM-01") == []


def test_a_corrupt_or_headerless_workbook_is_a_clear_422(api, office):  # noqa: F811
    """Are a corrupt .xlsx, a ZIP that is no workbook, and a workbook without a header row
    refused 422 import_unreadable, changing nothing?"""
    create(api)
    good = workbook(["kode", "periode", "target"], ["PEM-01", "2026-Q1", 5])
    corrupt = good[: len(good) // 2]
    zip_buffer = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(zip_buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    for content in (corrupt, zip_buffer.getvalue(), workbook(["a", "b"], [1, 2]), b"PK\x03\x04"):
        error = error_of(upload(api, content, filename="nilai.xlsx"), 422, "import_unreadable")
        assert error["message"]
    assert values_of(api, "PEM-01") == []


def test_an_exported_kertas_kerja_is_not_mistaken_for_values(api, office):  # noqa: F811
    """Is a workbook whose header has no period column (as a sheet without one) refused as
    unreadable rather than guessed?"""
    content = workbook(["No", "Kode", "Target", "Realisasi"], [1, "PEM-01", 1, 1])
    error_of(upload(api, content, filename="nilai.xlsx"), 422, "import_unreadable")
