"""The board and its moves, through the pages (HTML and HTMX partials)."""

import re

import sqlalchemy as sa

from app.extensions import db
from app.models import Task, TaskStatus, User
from app.services import routing
from tests.web.conftest import PageClient, forget_rendered


def card_of(html: str, task_id: int) -> str:
    """Cut one task's card out of the board's HTML."""
    match = re.search(
        rf'<article class="task-card[^"]*" id="task-{task_id}".*?</article>', html, re.S
    )
    assert match, f"no card for task {task_id}"
    return match.group(0)


def test_login_page_refuses_a_wrong_password(app, users):
    """Does a wrong password show a clear message in Indonesian and keep the user out?"""
    client = PageClient(app.test_client())
    response = client.login("camat", "salah-sandi")
    assert response.status_code == 401
    assert "Nama pengguna atau kata sandi salah." in response.text
    assert client.get("/").status_code == 302


def test_login_form_needs_its_csrf_token(app, users):
    """Is a login post without the CSRF token refused?"""
    response = app.test_client().post("/login", data={"username": "camat", "password": "rahasia"})
    assert response.status_code in (400, 422)


def test_board_lanes_come_from_the_definition(pages, runner):
    """Does the board show one lane per actor of the SOP, in the definition's order, to a
    user who acts in none of them?"""
    runner.start("2026-Q1")
    html = pages("viewer").get("/").text
    lanes = re.findall(r'<h2 id="lane-(\w+)">', html)
    actors = [
        a["code"] for a in runner.api.get("/api/v1/sops/pengukuran-kinerja").get_json()["actors"]
    ]
    assert lanes == actors


def test_each_role_sees_only_its_moves(pages, runner):
    """Does the Sekcam's review card offer approve and return to the Sekcam only?"""
    instance = runner.start("2026-Q1")
    task = runner.walk_to(instance["id"], 10)
    sekcam_card = card_of(pages("sekcam").get("/").text, task["id"])
    assert "Setujui" in sekcam_card and "Kembalikan ke langkah 9" in sekcam_card
    for role in ("kasi", "anggota", "camat", "admin", "viewer"):
        card = card_of(pages(role).get("/").text, task["id"])
        assert "Setujui" not in card, role
        assert "Kembalikan" not in card, role
        assert "Unggah" not in card, role


def test_move_from_the_card_rerenders_the_board(pages, runner):
    """Does completing a step from its card answer the board with the next step's card?"""
    instance = runner.start("2026-Q1")
    task = runner.open_task(instance["id"])
    response = pages("camat").post(f"/tasks/{task['id']}/move", {"version": task["version"]})
    assert response.status_code == 200
    assert response.text.startswith('<div id="board"')
    following = runner.open_task(instance["id"])
    assert following["step_no"] == 2
    assert f'id="task-{following["id"]}"' in response.text


def test_refused_move_shows_its_message_on_the_card(pages, runner):
    """Is a step with missing documents refused with the names of what is missing, inline?"""
    instance = runner.start("2026-Q1")
    task = runner.walk_to(instance["id"], 3)
    response = pages("kasi").post(f"/tasks/{task['id']}/move", {})
    assert response.status_code == 422
    card = card_of(response.text, task["id"])
    assert 'class="card-error"' in card
    assert "Nota Dinas" in card and "Surat Undangan" in card
    assert runner.open_task(instance["id"])["id"] == task["id"]


def test_return_without_note_is_refused_on_the_page(pages, runner):
    """Is a return without an arahan refused, with the task still open?"""
    instance = runner.start("2026-Q1")
    task = runner.walk_to(instance["id"], 10)
    response = pages("sekcam").post(
        f"/tasks/{task['id']}/move", {"decision": "return", "note": "  "}
    )
    assert response.status_code == 422
    assert "arahan" in card_of(response.text, task["id"])
    assert runner.open_task(instance["id"])["id"] == task["id"]


def test_upload_from_the_card(pages, runner):
    """Can the kasi upload a missing document from the card, after which it is no longer
    listed as missing?"""
    import io

    from app.demo import demo_pdf

    instance = runner.start("2026-Q1")
    task = runner.walk_to(instance["id"], 3)
    client = pages("kasi")
    response = client.post(
        f"/tasks/{task['id']}/upload",
        {"kind": "Nota Dinas", "file": (io.BytesIO(demo_pdf("Nota Dinas", [])), "nota.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    card = card_of(response.text, task["id"])
    assert "Belum ada:</span> Surat Undangan" in card


def test_poll_without_changes_is_204(pages, runner):
    """Does a board poll answer 204 when nothing changed, and the new board after a move?"""
    instance = runner.start("2026-Q1")
    client = pages("camat")
    html = client.get("/", htmx=True).text
    version = re.search(r'data-board-version="([^"]+)"', html).group(1)
    assert client.get("/", htmx=True, headers={"X-Board-Version": version}).status_code == 204
    runner.advance(runner.open_task(instance["id"]))
    again = client.get("/", htmx=True, headers={"X-Board-Version": version})
    assert again.status_code == 200


def test_filter_offers_every_active_measurement(pages, runner):
    """Does the board's measurement filter list the active measurements, by period, and not
    a finished one, whether the board is filtered or not (unfiltered, the list comes from the
    cards' own tasks)?"""
    finished = runner.start("2026-Q1")
    runner.start("2026-Q3")
    runner.start("2026-Q2")
    runner.advance(runner.walk_to(finished["id"], 12))
    camat = pages("camat")
    for path in ("/", "/?mine=1", "/?overdue=1"):
        choices = re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', camat.get(path).text)
        assert choices == ["2026-Q2", "2026-Q3"], path


def test_filters_my_tasks_and_overdue(app, pages, runner):
    """Do the filters keep only my tasks, or only overdue ones?"""
    first = runner.start("2026-Q1")
    runner.start("2026-Q2")
    task = runner.open_task(first["id"])
    assert "task-card" not in pages("kasi").get("/?mine=1").text
    assert pages("camat").get("/?mine=1").text.count('class="task-card') == 2
    with app.app_context():
        row = db.session.get(Task, task["id"])
        row.due_at = row.opened_at.replace(year=2020)
        db.session.commit()
    overdue = pages("camat").get("/?overdue=1").text
    assert overdue.count('class="task-card') == 1
    assert "urgency-late" in card_of(overdue, task["id"])


def _count_board_queries(app, client) -> int:
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    # A render, not the kept board a hit answers with fewer statements.
    forget_rendered(app)
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get("/").status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def _start_many(app, count: int, offset: int = 0) -> None:
    with app.app_context():
        camat = db.session.scalar(sa.select(User).filter_by(username="camat"))
        for i in range(count):
            year, quarter = divmod(offset + i, 4)
            routing.start_instance(
                sop_code="pengukuran-kinerja", period=f"{2030 + year}-Q{quarter + 1}", actor=camat
            )
        db.session.commit()


def test_board_queries_do_not_grow_with_cards(app, pages):
    """Does a board render issue the same number of SQL statements for 5 and 200 cards?"""
    client = pages("camat")
    _start_many(app, 5)
    few = _count_board_queries(app, client)
    _start_many(app, 195, offset=5)
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).select_from(Task).where(Task.status == TaskStatus.OPEN)
            )
            == 200
        )
    many = _count_board_queries(app, client)
    assert many == few


def test_generated_output_from_the_card(app, pages, runner, api):
    """Can the Tim SAKIP have the system render the recap at step 8 and then finish it?"""
    from app.models import OrgUnit

    with app.app_context():
        db.session.add(OrgUnit(code="pemerintahan", name="Seksi Pemerintahan", is_section=True))
        db.session.commit()
    api.post(
        "/api/v1/indicators",
        json={
            "code": "IKU-1",
            "name": "Persentase layanan tepat waktu",
            "unit": "%",
            "polarity": "positive",
            "aggregation": "average",
            "section": "pemerintahan",
        },
        as_="admin",
    )
    api.client.put(
        "/api/v1/indicators/IKU-1/values/2026-Q1",
        json={"target": 100, "realization": 90},
        headers=api.headers("admin"),
    )
    instance = runner.start("2026-Q1")
    task = runner.walk_to(instance["id"], 8)
    client = pages("anggota")
    card = card_of(client.get("/").text, task["id"])
    assert "Buat otomatis: Rekapitulasi Hasil Pengukuran Kinerja" in card
    response = client.post(
        f"/tasks/{task['id']}/generate", {"kind": "Rekapitulasi Hasil Pengukuran Kinerja"}
    )
    assert response.status_code == 200
    assert "Dokumen lengkap" in card_of(response.text, task["id"])
    documents = api.get(f"/api/v1/instances/{instance['id']}/documents").get_json()
    assert documents[-1]["generated"] is True
    assert pages("anggota").post(f"/tasks/{task['id']}/move", {}).status_code == 200
