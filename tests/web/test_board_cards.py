"""Cards that tell the story: the arahan of a return, the draft under review, what signing
makes, the user's own lane first and the progress shown while a move runs."""

import html
import re

from tests.web.test_board import card_of


def _return(runner, task: dict, note: str) -> dict:
    """Return a review with `note`; answer the reopened task."""
    return runner.advance(task, decision="return", note=note)["next_tasks"][0]


def test_returned_card_shows_the_latest_arahan(pages, runner):
    """Does the card of a returned draft show who returned it, when, and the arahan?"""
    instance = runner.start("2026-Q1")
    review = runner.walk_to(instance["id"], 10)
    first_round = card_of(pages("anggota").get("/").text, runner.open_task(instance["id"])["id"])
    assert "Arahan perbaikan</strong>" not in first_round
    note = "Capaian Seksi PMD belum dihitung, lengkapi kertas kerjanya."
    reopened = _return(runner, review, note)
    assert reopened["step_no"] == 9 and reopened["iteration"] == 2
    card = card_of(pages("anggota").get("/").text, reopened["id"])
    assert "putaran 2" in card
    assert html.escape(note) in card
    assert "Pengguna Sekcam" in card and "(langkah 10)" in card
    # The arahan sits at the card's top, before the step's name.
    assert card.index(html.escape(note)) < card.index("<h3")


def test_returned_card_shows_the_return_that_opened_its_round(pages, runner):
    """After the Sekcam's and then the Camat's return, does the card carry the Camat's?"""
    instance = runner.start("2026-Q1")
    review = runner.walk_to(instance["id"], 10)
    reopened = _return(runner, review, "Arahan pertama dari Sekcam.")
    review = runner.advance(runner.advance(reopened)["next_tasks"][0])["next_tasks"][0]
    assert review["step_no"] == 11
    reopened = _return(runner, review, "Arahan kedua dari Camat.")
    card = card_of(pages("kasi").get("/").text, reopened["id"])
    assert "putaran 3" in card
    assert "Arahan kedua dari Camat." in card and "Pengguna Camat" in card
    assert "Arahan pertama dari Sekcam." not in card


def test_review_card_links_the_draft_under_review(pages, runner, api):
    """Does the Sekcam's review card link the latest draft of the step it reviews, and does
    the link download it?"""
    instance = runner.start("2026-Q1")
    review = runner.walk_to(instance["id"], 10)
    documents = api.get(f"/api/v1/instances/{instance['id']}/documents").get_json()
    (draft,) = [d for d in documents if d["step_no"] == 9]
    client = pages("sekcam")
    card = card_of(client.get("/").text, review["id"])
    link = f'href="/api/v1/documents/{draft["id"]}/content"'
    assert link in card
    reviewed = re.search(r'<p class="io reviewed">.*?</p>', card, re.S).group(0)
    assert draft["kind"] in reviewed and link in reviewed
    download = client.get(f"/api/v1/documents/{draft['id']}/content")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")


def test_review_card_links_the_newest_draft_after_a_return(pages, runner, api):
    """After a return and a new draft, does the review card link version 2, not version 1?"""
    instance = runner.start("2026-Q1")
    review = runner.walk_to(instance["id"], 10)
    reopened = _return(runner, review, "Perbaiki.")
    review = runner.advance(reopened)["next_tasks"][0]
    drafts = [
        d
        for d in api.get(f"/api/v1/instances/{instance['id']}/documents").get_json()
        if d["step_no"] == 9
    ]
    newest = max(drafts, key=lambda d: d["version"])
    assert newest["version"] == 2
    card = card_of(pages("sekcam").get("/").text, review["id"])
    reviewed = re.search(r'<p class="io reviewed">.*?</p>', card, re.S).group(0)
    assert f"/api/v1/documents/{newest['id']}/content" in reviewed
    assert "v2" in reviewed
    assert all(f"/documents/{d['id']}/content" not in reviewed for d in drafts if d != newest)


def test_plain_step_card_has_no_document_under_review(pages, runner):
    """Does a card of a step that reviews nothing show no 'Diperiksa' line?"""
    instance = runner.start("2026-Q1")
    task = runner.walk_to(instance["id"], 9)
    assert 'class="io reviewed"' not in card_of(pages("anggota").get("/").text, task["id"])


def test_signing_step_shows_what_signing_makes_not_missing(pages, runner):
    """Is step 12's sign-only output shown as made by signing, not as missing?"""
    instance = runner.start("2026-Q1")
    task = runner.walk_to(instance["id"], 12)
    (signed,) = runner.signed_outputs(12)
    card = card_of(pages("camat").get("/").text, task["id"])
    assert "Belum ada" not in card
    by_signing = re.search(r'<p class="io by-signing">.*?</p>', card, re.S).group(0)
    assert "Dibuat saat ditandatangani" in by_signing and signed in by_signing
    assert "Dokumen lengkap" not in card


def test_missing_upload_still_shows_as_missing(pages, runner):
    """Does an output that must be uploaded still show under 'Belum ada'?"""
    instance = runner.start("2026-Q1")
    task = runner.walk_to(instance["id"], 3)
    assert task["required_outputs"]
    card = card_of(pages(runner.actor_of(3)).get("/").text, task["id"])
    missing = re.search(r'<p class="io missing">.*?</p>', card, re.S).group(0)
    for kind in task["required_outputs"]:
        assert html.escape(kind) in missing


def _lanes(page_html: str) -> list[str]:
    return re.findall(r'<h2 id="lane-(\w+)">', page_html)


def test_own_lane_comes_first(pages, runner):
    """Does each actor see his own lane first, the others in the definition's order?"""
    runner.start("2026-Q1")
    actors = [
        a["code"] for a in runner.api.get("/api/v1/sops/pengukuran-kinerja").get_json()["actors"]
    ]
    for role in ("anggota", "kasi", "sekcam"):
        lanes = _lanes(pages(role).get("/").text)
        assert lanes[0] == role
        assert lanes[1:] == [a for a in actors if a != role]
    assert _lanes(pages("viewer").get("/").text) == actors


def test_every_card_form_shows_progress_and_disables_its_button(pages, runner):
    """Does every form on the cards disable its button and carry a progress text while its
    request runs (generating a PDF takes seconds)? The card says it once: htmx inherits the
    attribute and finds the buttons from the form that sends."""
    instance = runner.start("2026-Q1")
    seen = set()
    for step, role in ((8, "anggota"), (10, "sekcam"), (12, "camat")):
        task = runner.walk_to(instance["id"], step)
        card = card_of(pages(role).get("/").text, task["id"])
        assert 'hx-disabled-elt="find button"' in card.split(">", 1)[0]
        forms = re.findall(r"<form[^>]*hx-post=.*?</form>", card, re.S)
        assert forms
        for form in forms:
            assert "hx-disabled-elt" not in form
            progress = re.search(
                r'<span class="busy htmx-indicator" role="status">(.*?)</span>', form
            )
            assert progress and progress.group(1).endswith("…"), form
            seen.add(progress.group(1))
    assert {"Membuat PDF…", "Menyimpan…", "Menandatangani dan membuat PDF…"} <= seen
