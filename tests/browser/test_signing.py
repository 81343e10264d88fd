"""The Camat signs the report from the board in Chromium; anyone checks it on the public
verification page, which is screenshotted at desk and phone widths."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, SCREENSHOTS, screenshot

pytestmark = pytest.mark.browser

PERIOD = "2026-Q2"


def signing_card(page: Page):
    return page.locator('article.task-card[data-step="12"]').filter(
        has=page.get_by_role("link", name=PERIOD, exact=True)
    )


def assert_fits(page: Page, width: int) -> None:
    """Nothing on the page reaches past the viewport's width, measured once the page and its
    stylesheets have loaded (measured earlier, a long hash is laid out without its wrapping)."""
    page.wait_for_load_state("load")
    overflow = page.evaluate(
        """width => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > width + 1)
            .slice(0, 5).map(e => e.tagName + '.' + e.className)""",
        width,
    )
    assert overflow == []


def test_camat_signs_on_the_board_and_the_report_verifies(live_server, signed_in, new_page):
    """A wrong password is refused on the card; the right one signs and opens the
    measurement's page, whose verification link shows "Dokumen ASLI" to anyone."""
    runner = live_server.runner
    instance = runner.start(PERIOD)
    runner.walk_to(instance["id"], 12)

    page = signed_in("camat")
    card = signing_card(page)
    expect(card.get_by_role("button", name="Tandatangani laporan")).to_be_visible()
    expect(card.get_by_role("button", name="Unggah")).to_have_count(0)
    expect(card.get_by_role("link", name="Pratinjau draf laporan (PDF)")).to_be_visible()
    card.get_by_label("Kata sandi Anda").fill("bukan-sandinya")
    card.get_by_role("button", name="Tandatangani laporan").click()
    expect(signing_card(page).get_by_role("alert")).to_have_text(
        "Kata sandi salah; tidak ada yang diubah."
    )
    card = signing_card(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    card.screenshot(path=str(SCREENSHOTS / "signing-card-wrong-password.png"))

    card.get_by_label("Kata sandi Anda").fill("rahasia")
    card.get_by_role("button", name="Tandatangani laporan").click()
    expect(page).to_have_url(re.compile(rf"/instances/{instance['id']}$"))
    expect(page.get_by_role("heading", name="Laporan bertanda tangan")).to_be_visible()
    expect(page.locator(".flash-success")).to_contain_text("ditandatangani; kode verifikasi")
    screenshot(page, "signing-measurement-page")

    page.get_by_role("link", name="Halaman verifikasi").click()
    expect(page).to_have_url(re.compile(r"/verify/[0-9a-f]{64}$"))
    expect(page.locator(".verdict")).to_have_text(re.compile("Dokumen ASLI"))
    expect(page.locator(".facts")).to_contain_text("Pengguna Camat")
    screenshot(page, "verify-asli-1366")
    verify_url = page.url

    # A stranger with the paper: no account, on a phone.
    stranger = new_page(PHONE)
    stranger.goto(verify_url)
    expect(stranger.locator(".verdict")).to_have_text(re.compile("Dokumen ASLI"))
    assert_fits(stranger, PHONE["width"])
    screenshot(stranger, "verify-asli-390")

    digest = verify_url.rsplit("/", 1)[1]
    tampered = digest[:-1] + ("0" if digest[-1] != "0" else "1")
    stranger.goto("/verify")
    stranger.get_by_label("Kode verifikasi (SHA-256)").fill(tampered.upper())
    stranger.get_by_role("button", name="Periksa", exact=True).click()
    expect(stranger).to_have_url(re.compile(rf"/verify/{tampered}$"))
    expect(stranger.locator(".verdict")).to_have_text(re.compile("Tidak dikenal"))
    assert_fits(stranger, PHONE["width"])
    screenshot(stranger, "verify-tidak-dikenal-390")
