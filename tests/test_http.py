"""The edge of every request (app/http.py): language, client address, error answers, and
one commit or rollback per request."""

import shutil

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from app.errors import DomainError
from app.extensions import db
from app.models import AuditEvent, OrgUnit, SopVersion, Task, TaskStatus
from app.services import audit, routing
from tests.helpers import PASSWORD
from tests.web.conftest import PageClient, csrf_from

ENGLISH = {"Accept-Language": "en"}


def signed_in(app, username: str) -> PageClient:
    """A page client signed in through the login form."""
    client = PageClient(app.test_client())
    assert client.login(username).status_code == 302
    return client


def audit_events(app, action: str) -> list[AuditEvent]:
    """The committed audit events of `action`, oldest first (read in a fresh session)."""
    with app.app_context():
        return db.session.scalars(
            sa.select(AuditEvent).filter_by(action=action).order_by(AuditEvent.id)
        ).all()


# --- language ---------------------------------------------------------------------------


def test_pages_speak_indonesian_to_an_english_browser(app):
    """Does a page answer in Bahasa Indonesia even when the browser prefers English?"""
    response = app.test_client().get("/tidak-ada", headers=ENGLISH)
    assert response.status_code == 404
    assert "Halaman tidak ditemukan." in response.text


def test_a_refusal_on_the_board_is_indonesian_for_an_english_browser(app, runner):
    """Is a refused move's inline message Indonesian whatever Accept-Language says?"""
    instance = runner.start("2026-Q1")
    task = runner.walk_to(instance["id"], 3)
    client = signed_in(app, "kasi")
    response = client.client.post(
        f"/tasks/{task['id']}/move",
        data={"csrf_token": client.token},
        headers={"HX-Request": "true", **ENGLISH},
    )
    assert response.status_code == 422
    assert "dokumen yang belum ada" in response.text
    assert "missing documents" not in response.text


def test_the_api_speaks_the_language_the_client_asks_for(app):
    """Does the API answer English when asked, and Bahasa Indonesia by default?"""
    client = app.test_client()
    english = client.get("/api/v1/tidak-ada", headers=ENGLISH).get_json()["error"]
    indonesian = client.get("/api/v1/tidak-ada").get_json()["error"]
    assert english["message"] == "/api/v1/tidak-ada not found."
    assert indonesian["message"] == "/api/v1/tidak-ada tidak ditemukan."


# --- client address ---------------------------------------------------------------------


def test_the_audit_trail_records_the_callers_address(app, users):
    """Do a sign-in on the page and a token from the API record the caller's address?"""
    client = app.test_client()
    page = client.get("/login")
    client.post(
        "/login",
        data={"username": "camat", "password": PASSWORD, "csrf_token": csrf_from(page.text)},
        environ_base={"REMOTE_ADDR": "10.0.0.7"},
    )
    app.test_client().post(
        "/api/v1/auth/token",
        json={"username": "sekcam", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.8"},
    )
    assert [e.ip for e in audit_events(app, "auth.login")] == ["10.0.0.7"]
    assert [e.ip for e in audit_events(app, "auth.token_issued")] == ["10.0.0.8"]


# --- one commit or rollback per request --------------------------------------------------


def task_status(app, task_id: int) -> TaskStatus:
    """The task's committed status (read in a fresh session)."""
    with app.app_context():
        return db.session.get(Task, task_id).status


def half_done_then(error: DomainError):
    """A stand-in for routing.complete_task that writes and flushes an audit event, then
    refuses with `error`."""

    def complete_task(task, *, actor, **kwargs):
        audit.record("test.half_done", actor=actor, summary="half done", object_id=task.id)
        raise error

    return complete_task


def moved_with_twin_rows(real):
    """routing.complete_task, leaving behind two sections of one code for the commit."""

    def complete_task(task, **kwargs):
        result = real(task, **kwargs)
        db.session.add_all([OrgUnit(code="kembar", name="A"), OrgUnit(code="kembar", name="B")])
        return result

    return complete_task


@pytest.fixture
def first_task(runner) -> dict:
    """The open first step of a 2026-Q1 measurement, and the Camat's token fetched."""
    task = runner.open_task(runner.start("2026-Q1")["id"])
    runner.api.token("camat")
    return task


def complete(api, task: dict, **kwargs):
    return api.post(f"/api/v1/tasks/{task['id']}/complete", json={}, as_="camat", **kwargs)


def test_a_successful_move_is_committed(app, api, first_task):
    """Is what a successful request did in the database once it has answered?"""
    assert complete(api, first_task).status_code == 200
    assert task_status(app, first_task["id"]) == TaskStatus.DONE
    assert [e.object_id for e in audit_events(app, "task.completed")] == [str(first_task["id"])]


def test_a_get_that_writes_is_committed(app, api, tmp_path):
    """Does GET /sops commit the new version of an edited definition file it registers?"""
    sop_dir = tmp_path / "sops"
    shutil.copytree(app.config["SOP_DIR"], sop_dir)
    path = sop_dir / "pengukuran-kinerja.yaml"
    path.write_text(path.read_text().replace("\ntitle: ", "\ntitle: Revisi "))
    app.config["SOP_DIR"] = str(sop_dir)
    (listed,) = api.get("/api/v1/sops").get_json()
    assert listed["title"].startswith("Revisi ")
    with app.app_context():
        newest = db.session.scalar(
            sa.select(sa.func.max(SopVersion.version)).filter_by(code="pengukuran-kinerja")
        )
    assert newest == listed["version"] == 2


@pytest.mark.parametrize("keep_changes", [False, True])
def test_a_refusal_keeps_what_a_service_flushed_only_when_its_error_says_so(
    app, api, first_task, monkeypatch, keep_changes
):
    """Does a refused API request roll back what the service flushed before refusing, unless
    the error keeps its changes (an audited failure)?"""
    error = DomainError(422, "note_required", keep_changes=keep_changes)
    monkeypatch.setattr(routing, "complete_task", half_done_then(error))
    response = complete(api, first_task)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "note_required"
    assert len(audit_events(app, "test.half_done")) == (1 if keep_changes else 0)


def test_an_unexpected_error_after_a_flush_changes_nothing(app, api, first_task, monkeypatch):
    """Does a bug after a service flushed answer 500 in the one shape and keep nothing?"""
    monkeypatch.setattr(routing, "complete_task", half_done_then(ZeroDivisionError()))
    response = complete(api, first_task)
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "internal_error"
    assert audit_events(app, "test.half_done") == []


@pytest.mark.parametrize("htmx", [True, False])
def test_a_refused_move_on_the_board_changes_nothing(app, runner, first_task, monkeypatch, htmx):
    """Does a move the board refuses (inline, or by a redirect with a message) keep nothing
    the service flushed?"""
    client = signed_in(app, "camat")
    monkeypatch.setattr(routing, "complete_task", half_done_then(DomainError(422, "conflict")))
    response = client.post(f"/tasks/{first_task['id']}/move", {}, htmx=htmx)
    assert response.status_code == (422 if htmx else 302)
    assert audit_events(app, "test.half_done") == []
    assert task_status(app, first_task["id"]) == TaskStatus.OPEN


@pytest.mark.parametrize(
    "failure",
    [
        IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed")),
        StaleDataError("UPDATE statement on table 'task' expected to update 1 row(s)"),
        OperationalError("COMMIT", {}, Exception("database is locked")),
    ],
    ids=["integrity", "stale", "locked"],
)
def test_a_failing_commit_answers_409_and_keeps_nothing(app, api, first_task, monkeypatch, failure):
    """Does a commit that loses a race answer the 409 conflict shape, not the move's 200?"""

    def commit():
        raise failure

    monkeypatch.setattr(db.session, "commit", commit)
    response = complete(api, first_task, headers=ENGLISH)
    monkeypatch.undo()
    assert response.status_code == 409
    assert response.get_json() == {
        "error": {
            "status": 409,
            "code": "conflict",
            "message": "Someone else changed this at the same moment. Reload and try again.",
        }
    }
    assert task_status(app, first_task["id"]) == TaskStatus.OPEN


def test_a_twin_row_flushed_in_the_view_answers_409(app, api, first_task, monkeypatch):
    """Does an IntegrityError from a flush the service did not expect answer 409, not 500?"""
    monkeypatch.setattr(routing, "complete_task", moved_with_twin_rows(routing.complete_task))
    response = complete(api, first_task)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "conflict"
    assert task_status(app, first_task["id"]) == TaskStatus.OPEN


def test_a_lock_waited_out_before_the_view_answers_409(app, api, first_task, monkeypatch):
    """Does a request that finds the write lock held past the busy timeout while the API
    gate looks up its token (before any view runs) answer the 409 conflict, not a 500?"""
    from app.api import gate

    def locked():
        raise OperationalError("BEGIN IMMEDIATE", {}, Exception("database is locked"))

    monkeypatch.setattr(gate, "api_user", locked)
    response = complete(api, first_task, headers=ENGLISH)
    monkeypatch.undo()
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "conflict"
    assert task_status(app, first_task["id"]) == TaskStatus.OPEN


def test_a_page_whose_commit_fails_claims_no_success(app, first_task, monkeypatch):
    """Does a board move whose commit fails answer the conflict page and leave no "done"
    message for the next page?"""
    client = signed_in(app, "camat")
    monkeypatch.setattr(routing, "complete_task", moved_with_twin_rows(routing.complete_task))
    response = client.post(f"/tasks/{first_task['id']}/move", {}, htmx=False)
    assert response.status_code == 409
    assert "Data sudah diubah orang lain" in response.text
    assert "diselesaikan" not in response.text
    monkeypatch.undo()
    board = client.get("/").text
    assert "diselesaikan" not in board
    assert task_status(app, first_task["id"]) == TaskStatus.OPEN


def test_a_sign_in_whose_commit_fails_signs_nobody_in(app, users, monkeypatch):
    """Is a user whose sign-in could not be recorded left signed out?"""
    from app.services import accounts

    def record_login(user, **kwargs):
        db.session.add_all([OrgUnit(code="kembar", name="A"), OrgUnit(code="kembar", name="B")])

    monkeypatch.setattr(accounts, "record_login", record_login)
    client = PageClient(app.test_client())
    assert client.login("camat").status_code == 409
    assert client.get("/").status_code == 302


# --- a wrong password keeps its audit event ----------------------------------------------


def test_a_wrong_password_on_the_login_page_keeps_its_audit_event(app, users):
    """Is the failed sign-in on the page audited though the request is refused?"""
    assert PageClient(app.test_client()).login("camat", "salah-sandi").status_code == 401
    assert [e.data["username"] for e in audit_events(app, "auth.failed")] == ["camat"]


def test_a_wrong_password_for_a_token_keeps_its_audit_event(app, users):
    """Is the failed token request audited though it answers 401?"""
    response = app.test_client().post(
        "/api/v1/auth/token", json={"username": "camat", "password": "salah-sandi"}
    )
    assert response.status_code == 401
    assert [e.data["username"] for e in audit_events(app, "auth.failed")] == ["camat"]


@pytest.fixture
def signing_task(runner, snapshot) -> dict:
    """The open signing step (12) of a 2026-Q1 measurement."""
    return snapshot("step 12", lambda: runner.walk_to(runner.start("2026-Q1")["id"], 12))


def test_a_wrong_signing_password_keeps_its_audit_event(app, api, signing_task):
    """Is a wrong password at signing (API) audited, with the step still open?"""
    response = api.post(
        f"/api/v1/tasks/{signing_task['id']}/sign", json={"password": "salah"}, as_="camat"
    )
    assert response.status_code == 422
    assert [e.object_id for e in audit_events(app, "report.sign_failed")] == [
        str(signing_task["id"])
    ]
    assert task_status(app, signing_task["id"]) == TaskStatus.OPEN


def test_a_wrong_signing_password_on_the_card_keeps_its_audit_event(app, signing_task):
    """Is a wrong password on the card audited, counted with the failed sign-ins (the sixth
    finds the account locked), and the step still open?"""
    client = signed_in(app, "camat")
    answers = [
        client.post(f"/tasks/{signing_task['id']}/sign", {"password": "salah"}, htmx=True)
        for _ in range(6)
    ]
    assert [answer.status_code for answer in answers] == [422] * 5 + [423]
    assert "Akun dikunci sementara" in answers[-1].text
    assert len(audit_events(app, "report.sign_failed")) == 5
    assert task_status(app, signing_task["id"]) == TaskStatus.OPEN
