"""The measurement page offers its documents: PDF, and spreadsheets of the worksheets and the
recap (templates/instances/_downloads.html, web.indicators.measurement_downloads)."""

from tests.api.test_reports import measured, office  # noqa: F401


def test_measurement_page_links_each_pdf_and_its_spreadsheet(measured, pages, runner):  # noqa: F811
    """Does the page link each measured section's kertas kerja and the recap as PDF and as
    .xlsx, the report and the timeline as PDF, and do the links answer?"""
    instance = runner.start("2026-Q1")
    base = f"/api/v1/instances/{instance['id']}"
    client = pages("viewer")
    html = client.get(f"/instances/{instance['id']}").text
    assert "Dokumen pengukuran" in html
    for link in (
        f"{base}/worksheets/pemerintahan.pdf",
        f"{base}/worksheets/pemerintahan.xlsx",
        f"{base}/recap.pdf",
        f"{base}/recap.xlsx",
        f"{base}/report.pdf",
        f"{base}/timeline.pdf",
    ):
        assert f'href="{link}"' in html, link
    # A section without indicators has no kertas kerja to offer.
    assert "worksheets/kesos" not in html
    response = client.get(f"{base}/recap.xlsx")
    assert response.status_code == 200 and response.data[:2] == b"PK"
