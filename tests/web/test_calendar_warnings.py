"""Tests for the warning where a due time depends on a year without a holiday list: the start
form, the board card and the measurement page's row."""

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

WIB = ZoneInfo("Asia/Jakarta")
WARNING = "Kalender kerja tahun 2031 belum ada."


def test_a_clock_in_2031_warns_on_the_start_form_the_card_and_the_row(pages, api, runner):
    """With the clock in 2031 (no list), the start form, the new task's card and its row on
    the measurement page each say that 2031's calendar is missing."""
    with time_machine.travel(datetime(2031, 3, 3, 8, 0, tzinfo=WIB), tick=True):
        camat = pages("camat")
        form = camat.get("/instances/new")
        assert WARNING in form.text
        started = runner.start("2031-Q1")
        task_id = started["open_tasks"][0]["id"]
        board = camat.get("/").text
        card = board[board.index(f'id="task-{task_id}"') :]
        card = card[: card.index("</article>")]
        assert WARNING in card
        page = camat.get(f"/instances/{started['id']}").text
        row = page[page.index("<tbody>") : page.index("</tbody>")]
        assert WARNING in row


def test_known_years_show_no_warning(pages, runner):
    """In 2026 (a known year) neither the start form, the card nor the row warns."""
    camat = pages("camat")
    assert "belum ada." not in camat.get("/instances/new").text
    started = runner.start("2026-Q3")
    assert "calendar-unknown" not in camat.get("/").text
    assert "calendar-unknown" not in camat.get(f"/instances/{started['id']}").text


def test_the_start_form_warns_of_a_coming_unknown_year(pages):
    """Late in 2027 (known), a measurement's steps would reach into 2028 (no list): the
    start form names 2028."""
    with time_machine.travel(datetime(2027, 12, 28, 8, 0, tzinfo=WIB), tick=True):
        text = pages("camat").get("/instances/new").text
    assert "Kalender kerja tahun 2028 belum ada." in text
