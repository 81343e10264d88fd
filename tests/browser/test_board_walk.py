"""One measurement walked through the real board in Chromium, each role in its own browser."""

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from app.demo import demo_pdf
from tests.browser.conftest import make_overdue
from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser

ROLES = ["camat", "sekcam", "kasi", "anggota", "admin", "viewer"]
STYLESHEET = Path(__file__).resolve().parents[2] / "static" / "css" / "app.css"


def card_of(page: Page, period: str, step: int):
    """The card of step `step` of the measurement for `period`."""
    return page.locator(f'article.task-card[data-step="{step}"]').filter(
        has=page.get_by_role("link", name=period, exact=True)
    )


def lane_of(page: Page, actor: str):
    """The board's lane of one actor (role code)."""
    return page.locator("section.column").filter(has=page.locator(f"h2#lane-{actor}"))


def open_board(page: Page) -> None:
    page.goto("/")
    expect(page.locator("#board")).to_be_visible()


def upload_outputs(page: Page, period: str, step: int, kinds: list[str]) -> None:
    """Upload each of `kinds` through the card's upload form, waiting for each swap."""
    for kind in kinds:
        card = card_of(page, period, step)
        card.get_by_label("Jenis dokumen").select_option(kind)
        card.get_by_label("Berkas").set_input_files(
            files=[
                {
                    "name": f"{kind.lower().replace(' ', '-')}.pdf",
                    "mimeType": "application/pdf",
                    "buffer": demo_pdf(kind, [f"Langkah {step}", period]),
                }
            ]
        )
        card.get_by_role("button", name="Unggah").click()
        missing = card_of(page, period, step).locator(".io.missing")
        expect(missing.filter(has_text=kind)).to_have_count(0)
    if kinds:
        expect(card_of(page, period, step).locator(".io.complete")).to_be_visible()


def press_card_button(page: Page, period: str, step: int, name: str) -> None:
    """Click one of the card's move buttons and wait until the card has left the board."""
    card = card_of(page, period, step)
    task_id = card.get_attribute("id")
    card.get_by_role("button", name=name).click()
    expect(page.locator(f"#{task_id}")).to_have_count(0)


def send_back(page: Page, period: str, step: int, note: str, to_step: int) -> None:
    """Return a review for correction with `note` as the arahan."""
    card = card_of(page, period, step)
    task_id = card.get_attribute("id")
    card.get_by_text("Kembalikan untuk diperbaiki").click()
    card.get_by_label("Arahan perbaikan (wajib)").fill(note)
    card.get_by_role("button", name=f"Kembalikan ke langkah {to_step}").click()
    expect(page.locator(f"#{task_id}")).to_have_count(0)


def assert_read_only_for(page: Page, period: str, step: int, role: str) -> None:
    """The card is on this role's board, with no move, upload or return on it."""
    open_board(page)
    card = card_of(page, period, step)
    expect(card, role).to_be_visible()
    for name in ("Setujui", "Selesaikan", "Unggah", "Kembalikan"):
        expect(card.get_by_role("button", name=re.compile(name)), f"{role}: {name}").to_have_count(
            0
        )
    expect(card.locator("details.return")).to_have_count(0)


def stylesheet_colour(name: str) -> str:
    """Answer a colour variable of app.css as the `rgb(r, g, b)` that getComputedStyle gives."""
    value = re.search(rf"--{name}:\s*#([0-9a-fA-F]{{6}})", STYLESHEET.read_text()).group(1)
    red, green, blue = (int(value[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgb({red}, {green}, {blue})"


@pytest.mark.slow
def test_one_measurement_walks_the_whole_board(live_server, signed_in):
    """Can the roles walk a measurement from step 1 to 12 on the board, with a return at the
    Sekcam's and at the Camat's review, each seeing only the moves that are theirs?"""
    period = "2026-Q1"
    steps = live_server.runner.definition()
    required = {no: step["required_outputs"] for no, step in steps.items()}
    pages = {role: signed_in(role) for role in ROLES}
    camat, sekcam, kasi, anggota = (pages[r] for r in ("camat", "sekcam", "kasi", "anggota"))

    camat.goto("/instances/new")
    camat.get_by_label("Periode").fill(period)
    camat.get_by_role("button", name="Mulai", exact=True).click()
    expect(camat).to_have_url(re.compile(r"/instances/\d+$"))
    instance_path = camat.url.removeprefix(live_server.url)

    def finish(page: Page, step: int, lane: str) -> None:
        open_board(page)
        expect(lane_of(page, lane).filter(has=card_of(page, period, step))).to_have_count(1)
        upload_outputs(page, period, step, required[step])
        press_card_button(page, period, step, f"Selesaikan langkah {step}")

    finish(camat, 1, "camat")
    assert_read_only_for(pages["viewer"], period, 2, "viewer")
    finish(sekcam, 2, "sekcam")

    # Step 3 refused before its documents are there: the card says what is missing, and stays.
    open_board(kasi)
    card = card_of(kasi, period, 3)
    card.get_by_role("button", name="Selesaikan langkah 3").click()
    error = card_of(kasi, period, 3).locator(".card-error")
    expect(error).to_be_visible()
    for kind in required[3]:
        expect(error).to_contain_text(kind)
    expect(card_of(kasi, period, 3)).to_have_count(1)
    finish(kasi, 3, "kasi")

    finish(camat, 4, "camat")
    for step in (5, 6, 7, 8, 9):
        finish(anggota, step, "anggota")

    # The Sekcam's review: only the Sekcam may approve or return it.
    for role in ("kasi", "anggota", "camat", "admin", "viewer"):
        assert_read_only_for(pages[role], period, 10, role)
    open_board(sekcam)
    expect(card_of(sekcam, period, 10).get_by_role("button", name="Setujui")).to_be_visible()
    first_note = "Capaian Seksi PMD belum dihitung, lengkapi kertas kerjanya."
    send_back(sekcam, period, 10, first_note, to_step=9)

    # The returned draft is back at step 9, second round; the Kepala Seksi (co-actor) fixes it.
    open_board(kasi)
    expect(card_of(kasi, period, 9).locator(".step-no")).to_contain_text("putaran 2")
    finish(kasi, 9, "anggota")
    open_board(sekcam)
    press_card_button(sekcam, period, 10, "Setujui")

    # The Camat's review sends it back too; it goes through every review again.
    for role in ("sekcam", "kasi", "anggota", "admin", "viewer"):
        assert_read_only_for(pages[role], period, 11, role)
    open_board(camat)
    second_note = "Tambahkan analisis penyebab capaian rendah pada indikator pelayanan."
    send_back(camat, period, 11, second_note, to_step=9)
    open_board(anggota)
    expect(card_of(anggota, period, 9).locator(".step-no")).to_contain_text("putaran 3")
    finish(anggota, 9, "anggota")
    open_board(sekcam)
    expect(card_of(sekcam, period, 10).locator(".step-no")).to_contain_text("putaran 3")
    press_card_button(sekcam, period, 10, "Setujui")
    open_board(camat)
    upload_outputs(camat, period, 11, required[11])
    press_card_button(camat, period, 11, "Setujui")
    # Step 12: the Camat signs with his password, which opens the finished measurement's page.
    open_board(camat)
    card_of(camat, period, 12).get_by_label("Kata sandi Anda").fill(PASSWORD)
    card_of(camat, period, 12).get_by_role("button", name="Tandatangani laporan").click()
    expect(camat).to_have_url(re.compile(r"/instances/\d+$"))
    open_board(camat)
    expect(camat.locator("article.task-card").filter(has_text=period)).to_have_count(0)

    # The measurement's page shows the loops taken and both arahan.
    camat.goto(instance_path)
    expect(camat.locator(".page-head")).to_contain_text("selesai")
    expect(camat.locator(".page-head")).to_contain_text("dikembalikan 2 kali")
    flowchart = camat.locator(".flowchart svg")
    expect(flowchart.locator(".flow-return-taken")).to_have_count(2)
    expect(flowchart.locator(".return-count")).to_have_count(2)
    expect(flowchart.locator(".return-count").first).to_contain_text("\u00d71")
    returns = camat.locator("section").filter(
        has=camat.get_by_role("heading", name="Arahan pengembalian")
    )
    expect(returns.locator("li")).to_have_count(2)
    expect(returns.locator("li").nth(0)).to_contain_text(first_note)
    expect(returns.locator("li").nth(0)).to_contain_text("Langkah 10 → 9")
    expect(returns.locator("li").nth(1)).to_contain_text(second_note)
    expect(returns.locator("li").nth(1)).to_contain_text("Langkah 11 → 9")


def test_overdue_card_is_red(live_server, signed_in):
    """Does a task past its due time show as an overdue card, with the stylesheet's red edge?"""
    runner = live_server.runner
    instance = runner.start("2027-Q1")
    task = runner.open_task(instance["id"])
    page = signed_in("camat")
    card = card_of(page, "2027-Q1", 1)
    expect(card).not_to_have_class(re.compile("urgency-late"))
    make_overdue(live_server.app, task["id"])
    page.reload()
    expect(card).to_have_class(re.compile(r"\burgency-late\b"))
    expect(card).to_have_css("border-left-color", stylesheet_colour("late"))
    expect(card.locator(".late")).to_have_text("Terlambat")


def test_board_refreshes_itself_after_another_users_move(live_server, signed_in):
    """Does the Sekcam's open board show the card a Camat's move opened, without a reload?"""
    live_server.runner.start("2028-Q1")
    # Poll every second (the template reads the interval from the config at each render).
    live_server.app.config["BOARD_POLL_SECONDS"] = 1
    try:
        watcher = signed_in("sekcam")
        expect(watcher.locator("#board")).to_have_attribute("hx-trigger", "every 1s")
        watcher.evaluate("window.notReloaded = true")
        expect(card_of(watcher, "2028-Q1", 2)).to_have_count(0)

        camat = signed_in("camat")
        press_card_button(camat, "2028-Q1", 1, "Selesaikan langkah 1")

        started = time.monotonic()
        new_card = lane_of(watcher, "sekcam").filter(has=card_of(watcher, "2028-Q1", 2))
        expect(new_card).to_have_count(1, timeout=5_000)
        assert time.monotonic() - started < 5
        assert watcher.evaluate("window.notReloaded") is True
        expect(card_of(watcher, "2028-Q1", 1)).to_have_count(0)
    finally:
        live_server.app.config.pop("BOARD_POLL_SECONDS")


def test_keyboard_reaches_the_card_buttons(live_server, signed_in):
    """Can a keyboard user Tab to a card's buttons and press Enter to complete or return?"""
    runner = live_server.runner
    instance = runner.start("2028-Q2")

    page = signed_in("camat")
    card = card_of(page, "2028-Q2", 1)
    task_id = card.get_attribute("id")
    card.get_by_role("link", name="2028-Q2").focus()
    reached = []
    for _ in range(8):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.textContent.trim()"))
        if reached[-1] == "Selesaikan langkah 1":
            break
    assert "Unggah" in reached and reached[-1] == "Selesaikan langkah 1", reached
    page.keyboard.press("Enter")
    expect(page.locator(f"#{task_id}")).to_have_count(0)
    expect(card_of(page, "2028-Q2", 2)).to_be_visible()

    # A return by keyboard: open the details with Enter, type the arahan, Enter on the button.
    runner.walk_to(instance["id"], 10)
    page = signed_in("sekcam")
    review = card_of(page, "2028-Q2", 10)
    review_id = review.get_attribute("id")
    review.get_by_role("link", name="2028-Q2").focus()
    for _ in range(8):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.tagName") == "SUMMARY":
            break
    assert page.evaluate("document.activeElement.textContent.trim()") == (
        "Kembalikan untuk diperbaiki"
    )
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.type("Perbaiki tabel capaian.")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == ("Kembalikan ke langkah 9")
    page.keyboard.press("Enter")
    expect(page.locator(f"#{review_id}")).to_have_count(0)
    expect(card_of(page, "2028-Q2", 9).locator(".step-no")).to_contain_text("putaran 2")
