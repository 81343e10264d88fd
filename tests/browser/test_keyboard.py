"""A whole measurement walked with the keyboard alone: Tab, Shift+Tab, Enter and Space (and
typing into text fields), role by role, from the start form to the signed report."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Locator, Page, expect

from app.demo import UNITS, demo_pdf, load_demo_indicators
from app.extensions import db
from app.models import OrgUnit, User
from tests.browser.conftest import screenshot
from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser

PERIOD = "2026-Q2"
ARAHAN = "Lengkapi analisis capaian Seksi Pelayanan Umum."
# Presses allowed to reach one control: enough for the whole board, not an endless loop.
MAX_PRESSES = 250
SLOW = 30_000  # ms: generating or signing a PDF


@pytest.fixture(scope="module")
def office(live_server) -> None:
    """The office's sections and indicators with their values, for the generated sheets."""
    with live_server.app.app_context():
        for code, name, is_section in UNITS:
            db.session.add(OrgUnit(code=code, name=name, is_section=is_section))
        db.session.commit()
        admin = db.session.scalar(sa.select(User).filter_by(username="admin"))
        anggota = db.session.scalar(sa.select(User).filter_by(username="anggota"))
        load_demo_indicators(admin, anggota)
        db.session.commit()


def is_focused(target: Locator) -> bool:
    return target.evaluate("element => element === document.activeElement")


def focus(page: Page, target: Locator) -> None:
    """Move the focus to `target` with Tab (or Shift+Tab when it lies before the focused
    element), and check that the focus is visible there."""
    expect(target).to_be_visible()
    backwards = target.evaluate(
        """element => {
          const active = document.activeElement;
          if (!active || active === document.body) return false;
          return !!(active.compareDocumentPosition(element) & Node.DOCUMENT_POSITION_PRECEDING);
        }"""
    )
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(MAX_PRESSES):
        if is_focused(target):
            break
        page.keyboard.press(key)
    else:
        raise AssertionError(f"{key} never reached {target}")
    outline = target.evaluate(
        "e => { const s = getComputedStyle(e); return [s.outlineStyle, s.outlineWidth]; }"
    )
    assert outline[0] != "none" and outline[1] != "0px", f"no visible focus on {target}"


def press(page: Page, target: Locator, key: str = "Enter") -> None:
    focus(page, target)
    page.keyboard.press(key)


def fill(page: Page, target: Locator, text: str) -> None:
    focus(page, target)
    page.keyboard.type(text)


def sign_in(page: Page, username: str) -> None:
    """Sign in on the login form: the user name field has the focus from the start."""
    # Listening turns on Chromium's file chooser interception now, well before the first
    # Space on a file field (turned on only then, the dialog can open before it is).
    page.on("filechooser", lambda chooser: None)
    page.goto("/login")
    expect(page.get_by_label("Nama pengguna")).to_be_focused()
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Papan kerja", level=1)).to_be_visible()


def open_board(page: Page) -> None:
    """Bring the role's window to the front (a background window gets no file chooser) and
    open the board."""
    page.bring_to_front()
    page.goto("/")


def card(page: Page, step: int) -> Locator:
    return page.locator(f'article.task-card[data-step="{step}"]').filter(
        has=page.get_by_role("link", name=PERIOD, exact=True)
    )


def upload_default_kind(page: Page, step: int) -> str:
    """Upload a PDF as the kind the card's list offers first (the first missing one)."""
    kind = card(page, step).get_by_label("Jenis dokumen").input_value()
    focus(page, card(page, step).get_by_label("Berkas"))
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(
        files=[
            {
                "name": f"langkah-{step}.pdf",
                "mimeType": "application/pdf",
                "buffer": demo_pdf(kind, [f"Langkah {step}", PERIOD]),
            }
        ]
    )
    press(page, card(page, step).get_by_role("button", name="Unggah"))
    # The board is swapped in anew, and the focus comes back to the same button.
    expect(card(page, step).locator(".io.missing").filter(has_text=kind)).to_have_count(0)
    expect(card(page, step).get_by_role("button", name="Unggah")).to_be_focused()
    return kind


def provide_outputs(page: Page, step: int, required: list[str], generated: dict) -> None:
    """Make each missing output: generated ones by their button, the others uploaded."""
    for _ in range(len(required)):
        missing = card(page, step).locator(".io.missing")
        if not missing.count():
            break
        text = missing.inner_text()
        kind = next(k for k in required if k in text)
        if kind in generated:
            press(page, card(page, step).get_by_role("button", name=f"Buat otomatis: {kind}"))
        else:
            kind = upload_default_kind(page, step)
        # Rendering a PDF takes seconds, more on a busy machine.
        expect(card(page, step).locator(".io.missing").filter(has_text=kind)).to_have_count(
            0, timeout=SLOW
        )
    expect(card(page, step).locator(".io.missing")).to_have_count(0)


def finish(page: Page, step: int, definition: dict) -> None:
    """Open the board, make the step's outputs and complete it, all from the keyboard."""
    open_board(page)
    expect(card(page, step)).to_have_count(1)
    info = definition[step]
    provide_outputs(page, step, info["required_outputs"], info.get("generated_outputs") or {})
    task_id = card(page, step).get_attribute("id")
    button = "Setujui" if info["kind"] == "decision" else f"Selesaikan langkah {step}"
    press(page, card(page, step).get_by_role("button", name=button))
    expect(page.locator(f"#{task_id}")).to_have_count(0, timeout=SLOW)
    # The card has left the board; the focus stays on the board, not back at the page's top.
    expect(page.locator("#board")).to_be_focused()


@pytest.mark.slow
def test_a_whole_measurement_by_keyboard_alone(live_server, office, signed_in, new_page):
    """Can every role do its steps with the keyboard alone, a return included, until the
    Camat signs the report by typing his password?"""
    definition = live_server.runner.definition()
    roles = ("camat", "sekcam", "kasi", "anggota")
    pages = {}
    for role in roles:
        pages[role] = new_page()
        sign_in(pages[role], role)
    camat = pages["camat"]
    camat.bring_to_front()

    press(camat, camat.get_by_role("link", name="Mulai pengukuran"))
    expect(camat.get_by_role("heading", name="Mulai pengukuran kinerja")).to_be_visible()
    fill(camat, camat.get_by_label("Periode"), PERIOD)
    press(camat, camat.get_by_role("button", name="Mulai", exact=True))
    expect(camat).to_have_url(re.compile(r"/instances/\d+$"))

    for step in range(1, 10):
        finish(pages[definition[step]["actors"][0]], step, definition)

    # The Sekcam returns the draft with an arahan, typed; the returned card shows it.
    sekcam = pages["sekcam"]
    open_board(sekcam)
    review = card(sekcam, 10)
    press(sekcam, review.locator("summary", has_text="Kembalikan untuk diperbaiki"))
    fill(sekcam, review.get_by_label("Arahan perbaikan (wajib)"), ARAHAN)
    press(sekcam, review.get_by_role("button", name="Kembalikan ke langkah 9"))
    expect(sekcam.locator('article.task-card[data-step="10"]')).to_have_count(0)
    kasi = pages["kasi"]
    open_board(kasi)
    expect(card(kasi, 9).locator(".arahan")).to_contain_text(ARAHAN)
    finish(kasi, 9, definition)

    for step in (10, 11):
        finish(pages[definition[step]["actors"][0]], step, definition)

    # Step 12: the Camat types his password and presses Enter on the signing button.
    open_board(camat)
    signing = card(camat, 12)
    expect(signing.locator(".io.by-signing")).to_be_visible()
    fill(camat, signing.get_by_label("Kata sandi Anda"), PASSWORD)
    press(camat, signing.get_by_role("button", name="Tandatangani laporan"))
    expect(camat).to_have_url(re.compile(r"/instances/\d+$"), timeout=SLOW)
    expect(camat.locator(".page-head")).to_contain_text("selesai", timeout=SLOW)
    expect(camat.locator(".flash-success")).to_contain_text("kode verifikasi")
    screenshot(camat, "keyboard-walk-signed")
