"""Step 12 on paper in Chromium: the Camat records the scan of the ink-signed report from
his card, the measurement's page and /verify say it was signed on paper; and a signed PDF
sent to the verification page is judged valid, an altered one not. Screenshotted at desk and
phone widths."""

import io
import re

import pytest
from playwright.sync_api import expect

from app.demo import demo_pdf
from tests.browser.conftest import PHONE, SCREENSHOTS, screenshot
from tests.browser.test_signing import assert_fits

pytestmark = pytest.mark.browser

SCAN = demo_pdf("Laporan Hasil Pengukuran Kinerja (pindaian)", ["ditandatangani basah"])


def card_of(page, period: str):
    return page.locator('article.task-card[data-step="12"]').filter(
        has=page.get_by_role("link", name=period, exact=True)
    )


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["1366", "390"])
def test_camat_records_the_paper_signature_from_his_card(
    live_server, signed_in, new_page, tmp_path, viewport
):
    """The card's paper form takes the scan; the measurement is finished, marked signed on
    paper, and its verification page says "ditandatangani di atas kertas"."""
    period = "2026-Q3" if viewport is None else "2026-Q4"
    width = (viewport or {"width": 1366})["width"]
    runner = live_server.runner
    instance = runner.start(period)
    runner.walk_to(instance["id"], 12)

    page = signed_in("camat", viewport)
    card = card_of(page, period)
    expect(card.get_by_text("Tautan verifikasi yang akan dicetak")).to_be_visible()
    card.get_by_text("Sudah ditandatangani di atas kertas? Catat pindaiannya").click()
    scan = tmp_path / "pindaian.pdf"
    scan.write_bytes(demo_pdf(f"Laporan {period} (pindaian)", ["ditandatangani basah"]))
    card.get_by_label("Pindaian laporan yang sudah ditandatangani Camat").set_input_files(str(scan))
    assert_fits(page, width)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    card.screenshot(path=str(SCREENSHOTS / f"paper-card-form-{width}.png"))
    card.get_by_role("button", name="Catat tanda tangan basah dan selesaikan langkah 12").click()

    expect(page).to_have_url(re.compile(rf"/instances/{instance['id']}$"))
    section = page.locator("section.signed-report")
    expect(section).to_contain_text("Ditandatangani di atas kertas")
    # The flowchart scrolls in its own box on a phone; the signed-report section must fit.
    box = section.bounding_box()
    assert box and box["x"] + box["width"] <= width + 1
    screenshot(page, f"paper-measurement-page-{width}")

    section.get_by_role("link", name="Halaman verifikasi").click()
    expect(page.locator(".verdict")).to_have_text(
        re.compile("Dokumen ASLI — ditandatangani di atas kertas")
    )
    expect(page.locator(".facts")).to_contain_text("Pindaian dicatat oleh")
    assert_fits(page, width)
    screenshot(page, f"paper-verify-{width}")


def test_a_signed_pdf_sent_to_verify(live_server, new_page, tmp_path):
    """A stranger sends the signed PDF on the verify page: Berkas ASLI; the same file with one
    byte changed: Tidak sah."""
    runner = live_server.runner
    instance = runner.start("2027-Q1")
    runner.advance(runner.walk_to(instance["id"], 12))
    api = runner.api
    pdf = api.get(f"/api/v1/instances/{instance['id']}/report.pdf", as_="camat").data
    good, bad = tmp_path / "laporan.pdf", tmp_path / "laporan-diubah.pdf"
    good.write_bytes(pdf)
    at = pdf.index(b"stream") + 20
    bad.write_bytes(pdf[:at] + bytes([pdf[at] ^ 1]) + pdf[at + 1 :])

    for viewport, width in ((None, 1366), (PHONE, 390)):
        page = new_page(viewport)
        page.goto("/verify")
        expect(page.get_by_text("Sertifikat kantor:")).to_be_visible()
        if width == 390:
            assert_fits(page, width)
            screenshot(page, "verify-form-390")
        page.get_by_label("Berkas laporan (PDF, PNG atau JPEG)").set_input_files(str(good))
        page.get_by_role("button", name="Periksa berkas").click()
        expect(page.locator(".verdict")).to_have_text(re.compile("Berkas ASLI"))
        expect(page.locator(".signature-check")).to_contain_text("sah")
        assert_fits(page, width)
        screenshot(page, f"verify-upload-valid-{width}")

        page.goto("/verify")
        page.get_by_label("Berkas laporan (PDF, PNG atau JPEG)").set_input_files(str(bad))
        page.get_by_role("button", name="Periksa berkas").click()
        expect(page.locator(".verdict")).to_have_text(re.compile("Tidak sah"))
        expect(page.locator(".signature-check")).to_contain_text("isi berkas berubah")
        assert_fits(page, width)
        screenshot(page, f"verify-upload-altered-{width}")


def test_the_card_marks_a_scan_recorded_over_the_api(live_server, signed_in):
    """A scan recorded over the API shows on the Camat's card as signed on paper, with one
    button left that finishes the step."""
    runner = live_server.runner
    instance = runner.start("2027-Q2")
    task = runner.walk_to(instance["id"], 12)
    api = runner.api
    response = api.client.post(
        f"/api/v1/tasks/{task['id']}/documents",
        data={
            "kind": runner.signed_outputs(12)[0],
            "file": (io.BytesIO(SCAN), "pindaian.pdf"),
            "signed_on_paper": "true",
            "signed_at": task["opened_at"],
        },
        headers=api.headers("camat"),
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_json()
    for viewport, width in ((None, 1366), (PHONE, 390)):
        page = signed_in("camat", viewport)
        card = card_of(page, "2027-Q2")
        expect(card.locator(".badge.paper")).to_have_text("Ditandatangani di atas kertas")
        expect(
            card.get_by_role("button", name="Catat tanda tangan basah dan selesaikan langkah 12")
        ).to_be_visible()
        assert_fits(page, width)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        card.screenshot(path=str(SCREENSHOTS / f"paper-card-marker-{width}.png"))
