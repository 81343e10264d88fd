"""Every page of the product at a desk's and a phone's width: no element's box reaches past
the viewport, and the page does not hide what would by clipping its own overflow."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from app.demo import UNITS, load_demo_indicators
from app.extensions import db
from app.models import OrgUnit, User
from tests.browser.conftest import DESKTOP, PHONE, login, screenshot
from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser

VIEWPORTS = {"1366": DESKTOP, "390": PHONE}
RETURN_NOTE = (
    "Capaian Seksi Pemberdayaan Masyarakat dan Desa belum dihitung; lengkapi kertas kerja "
    "dan lampirkan bukti realisasinya."
)


@dataclass
class Product:
    """The office's data every page is shown with: measurements at the board's telling steps
    (a returned draft, a review, the signing step) and one signed."""

    instances: dict[str, int]
    signed_sha256: str
    indicator: str


@pytest.fixture(scope="module")
def product(live_server) -> Product:
    """Sections with indicators and values, three measurements open at steps 9 (returned),
    10 and 12, and one finished by signing."""
    app, runner = live_server.app, live_server.runner
    with app.app_context():
        for code, name, is_section in UNITS:
            db.session.add(OrgUnit(code=code, name=name, is_section=is_section))
        db.session.commit()
        admin = db.session.scalar(sa.select(User).filter_by(username="admin"))
        anggota = db.session.scalar(sa.select(User).filter_by(username="anggota"))
        load_demo_indicators(admin, anggota)
        db.session.commit()
    ids = {}
    for period in ("2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"):
        ids[period] = runner.start(period)["id"]
    review = runner.walk_to(ids["2026-Q1"], 10)
    runner.advance(review, "return", note=RETURN_NOTE)
    runner.walk_to(ids["2026-Q2"], 10)
    runner.walk_to(ids["2026-Q3"], 12)
    last = runner.walk_to(ids["2026-Q4"], 12)
    signed = runner.advance(last)
    indicator = runner.api.get("/api/v1/indicators", as_="admin").get_json()
    indicator = indicator["items"] if isinstance(indicator, dict) else indicator
    return Product(
        instances=ids, signed_sha256=signed["report"]["sha256"], indicator=indicator[0]["code"]
    )


# Every page of the product: (name, who views it or None for the public, its address).
PAGES: list[tuple[str, str | None, Callable[[Product], str]]] = [
    ("login", None, lambda p: "/login"),
    ("not-found", None, lambda p: "/halaman-yang-tidak-ada"),
    ("verify-form", None, lambda p: "/verify"),
    ("verify-signed", None, lambda p: f"/verify/{p.signed_sha256}"),
    ("verify-unknown", None, lambda p: "/verify/" + "0" * 64),
    ("board-camat", "camat", lambda p: "/"),
    ("board-anggota", "anggota", lambda p: "/"),
    ("board-sekcam", "sekcam", lambda p: "/"),
    ("start", "camat", lambda p: "/instances/new"),
    ("instances", "camat", lambda p: "/instances"),
    ("instance-open", "camat", lambda p: f"/instances/{p.instances['2026-Q1']}"),
    ("instance-signed", "camat", lambda p: f"/instances/{p.instances['2026-Q4']}"),
    ("indicators", "anggota", lambda p: "/indicators?period=2026-Q1"),
    ("indicators-viewer", "viewer", lambda p: "/indicators"),
    ("sop", "viewer", lambda p: "/sops/pengukuran-kinerja"),
    ("password", "kasi", lambda p: "/account/password"),
    ("admin", "admin", lambda p: "/admin"),
    ("admin-users", "admin", lambda p: "/admin/users"),
    ("admin-user-new", "admin", lambda p: "/admin/users/new"),
    ("admin-user", "admin", lambda p: "/admin/users/kasi"),
    ("admin-sections", "admin", lambda p: "/admin/sections"),
    ("admin-indicators", "admin", lambda p: "/admin/indicators"),
    ("admin-indicator", "admin", lambda p: f"/admin/indicators/{p.indicator}"),
    ("admin-scale", "admin", lambda p: "/admin/scale"),
    ("admin-calendar", "admin", lambda p: "/admin/calendar"),
    ("admin-office", "admin", lambda p: "/admin/office"),
    ("admin-audit", "admin", lambda p: "/admin/audit"),
    ("admin-audit-chain", "admin", lambda p: "/admin/audit/chain"),
]

# Measures every element's box against the viewport and names the ones that reach past it
# by a CSS selector path, the outermost of each first (the one whose parent still fits is
# where the overflow starts); also says whether html or body clip their overflow.
MEASURE = """() => {
  const width = window.innerWidth;
  const name = (el) => {
    let part = el.tagName.toLowerCase();
    if (el.id) return part + "#" + el.id;
    const classes = [...el.classList].slice(0, 2);
    if (classes.length) part += "." + classes.join(".");
    const parent = el.parentElement;
    if (parent) {
      const same = [...parent.children].filter((c) => c.tagName === el.tagName);
      if (same.length > 1) part += `:nth-of-type(${same.indexOf(el) + 1})`;
    }
    return part;
  };
  const selector = (el) => {
    const parts = [];
    for (let node = el; node && node !== document.body && parts.length < 4;
         node = node.parentElement) {
      parts.unshift(name(node));
      if (node.id) break;
    }
    return parts.join(" > ");
  };
  const roots = [], inner = [];
  const past = (el) => el && el.getBoundingClientRect().right > width + 1;
  for (const el of document.querySelectorAll("body, body *")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (box.right > width + 1) {
      const line = `${selector(el)} (right ${Math.round(box.right)} px)`;
      (past(el.parentElement) ? inner : roots).push(line);
    }
  }
  const offenders = roots.concat(inner);
  const clipping = ["html", "body"].filter((tag) =>
    ["hidden", "clip"].includes(getComputedStyle(document.querySelector(tag)).overflowX));
  return {width, scrollWidth: document.documentElement.scrollWidth, offenders, clipping};
}"""


def assert_fits(page: Page, label: str) -> None:
    """Fail naming every element whose box reaches past the viewport's right edge (once the
    page and its stylesheets have loaded)."""
    page.wait_for_load_state("load")
    found = page.evaluate(MEASURE)
    problems = []
    if found["clipping"]:
        problems.append(f"overflow clipped on {found['clipping']}")
    if found["scrollWidth"] > found["width"]:
        problems.append(f"page is {found['scrollWidth']} px wide in {found['width']} px")
    problems += found["offenders"][:8]
    if len(found["offenders"]) > 8:
        problems.append(f"… and {len(found['offenders']) - 8} more")
    assert not problems, f"{label}:\n  " + "\n  ".join(problems)


def visit(new_page, viewport: dict, role: str | None, path: str) -> Page:
    page = new_page(viewport)
    if role:
        login(page, role)
    page.goto(path)
    expect(page.locator("main")).to_be_visible()
    return page


@pytest.mark.slow  # a tour of every page of the product, at each width
@pytest.mark.parametrize("size", VIEWPORTS)
def test_every_page_fits_the_screen(product, new_page, size):
    """At 1366 and 390 px, does every element of every page stay within the screen's width,
    with nothing hidden by clipping the page's own overflow?"""
    viewport = VIEWPORTS[size]
    failures = []
    pages: dict[str | None, Page] = {}
    for name, role, path in PAGES:
        page = pages.get(role)
        if page is None:
            page = pages[role] = visit(new_page, viewport, role, path(product))
        else:
            page.goto(path(product))
        screenshot(page, f"layout-{name}-{size}")
        try:
            assert_fits(page, f"{name} ({path(product)}) at {size} px")
        except AssertionError as error:
            failures.append(str(error))
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("size", VIEWPORTS)
def test_long_code_in_a_flash_message_wraps(product, live_server, new_page, size):
    """After signing, does the flash with the 64-character verification code wrap within a
    phone's width instead of widening the page?"""
    viewport = VIEWPORTS[size]
    runner = live_server.runner
    instance = runner.start(f"2027-Q{1 if size == '1366' else 2}")
    task = runner.walk_to(instance["id"], 12)
    page = visit(new_page, viewport, "camat", "/")
    card = page.locator(f"#task-{task['id']}")
    card.get_by_label("Kata sandi Anda").fill(PASSWORD)
    card.get_by_role("button", name="Tandatangani laporan").click()
    # Signing renders the report: seconds, more on a busy machine.
    expect(page.locator(".flash-success")).to_contain_text("kode verifikasi", timeout=30_000)
    screenshot(page, f"signed-flash-{size}")
    assert_fits(page, f"signed flash at {size} px")


def returned_card(page: Page, period: str, step: int):
    return page.locator(f'article.task-card[data-step="{step}"]').filter(
        has=page.get_by_role("link", name=period, exact=True)
    )


def test_returns_at_each_review_show_their_arahan(product, live_server, signed_in):
    """Returned at the Sekcam's and then at the Camat's review, does the returned card show
    each arahan at its top, and does each review card link the draft under review?"""
    period, runner = "2028-Q1", live_server.runner
    instance = runner.start(period)
    runner.walk_to(instance["id"], 10)
    for reviewer, step, note in (
        ("sekcam", 10, "Sekcam: hitung ulang capaian Seksi Trantib."),
        ("camat", 11, "Camat: tambahkan analisis penyebab capaian rendah."),
    ):
        page = signed_in(reviewer)
        review = returned_card(page, period, step)
        link = review.locator(".io.reviewed a")
        expect(link).to_contain_text("Draft Laporan Hasil Pengukuran Data Kinerja")
        download = page.request.get(link.get_attribute("href"))
        assert download.ok and download.body().startswith(b"%PDF")
        review.get_by_text("Kembalikan untuk diperbaiki").click()
        review.get_by_label("Arahan perbaikan (wajib)").fill(note)
        review.get_by_role("button", name="Kembalikan ke langkah 9").click()
        expect(returned_card(page, period, step)).to_have_count(0)
        member = signed_in("anggota")
        arahan = returned_card(member, period, 9).locator(".arahan")
        expect(arahan).to_contain_text(note)
        expect(arahan).to_contain_text(f"Pengguna {reviewer.title()}")
        if step == 10:
            runner.walk_to(instance["id"], 11)


@pytest.mark.parametrize("size", VIEWPORTS)
def test_board_tells_the_story(product, signed_in, size):
    """On the Camat's board, does the returned card show its arahan, the review card link
    its draft and the signing card say what signing makes (screenshots at 1366 and 390 px)?"""
    page = signed_in("camat", VIEWPORTS[size])
    returned = returned_card(page, "2026-Q1", 9)
    expect(returned.locator(".arahan")).to_contain_text(RETURN_NOTE)
    review = returned_card(page, "2026-Q2", 10)
    expect(review.locator(".io.reviewed a")).to_have_count(1)
    signing = returned_card(page, "2026-Q3", 12)
    expect(signing.locator(".io.by-signing")).to_contain_text("Dibuat saat ditandatangani")
    expect(signing.locator(".io.missing")).to_have_count(0)
    # The Camat's own lane comes first: on a phone his card is at the top.
    expect(page.locator("section.column").first.locator("h2")).to_have_id("lane-camat")
    screenshot(page, f"board-story-{size}")
    assert_fits(page, f"board at {size} px")


def test_board_refresh_copies_no_style_attribute(live_server, browser):
    """When the board refreshes itself under a field that something (a screenshot tool, a
    password manager) gave a style attribute, does htmx keep to the CSP (no inline style)?"""
    live_server.app.config["BOARD_POLL_SECONDS"] = 1
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP, locale="id-ID")
    try:
        runner = live_server.runner
        task = runner.walk_to(runner.start("2031-Q1")["id"], 10)
        page = context.new_page()
        login(page, "sekcam")
        # Planting the attribute is itself refused by the CSP: listen only from then on.
        page.locator(f"#note-{task['id']}").evaluate("e => e.setAttribute('style', '')")
        heard: list[str] = []
        page.on("console", lambda message: heard.append(message.text))
        before = page.locator("#board").get_attribute("data-board-version")
        runner.start("2031-Q2")
        expect(page.locator("#board")).not_to_have_attribute("data-board-version", before)
        page.wait_for_timeout(300)
        assert not [text for text in heard if "Content Security Policy" in text], heard
    finally:
        context.close()
        live_server.app.config["BOARD_POLL_SECONDS"] = 20
