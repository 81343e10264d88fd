"""The indicators page in Chromium: capaian and predikat follow what is typed, a bad value
is said on its row, a save survives a reload, and the page at desk and phone widths."""

from decimal import Decimal

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from app.extensions import db
from app.models import Indicator, IndicatorValue, OrgUnit, User
from app.services import indicators as service
from tests.browser.conftest import DESKTOP, PHONE, screenshot

pytestmark = pytest.mark.browser

PERIOD = "2026-Q2"
URL = f"/indicators?period={PERIOD}"
INDICATORS = [
    # code, section, polarity, unit, target, realisation
    ("PEM-01", "pemerintahan", "positive", "%", 100, 84.62),
    ("PEM-02", "pemerintahan", "positive", "berkas", 90, 72),
    ("PEM-03", "pemerintahan", "positive", "desa/kelurahan", 4, None),
    ("TRA-01", "trantib", "negative", "kasus", 10, 15),
    ("TRA-02", "trantib", "positive", "kegiatan", 12, 12),
    ("KES-01", "kesos", "positive", "%", 100, 40),
]


@pytest.fixture(scope="module")
def office(live_server):
    """Three sections and their indicators with 2026-Q2 values (one not measurable)."""
    app = live_server.app
    with app.app_context():
        for code, name in [
            ("pemerintahan", "Seksi Pemerintahan"),
            ("trantib", "Seksi Ketentraman dan Ketertiban Umum"),
            ("kesos", "Seksi Kesejahteraan Sosial"),
        ]:
            db.session.add(OrgUnit(code=code, name=name, is_section=True))
        db.session.flush()
        admin = db.session.scalar(sa.select(User).filter_by(username="admin"))
        for code, section, polarity, unit, target, realization in INDICATORS:
            indicator = service.create_indicator(
                code=code,
                name=f"Persentase capaian kegiatan {code} yang diselesaikan tepat waktu",
                unit=unit,
                polarity=polarity,
                aggregation="sum",
                section=section,
                actor=admin,
            )
            service.set_value(
                indicator,
                PERIOD,
                actor=admin,
                target=Decimal(target),
                realization=None if realization is None else Decimal(str(realization)),
            )
        db.session.commit()
    return app


def stored(app, code: str) -> tuple[Decimal | None, Decimal | None]:
    with app.app_context():
        row = db.session.scalar(
            sa.select(IndicatorValue)
            .join(IndicatorValue.indicator)
            .where(IndicatorValue.period == PERIOD, Indicator.code == code)
        )
        return row.target, row.realization


def mark_page(page: Page) -> None:
    """Leave a mark on the window that a reload would wipe."""
    page.evaluate("window.__noReload = true")


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("window.__noReload === true"), "the page was reloaded"


def test_capaian_follows_typing_without_saving(office, signed_in):
    """Does typing a realisation update the row's capaian and predikat without a reload, and
    without saving anything?"""
    page = signed_in("anggota")
    page.goto(URL)
    mark_page(page)
    expect(page.locator("#cap-PEM-02")).to_have_text("80,00")
    expect(page.locator("#pred-PEM-02 .predikat")).to_have_text("Tinggi")
    field = page.get_by_label("Realisasi PEM-02")
    field.fill("")
    field.press_sequentially("85,5")
    expect(page.locator("#cap-PEM-02")).to_have_text("95,00")
    expect(page.locator("#pred-PEM-02 .predikat")).to_have_text("Sangat Tinggi")
    expect(page.locator("#st-PEM-02")).to_have_text("belum disimpan")
    expect(field).to_be_focused()
    expect(field).to_have_value("85,5")
    assert_not_reloaded(page)
    assert stored(office, "PEM-02") == (Decimal(90), Decimal(72))


def test_bad_value_shows_an_inline_error(office, signed_in):
    """Does a bad value show a clear message under its row (and leave the database as it
    was), and does correcting it take the message away?"""
    page = signed_in("anggota")
    page.goto(URL)
    mark_page(page)
    field = page.get_by_label("Realisasi TRA-01")
    field.fill("lima belas")
    message = page.locator("#msg-TRA-01")
    expect(message).to_be_visible()
    expect(message).to_contain_text("Nilai realisasi harus berupa angka.")
    expect(page.locator("#cap-TRA-01")).to_have_text("–")
    field.press("Enter")  # a save is refused the same way
    expect(message).to_contain_text("Nilai realisasi harus berupa angka.")
    assert stored(office, "TRA-01") == (Decimal(10), Decimal(15))
    page.get_by_label("Target TRA-01").fill("0")
    field.fill("3")
    expect(message).to_contain_text("Target periode 2026-Q2 bernilai 0")
    page.get_by_label("Target TRA-01").fill("10")
    expect(message).to_be_hidden()
    expect(page.locator("#cap-TRA-01")).to_have_text("170,00")
    assert_not_reloaded(page)
    assert stored(office, "TRA-01") == (Decimal(10), Decimal(15))


def test_enter_saves_and_a_reload_shows_it(office, signed_in):
    """Does Enter save the row (a "tersimpan" mark, the section average refreshed), and does a
    reload show the stored value in Indonesian?"""
    page = signed_in("anggota")
    page.goto(URL)
    mark_page(page)
    summary = page.locator("#sum-pemerintahan")
    expect(summary).to_contain_text("2 terukur, 1 tidak dapat diukur")
    field = page.get_by_label("Realisasi PEM-03")
    field.fill("3.5")
    field.press("Enter")
    expect(page.locator("#st-PEM-03")).to_have_text("✓ tersimpan")
    expect(page.locator("#cap-PEM-03")).to_have_text("87,50")
    expect(summary).to_contain_text("3 terukur")
    # (84.62 + 80 + 87.5) / 3
    expect(summary.locator("td.capaian")).to_have_text("84,04")
    assert_not_reloaded(page)
    assert stored(office, "PEM-03") == (Decimal(4), Decimal("3.5"))
    page.reload()
    expect(page.get_by_label("Realisasi PEM-03")).to_have_value("3,5")
    expect(page.locator("#cap-PEM-03")).to_have_text("87,50")


def test_tab_moves_across_the_row_and_leaving_a_field_saves(office, signed_in):
    """Does Tab go from the target to the realisation to the row's Simpan, and does leaving a
    changed field save it?"""
    page = signed_in("admin")
    page.goto(URL)
    target = page.get_by_label("Target TRA-02")
    target.focus()
    target.fill("16")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Realisasi TRA-02")).to_be_focused()
    expect(page.locator("#st-TRA-02")).to_have_text("✓ tersimpan")
    expect(page.locator("#cap-TRA-02")).to_have_text("75,00")
    expect(page.locator("#pred-TRA-02 .predikat")).to_have_text("Sedang")
    page.keyboard.press("Tab")
    expect(page.locator("#save-TRA-02")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Target KES-01")).to_be_focused()
    assert stored(office, "TRA-02") == (Decimal(16), Decimal(12))


def test_viewer_sees_no_inputs(office, signed_in):
    """Does a viewer see the values read-only?"""
    page = signed_in("viewer")
    page.get_by_role("link", name="Indikator", exact=True).click()
    page.goto(URL)
    expect(page.locator("#ind-PEM-01")).to_contain_text("84,62")
    expect(page.locator("table.indicators input")).to_have_count(0)


def test_period_picker_swaps_the_sheet(office, signed_in):
    """Does choosing another period show its sheet (here empty of values) and put it in the
    address bar?"""
    page = signed_in("viewer")
    page.goto(URL)
    mark_page(page)
    page.get_by_label("Periode", exact=True).select_option("2026-Q3")
    expect(page.locator("#overall-title")).to_have_text("Ringkasan Triwulan III 2026")
    expect(page.locator("#cap-PEM-01")).to_have_text("–")
    assert page.url.endswith("period=2026-Q3&section=")
    assert_not_reloaded(page)


@pytest.mark.parametrize("size", ["1366", "390"])
def test_screenshots(office, signed_in, size):
    """Is the page readable at 1366 px and usable on a phone: the page itself never wider
    than the screen (the tables scroll inside their wrapper), the inputs reachable?"""
    viewport = DESKTOP if size == "1366" else PHONE
    page = signed_in("anggota", viewport)
    page.goto(URL)
    page.get_by_label("Realisasi KES-01").fill("4O")  # a letter O for a zero
    expect(page.locator("#msg-KES-01")).to_be_visible()
    screenshot(page, f"indicators-{size}")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"] + 1
    if viewport is DESKTOP:
        # At a desk the whole table fits: no sideways scrolling to reach Simpan.
        wrap = page.locator(".indicator-section .table-wrap").first
        assert wrap.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
    box = page.get_by_label("Target PEM-01").bounding_box()
    assert box["width"] >= 60 and box["height"] >= 28
