"""A browser set to English (Chromium `--lang=en-US`, context locale en-US, so it sends
`Accept-Language: en-US`) meets only Bahasa Indonesia: login errors, a refused move, a bad
upload, a duplicate period, a bad indicator value, a wrong signing password and a 404."""

from decimal import Decimal

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from app.extensions import db
from app.models import OrgUnit, User
from app.services import indicators as indicator_service
from tests.browser.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    PHONE,
    login,
    screenshot,
    watch_csp,
)
from tests.test_i18n_pages import english_in

pytestmark = pytest.mark.browser

RUNNING = "2026-Q3"  # open at step 3, the Kepala Seksi's
SIGNING = "2026-Q2"  # open at step 12, the Camat's


@pytest.fixture(scope="module")
def english_chromium(browser):
    """A second Chromium, started with its interface language set to English."""
    chromium = browser.browser_type.launch(
        executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, "--lang=en-US"]
    )
    yield chromium
    chromium.close()


@pytest.fixture(scope="module")
def office(live_server):
    """A measurement open at step 3, one open at step 12, and an indicator with values."""
    runner = live_server.runner
    runner.walk_to(runner.start(RUNNING)["id"], 3)
    runner.walk_to(runner.start(SIGNING)["id"], 12)
    with live_server.app.app_context():
        db.session.add(OrgUnit(code="pemerintahan", name="Seksi Pemerintahan", is_section=True))
        db.session.flush()
        admin = db.session.scalar(sa.select(User).filter_by(username="admin"))
        indicator = indicator_service.create_indicator(
            code="PEM-01",
            name="Persentase pelayanan administrasi kependudukan tepat waktu",
            unit="%",
            polarity="positive",
            aggregation="sum",
            section="pemerintahan",
            actor=admin,
        )
        indicator_service.set_value(
            indicator, SIGNING, actor=admin, target=Decimal(100), realization=Decimal(80)
        )
        db.session.commit()
    return live_server


@pytest.fixture
def english_page(english_chromium, office):
    """Open a page in an English-speaking context: `english_page()`, `english_page(PHONE)`.
    Each page records the Accept-Language of its requests in `page.languages`."""
    contexts, violations = [], []

    def make(viewport: dict | None = None) -> Page:
        context = english_chromium.new_context(
            base_url=office.url,
            viewport=viewport or DESKTOP,
            locale="en-US",
            timezone_id="Asia/Jakarta",
        )
        context.set_default_timeout(10_000)
        watch_csp(context, violations)
        contexts.append(context)
        page = context.new_page()
        page.languages = []
        page.on(
            "request",
            lambda request: page.languages.append(request.all_headers().get("accept-language")),
        )
        return page

    yield make
    for context in contexts:
        context.close()
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


def assert_indonesian(page: Page, name: str) -> None:
    """No English word of the catalogue is on the page's <main>; keep a screenshot."""
    text = page.locator("main").inner_text()
    assert english_in(text) == set(), f"{name}: English on the page: {english_in(text)}"
    screenshot(page, f"english-browser-{name}")


def card(page: Page, period: str, step: int):
    return page.locator(f'article.task-card[data-step="{step}"]').filter(
        has=page.get_by_role("link", name=period, exact=True)
    )


def test_the_browser_really_asks_for_english(english_page):
    """Does this Chromium prefer English (so the other tests prove something)?"""
    page = english_page()
    page.goto("/login")
    assert page.evaluate("navigator.language") == "en-US"
    assert page.languages and page.languages[0].startswith("en-US")


def test_login_errors_are_indonesian(english_page):
    """Does the empty login say "Wajib diisi." and a wrong password the Indonesian
    refusal?"""
    for viewport, suffix in ((DESKTOP, "1366"), (PHONE, "390")):
        page = english_page(viewport)
        page.goto("/login")
        page.get_by_role("button", name="Masuk", exact=True).click()
        errors = page.locator(".field-error")
        expect(errors).to_have_text(["Wajib diisi.", "Wajib diisi."])
        assert_indonesian(page, f"login-empty-{suffix}")

    page.get_by_label("Nama pengguna").fill("kasi")
    page.get_by_label("Kata sandi").fill("bukan-sandinya")
    page.get_by_role("button", name="Masuk", exact=True).click()
    expect(page.locator(".field-error")).to_have_text("Nama pengguna atau kata sandi salah.")
    assert_indonesian(page, "login-wrong-password-390")


def test_card_refusals_are_indonesian(english_page):
    """Do a refused move and an upload of the wrong file type say why in Indonesian, on
    the card?"""
    page = english_page()
    login(page, "kasi")
    step3 = card(page, RUNNING, 3)
    step3.get_by_role("button", name="Selesaikan langkah 3").click()
    expect(card(page, RUNNING, 3).locator(".card-error")).to_have_text(
        "Langkah 3 belum dapat diselesaikan, dokumen yang belum ada: Nota Dinas, Surat Undangan."
    )
    assert_indonesian(page, "refused-move")

    step3 = card(page, RUNNING, 3)
    step3.get_by_label("Jenis dokumen").select_option("Nota Dinas")
    step3.get_by_label("Berkas").set_input_files(
        files=[{"name": "nota.exe", "mimeType": "application/x-msdownload", "buffer": b"MZ"}]
    )
    step3.get_by_role("button", name="Unggah").click()
    expect(card(page, RUNNING, 3).locator(".card-error")).to_have_text(
        "Jenis berkas tidak diterima (ekstensi '.exe'). Diterima: PDF, gambar, dokumen perkantoran."
    )
    assert_indonesian(page, "bad-upload")


def test_a_duplicate_period_is_indonesian(english_page):
    """Does the start form refuse a period already running in Indonesian?"""
    page = english_page()
    login(page, "camat")
    page.goto("/instances/new")
    page.get_by_label("Periode").fill(RUNNING)
    page.get_by_role("button", name="Mulai", exact=True).click()
    expect(page.locator(".field-error")).to_have_text(
        f"Pengukuran pengukuran-kinerja untuk periode {RUNNING} sudah berjalan."
    )
    assert_indonesian(page, "duplicate-period")


def test_a_wrong_signing_password_is_indonesian(english_page):
    """Does a wrong password on the signing card say so in Indonesian?"""
    page = english_page()
    login(page, "camat")
    signing = card(page, SIGNING, 12)
    signing.get_by_label("Kata sandi Anda").fill("bukan-sandinya")
    signing.get_by_role("button", name="Tandatangani laporan").click()
    expect(card(page, SIGNING, 12).get_by_role("alert")).to_have_text(
        "Kata sandi salah; tidak ada yang diubah."
    )
    assert_indonesian(page, "wrong-signing-password")


def test_a_bad_indicator_value_is_indonesian(english_page):
    """Does a realisation that is not a number say so in Indonesian, under its row?"""
    page = english_page()
    login(page, "anggota")
    page.goto(f"/indicators?period={SIGNING}")
    field = page.get_by_label("Realisasi PEM-01")
    field.fill("delapan puluh")
    field.press("Enter")
    expect(page.locator("#msg-PEM-01")).to_have_text("Nilai realisasi harus berupa angka.")
    assert_indonesian(page, "bad-indicator-value")


def test_a_missing_page_is_indonesian(english_page):
    """Does a 404 say "Halaman tidak ditemukan." to an English browser, signed in or not?"""
    page = english_page(PHONE)
    response = page.goto("/tidak-ada")
    assert response.status == 404
    expect(page.locator("main p").first).to_have_text("Halaman tidak ditemukan.")
    assert_indonesian(page, "404-390")
    login(page, "kasi")
    response = page.goto("/instances/999999")
    assert response.status == 404
    expect(page.locator("main p").first).to_have_text("Halaman tidak ditemukan.")
    assert_indonesian(page, "404-signed-in-390")
