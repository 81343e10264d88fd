"""The import form of the indicator page accepts an .xlsx workbook (app/web/indicators.py)."""

import io
from decimal import Decimal

from tests.api.test_indicator_import_xlsx import workbook
from tests.web.test_indicators import PERIOD, office, stored  # noqa: F401


def upload(client, content: bytes, filename: str = "nilai.xlsx"):
    return client.post(
        "/indicators/import",
        {"file": (io.BytesIO(content), filename), "period": PERIOD},
        htmx=False,
        content_type="multipart/form-data",
    )


def test_the_page_says_it_accepts_xlsx(office, pages):  # noqa: F811
    """Does the import form name .xlsx among the files it takes?"""
    html = pages("anggota").get(f"/indicators?period={PERIOD}").text
    assert "Excel (<code>.xlsx</code>" in html and ".xlsx" in html.split('id="import-file"')[1]


def test_a_workbook_is_imported_from_the_page(office, pages):  # noqa: F811
    """Is a good workbook applied, with the count of rows on the page?"""
    client = pages("anggota")
    content = workbook(["kode", "periode", "target", "realisasi"], ["PEM-02", PERIOD, 10, 7.5])
    response = upload(client, content)
    assert response.status_code == 302
    assert stored(office, "PEM-02") == (Decimal(10), Decimal("7.5"))
    assert "1 baris diterapkan" in client.get(response.headers["Location"]).text


def test_a_bad_workbook_row_is_named_by_its_sheet_row(office, pages):  # noqa: F811
    """Does a bad row refuse the workbook, listed with its row in the sheet, nothing saved?"""
    content = workbook(
        ["kode", "periode", "realisasi"],
        ["PEM-02", PERIOD, 7],
        ["TRA-01", PERIOD, "banyak"],
        title_block=["Judul"],
    )
    response = upload(pages("anggota"), content)
    assert response.status_code == 422
    assert '2 <span class="small muted">(baris berkas 4)</span>' in response.text
    assert stored(office, "PEM-02") == (None, None)
