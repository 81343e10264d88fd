"""The board and separation of duties: a reviewer of his own work sees no decision on the card,
and a refused attempt shows its reason there, in Indonesian."""

from tests.services.test_duties import doubles, finish_step  # noqa: F401 (a fixture)
from tests.web.test_board import card_of


def test_board_hides_the_decision_from_the_maker(pages, runner, api, doubles):  # noqa: F811
    """Does the anggota+sekcam who finished step 9 see step 10's card without approve, return
    or upload, with the reason; and another sekcam the buttons?"""
    step10 = finish_step(runner, api, runner.walk_to(runner.start()["id"], 9), "pembuat")
    card = card_of(pages("pembuat").get("/").text, step10["id"])
    assert "Setujui" not in card
    assert "Kembalikan" not in card
    assert "Unggah" not in card
    assert "Pemisahan tugas: Anda sendiri menyelesaikan langkah 9" in card
    other = card_of(pages("sekcam").get("/").text, step10["id"])
    assert "Setujui" in other and "Kembalikan ke langkah 9" in other
    assert "Pemisahan tugas" not in other


def test_refused_attempt_shows_on_the_card(pages, runner, api, doubles):  # noqa: F811
    """Is the maker's approval posted anyway refused on the card with the reason (403), the
    task still open?"""
    step10 = finish_step(runner, api, runner.walk_to(runner.start()["id"], 9), "pembuat")
    response = pages("pembuat").post(
        f"/tasks/{step10['id']}/move", {"decision": "approve", "version": step10["version"]}
    )
    assert response.status_code == 403
    card = card_of(response.text, step10["id"])
    assert 'class="card-error"' in card
    assert "tidak dapat memutuskan langkah 10" in card
    assert runner.open_task(step10["instance_id"])["id"] == step10["id"]


def test_board_queries_do_not_grow_with_reviews(app, pages, runner, api, doubles):  # noqa: F811
    """Does the maker's board issue as many SQL statements with three reviews of his own work
    open as with one (the separation of duties is judged in one query for all cards)?"""
    from tests.web.test_board import _count_board_queries

    client = pages("pembuat")
    periods = iter(("2026-Q1", "2026-Q2", "2026-Q3"))
    finish_step(runner, api, runner.walk_to(runner.start(next(periods))["id"], 9), "pembuat")
    one = _count_board_queries(app, client)
    for period in periods:
        finish_step(runner, api, runner.walk_to(runner.start(period)["id"], 9), "pembuat")
    html = client.get("/").text
    assert html.count("Pemisahan tugas") == 3
    assert _count_board_queries(app, client) == one
