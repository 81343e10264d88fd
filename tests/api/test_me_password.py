"""Tests for changing one's own password and the change-required flow (POST /api/v1/me/password)."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent
from tests.helpers import PASSWORD

NEW = "gajah-biru-menari"


def change(api, as_="kasi", current=PASSWORD, new=NEW, **kwargs):
    body = {"current_password": current, "new_password": new}
    return api.post("/api/v1/me/password", json=body, as_=as_, **kwargs)


def token(client, username, password):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password})


def test_the_password_changes(api):
    """204; the new password signs in, the old one no longer does."""
    response = change(api)
    assert response.status_code == 204
    assert token(api.client, "kasi", NEW).status_code == 201
    assert token(api.client, "kasi", PASSWORD).status_code == 401


def test_a_wrong_current_password_is_refused(app, api):
    """422 invalid_password; nothing changes, the attempt is audited and counted."""
    response = change(api, current="salah")
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "invalid_password"
    assert token(api.client, "kasi", PASSWORD).status_code == 201
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert "user.password_change_failed" in actions


@pytest.mark.parametrize("new", ["pendek", "kasi", "password123", "198001012005010001"])
def test_a_weak_new_password_is_refused(api, new):
    """422 weak_password with the reasons in Indonesian; the old password stays."""
    response = change(api, new=new)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "weak_password"
    assert error["details"]["reasons"]
    assert error["message"].startswith("Kata sandi ditolak")
    assert token(api.client, "kasi", PASSWORD).status_code == 201


def test_the_same_password_again_is_refused(api):
    """A new password equal to the current one is 422 password_unchanged."""
    api.post(
        "/api/v1/me/password", json={"current_password": PASSWORD, "new_password": NEW}, as_="kasi"
    )
    api.tokens.clear()
    first = token(api.client, "kasi", NEW).get_json()["token"]
    response = api.client.post(
        "/api/v1/me/password",
        json={"current_password": NEW, "new_password": NEW},
        headers={"Authorization": f"Bearer {first}"},
    )
    assert response.get_json()["error"]["code"] == "password_unchanged"


def test_a_change_ends_the_other_tokens_but_not_this_one(api):
    """The token used for the change keeps working; the user's other tokens are revoked."""
    other = token(api.client, "kasi", PASSWORD).get_json()["token"]
    assert change(api).status_code == 204
    assert api.get("/api/v1/me", as_="kasi").status_code == 200
    response = api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {other}"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_token"


def test_no_password_or_hash_reaches_the_audit(app, api):
    """The change is audited, without the old or new password or any hash."""
    change(api)
    with app.app_context():
        rows = db.session.execute(sa.select(AuditEvent.__table__)).all()
        hashes = db.session.scalars(sa.text("SELECT password_hash FROM user_account")).all()
    text = str(rows)
    assert "user.password_changed" in text
    assert NEW not in text and PASSWORD not in text
    assert not any(h in text for h in hashes)


def test_malformed_bodies_are_refused(api):
    """Missing or extra fields are refused without a 500."""
    for body in ({}, {"current_password": PASSWORD}, {"new_password": NEW, "x": 1}):
        response = api.post("/api/v1/me/password", json=body, as_="kasi")
        assert response.status_code in (400, 422)


# --- an admin-set password must be changed ------------------------------------------------


def new_user(api, password="kopi-tubruk-senja-7"):
    body = {
        "username": "budi",
        "full_name": "Budi Santoso",
        "nip": "199001012015011001",
        "roles": ["anggota"],
        "password": password,
    }
    response = api.post("/api/v1/users", json=body, as_="admin")
    assert response.status_code == 201, response.get_json()
    return password


def test_an_admin_set_password_must_be_changed_first(api):
    """The user gets a token, /me says so, every other call is 403
    password_change_required; after the change everything works."""
    initial = new_user(api)
    first = token(api.client, "budi", initial)
    assert first.status_code == 201
    headers = {"Authorization": f"Bearer {first.get_json()['token']}"}
    me = api.client.get("/api/v1/me", headers=headers).get_json()
    assert me["password_change_required"] is True
    for path in ("/api/v1/tasks", "/api/v1/instances", "/api/v1/sops"):
        response = api.client.get(path, headers=headers)
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == "password_change_required"
    response = api.client.post(
        "/api/v1/me/password",
        json={"current_password": initial, "new_password": NEW},
        headers=headers,
    )
    assert response.status_code == 204
    assert api.client.get("/api/v1/tasks", headers=headers).status_code == 200
    me = api.client.get("/api/v1/me", headers=headers).get_json()
    assert me["password_change_required"] is False
