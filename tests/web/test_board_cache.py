"""The board's lane cap, its show-more, and the per-process cache of rendered boards
(app/web/board.py, app/web/board_cache.py): a kept board is never shown stale."""

import re
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.web import board as board_view
from tests.web.conftest import csrf_from, forget_rendered
from tests.web.test_board import card_of


def without_tokens(html: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]*"', "", html)


def cards_in(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<article class="task-card[^"]*" id="task-(\d+)"', html)]


@contextmanager
def clock_at(monkeypatch, moment: datetime):
    """Let the board's pages believe it is `moment`."""
    monkeypatch.setattr(board_view, "utcnow", lambda: moment)
    yield


def test_cached_board_shows_a_move_made_between_renders(pages, runner):
    """Does a board rendered twice (kept the second time) show the next step once the first
    is completed elsewhere?"""
    instance = runner.start("2026-Q1")
    first = runner.open_task(instance["id"])
    sekcam = pages("sekcam")
    assert first["id"] in cards_in(sekcam.get("/").text)
    assert first["id"] in cards_in(sekcam.get("/").text)
    second = runner.advance(first)["next_tasks"][0]
    html = sekcam.get("/").text
    assert first["id"] not in cards_in(html)
    assert second["id"] in cards_in(html)


def test_cached_board_turns_a_card_red_once_its_due_time_passes(pages, runner, monkeypatch):
    """Does a kept board show a card overdue as soon as the clock passes its due time, even
    within the minute it was rendered in?"""
    instance = runner.start("2026-Q1")
    task = runner.open_task(instance["id"])
    due = datetime.fromisoformat(task["due_at"])
    camat = pages("camat")
    # The start of the due time's minute: not yet late.
    with clock_at(monkeypatch, due - timedelta(seconds=due.second, microseconds=due.microsecond)):
        before = without_tokens(card_of(camat.get("/").text, task["id"]))
        assert without_tokens(card_of(camat.get("/").text, task["id"])) == before
    assert "urgency-late" not in before
    with clock_at(monkeypatch, due + timedelta(seconds=1)):
        after = card_of(camat.get("/").text, task["id"])
    assert "urgency-late" in after and "Terlambat" in after


def test_two_users_each_see_their_own_board(pages, runner):
    """Do two users rendering the same board in the same minute each get their own moves
    and their own filter?"""
    instance = runner.start("2026-Q1")
    review = runner.walk_to(instance["id"], 10)
    other = runner.start("2026-Q2")
    sekcam, kasi = pages("sekcam"), pages("kasi")
    for _ in range(2):
        assert "Setujui" in card_of(sekcam.get("/").text, review["id"])
        assert "Setujui" not in card_of(kasi.get("/").text, review["id"])
        mine = cards_in(kasi.get("/?mine=1").text)
        assert review["id"] not in mine
        assert runner.open_task(other["id"])["id"] not in mine
        assert review["id"] in cards_in(sekcam.get("/?mine=1").text)


def test_kept_board_carries_each_sessions_own_csrf_token(pages, runner):
    """Can a second session of the same user move a card from a board kept from the first
    session's render (the form carries his own token, not the first session's)?"""
    instance = runner.start("2026-Q1")
    task = runner.open_task(instance["id"])
    first, second = pages("camat"), pages("camat")
    first.get("/")
    page = second.get("/", htmx=True).text
    second.token = csrf_from(page)
    assert second.token != csrf_from(first.get("/", htmx=True).text)
    response = second.post(f"/tasks/{task['id']}/move", {"version": task["version"]})
    assert response.status_code == 200, response.text


def test_refusal_is_not_kept(pages, runner):
    """Is a board carrying a refusal's message shown once, not to the next render?"""
    instance = runner.start("2026-Q1")
    task = runner.walk_to(instance["id"], 3)
    kasi = pages("kasi")
    refused = kasi.post(f"/tasks/{task['id']}/move", {})
    assert 'class="card-error"' in card_of(refused.text, task["id"])
    assert 'class="card-error"' not in card_of(kasi.get("/", htmx=True).text, task["id"])


def test_full_lane_shows_more_on_request(app, pages, runner):
    """Does a lane over the cap show its first cards, its whole count and a *Tampilkan N
    lagi* link that works as a plain link and as an HTMX swap?"""
    app.config["BOARD_LANE_CARDS"] = 2
    started = [runner.open_task(runner.start(f"2026-Q{q}")["id"])["id"] for q in (1, 2, 3)]
    camat = pages("camat")
    html = camat.get("/").text
    lane = re.search(
        r'<section class="column" aria-labelledby="lane-camat">.*?</section>', html, re.S
    )
    assert '<span class="count">3</span>' in lane.group(0)
    assert cards_in(lane.group(0)) == started[:2]
    link = re.search(r'<a class="show-more" id="more-camat" href="([^"]+)"[^>]*>([^<]+)</a>', html)
    assert link.group(2) == "Tampilkan 1 lagi"
    href = link.group(1).replace("&amp;", "&")
    assert href == "/?more=camat"
    for response in (camat.get(href), camat.get(href, htmx=True)):
        assert cards_in(response.text) == started
        assert 'id="more-camat"' not in response.text
    # The expanded lane stays expanded: the poll and the moves keep `more`.
    assert 'hx-get="/?more=camat"' in camat.get(href, htmx=True).text


def test_board_statements_do_not_grow_with_its_cards(app, pages, runner):
    """Does rendering a board of 50 cards take as many SQL statements as one of 5?"""
    camat = pages("camat")
    for number in range(5):
        runner.start(f"20{30 + number}-Q1")
    # A review card, a returned round and a signing card too, so every per-card kind of
    # query is there.
    review = runner.walk_to(runner.start("2029-Q1")["id"], 10)
    runner.advance(review, "return", note="Lengkapi datanya.")
    runner.walk_to(runner.start("2028-Q1")["id"], 12)

    def statements() -> int:
        seen = []

        def count(*args):
            seen.append(args[2])

        forget_rendered(app)
        with app.app_context():
            engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            html = camat.get("/?more=all").text
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
        return len(seen), len(cards_in(html))

    few, few_cards = statements()
    for number in range(45):
        runner.start(f"{2040 + number // 4}-Q{number % 4 + 1}")
    for period in ("2028-Q2", "2028-Q3"):
        runner.walk_to(runner.start(period)["id"], 12)
    many, many_cards = statements()
    assert (few_cards, many_cards) == (7, 54)
    assert many == few


def test_kept_boards_stay_within_their_bounds():
    """Does the cache forget its least recently used boards beyond its entries or its
    characters, and a board past the due time it was kept until?"""
    from app.web.board_cache import KeptBoard, RenderedBoards

    now = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    boards = RenderedBoards(3, chars=10)
    for key, html in (("a", "xxxx"), ("b", "yyyy"), ("c", "zzzz")):
        boards.put((key,), KeptBoard.of(html), None)
    assert boards.get(("a",), now) is None
    assert boards.get(("b",), now).filled("") == b"yyyy"
    boards.put(("d",), KeptBoard.of("w"), now + timedelta(seconds=1))
    assert boards.get(("d",), now).filled("") == b"w"
    assert boards.get(("d",), now + timedelta(seconds=1)) is None
    boards.put(("e",), KeptBoard.of("x" * 11), None)
    assert boards.get(("e",), now) is None
    assert len(boards) == 2


def test_a_kept_board_carries_each_sessions_token():
    """Does a kept board fill every form with the token of the session asking, between the
    page round it, and keep a user's text that looks like neither?"""
    from app.web.board_cache import CSRF_PLACEHOLDER, KeptBoard

    html = (
        f'<i>é</i><input value="{CSRF_PLACEHOLDER}"><b>csrf-</b><input value="{CSRF_PLACEHOLDER}">'
    )
    kept = KeptBoard.of(html)
    assert kept.filled("tok", b"<main>", b"</main>").decode() == (
        '<main><i>é</i><input value="tok"><b>csrf-</b><input value="tok"></main>'
    )
    assert kept.filled("other").decode() == html.replace(CSRF_PLACEHOLDER, "other")


def test_kept_board_asks_two_statements(app, pages, runner, monkeypatch):
    """Does a kept board, the whole page, ask the database only for the session's user and,
    in one statement, the change marker and the page round's data (the menu's SOP versions,
    the bell's count and the office)?"""
    runner.open_task(runner.start("2026-Q1")["id"])
    camat = pages("camat")
    # One minute for both renders: the next would render the board afresh.
    monkeypatch.setattr(board_view, "utcnow", lambda: datetime(2026, 3, 2, 1, 0, tzinfo=UTC))
    camat.get("/")
    seen = []

    def count(conn, cursor, statement, *args):
        if statement.split(None, 1)[0].upper() != "BEGIN":
            seen.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        assert camat.get("/").status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert len(seen) == 2, seen
