"""The edge of every request (app/http.py): language, client address, error answers."""

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent
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
