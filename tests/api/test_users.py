"""Tests for the users resource, the admin's (app/api/users.py, app/services/users.py)."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, OrgUnit
from tests.helpers import PASSWORD

INITIAL = "kopi-tubruk-senja-7"


def body(**changes) -> dict:
    base = {
        "username": "budi",
        "full_name": "Budi Santoso",
        "nip": "199001012015011001",
        "email": "budi@purbalinggakab.go.id",
        "roles": ["anggota"],
        "password": INITIAL,
    }
    return {**base, **changes}


def create(api, **changes):
    return api.post("/api/v1/users", json=body(**changes), as_="admin")


def patch(api, username, as_="admin", **changes):
    return api.client.patch(f"/api/v1/users/{username}", json=changes, headers=api.headers(as_))


def error_code(response, status):
    assert response.status_code == status, response.get_json()
    return response.get_json()["error"]["code"]


def audit_of(app, action):
    with app.app_context():
        return db.session.scalars(sa.select(AuditEvent).filter_by(action=action)).all()


def test_the_admin_creates_a_user(app, api):
    """201 with the user; he must change his password at first sign-in; audited."""
    with app.app_context():
        db.session.add(OrgUnit(code="pem", name="Seksi Pemerintahan", is_section=True))
        db.session.commit()
    response = create(api, org_unit="pem")
    assert response.status_code == 201, response.get_json()
    user = response.get_json()
    assert user["username"] == "budi"
    assert user["roles"] == ["anggota"]
    assert user["org_unit"] == {"code": "pem", "name": "Seksi Pemerintahan"}
    assert user["email"] == "budi@purbalinggakab.go.id"
    assert (user["active"], user["is_demo"], user["password_change_required"]) == (
        True,
        False,
        True,
    )
    assert user["locked_until"] is None
    (event,) = [e for e in audit_of(app, "user.created") if e.data["username"] == "budi"]
    assert event.actor == "admin"
    assert INITIAL not in str(event.data)


def test_the_list_is_paginated(api):
    """GET /users answers a page of users, by username."""
    page = api.get("/api/v1/users?per_page=3", as_="admin").get_json()
    assert page["total"] == 8
    assert [u["username"] for u in page["items"]] == ["admin", "anggota", "anggota2"]


@pytest.mark.parametrize("role", ["camat", "sekcam", "kasi", "anggota", "viewer"])
def test_only_admins_manage_users(api, role):
    """Every other role is 403 on listing, creating and changing users."""
    assert error_code(api.get("/api/v1/users", as_=role), 403) == "forbidden"
    assert error_code(api.post("/api/v1/users", json=body(), as_=role), 403) == "forbidden"
    assert error_code(patch(api, "kasi", as_=role, full_name="X"), 403) == "forbidden"


def test_without_credentials_it_is_401(api):
    """No credentials: 401."""
    assert api.get("/api/v1/users", as_=None).status_code == 401


@pytest.mark.parametrize(
    ("changes", "status", "code"),
    [
        ({"password": "budi12345"}, 422, "weak_password"),
        ({"password": "199001012015011001"}, 422, "weak_password"),
        ({"password": "password123"}, 422, "weak_password"),
        ({"nip": "12345"}, 422, "invalid_nip"),
        ({"nip": "19900101201501100x"}, 422, "invalid_nip"),
        ({"email": "bukan-email"}, 422, "invalid_email"),
        ({"roles": ["bendahara"]}, 422, "unknown_role"),
        ({"org_unit": "tidak-ada"}, 422, "unknown_org_unit"),
        ({"username": "kasi"}, 409, "duplicate_user"),
        ({"nip": "198001012005010001"}, 409, "duplicate_user"),
    ],
)
def test_bad_users_are_refused(app, api, changes, status, code):
    """A weak password, a bad NIP, e-mail, role or unit, a taken username or NIP: refused,
    nobody created."""
    assert error_code(create(api, **changes), status) == code
    assert api.get("/api/v1/users", as_="admin").get_json()["total"] == 8


def test_a_weak_password_names_its_reasons(api):
    """The weak_password refusal says why, in Indonesian."""
    error = create(api, password="budi").get_json()["error"]
    assert error["details"]["reasons"] == ["kurang dari 10 karakter", "sama dengan nama pengguna"]


def test_malformed_bodies_are_refused(api):
    """Unknown fields, a bad username or no roles: 422 without a 500."""
    for bad in (body(extra=1), body(username="Budi Besar"), body(roles=[]), {"username": "x"}):
        assert api.post("/api/v1/users", json=bad, as_="admin").status_code == 422


def test_the_admin_changes_a_user_and_the_audit_keeps_old_and_new(app, api):
    """PATCH changes the fields sent; the audit event has each one's old and new value."""
    create(api)
    response = patch(api, "budi", full_name="Budi S.", roles=["kasi", "anggota"], email=None)
    assert response.status_code == 200, response.get_json()
    user = response.get_json()
    assert (user["full_name"], user["roles"], user["email"]) == (
        "Budi S.",
        ["anggota", "kasi"],
        None,
    )
    (event,) = audit_of(app, "user.updated")
    assert event.data["changes"] == {
        "full_name": {"old": "Budi Santoso", "new": "Budi S."},
        "email": {"old": "budi@purbalinggakab.go.id", "new": None},
        "roles": {"old": ["anggota"], "new": ["anggota", "kasi"]},
    }


def test_an_unknown_user_is_404(api):
    """PATCH of a user that does not exist: 404 unknown_user."""
    assert error_code(patch(api, "tidak-ada", full_name="X"), 404) == "unknown_user"


def test_deactivating_ends_his_tokens_and_blocks_sign_in(app, api):
    """active: false revokes his tokens at once; he cannot sign in; reactivating lets him."""
    token = api.token("kasi")
    assert patch(api, "kasi", active=False).get_json()["active"] is False
    response = api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    login = {"username": "kasi", "password": PASSWORD}
    assert api.client.post("/api/v1/auth/token", json=login).status_code == 401
    patch(api, "kasi", active=True)
    assert api.client.post("/api/v1/auth/token", json=login).status_code == 201
    (off, on) = audit_of(app, "user.updated")
    assert off.data["changes"]["active"] == {"old": True, "new": False}
    assert off.data["ended"]["tokens"] == 1


def test_an_admin_set_password_ends_his_tokens_and_must_be_changed(app, api):
    """A new password from the admin: his tokens end; he signs in with it and must change
    it; the audit says it was set, never what it is."""
    token = api.token("kasi")
    response = patch(api, "kasi", password=INITIAL)
    assert response.get_json()["password_change_required"] is True
    assert (
        api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code
        == 401
    )
    fresh = api.client.post("/api/v1/auth/token", json={"username": "kasi", "password": INITIAL})
    headers = {"Authorization": f"Bearer {fresh.get_json()['token']}"}
    assert error_code(api.client.get("/api/v1/tasks", headers=headers), 403) == (
        "password_change_required"
    )
    (event,) = audit_of(app, "user.updated")
    assert INITIAL not in str(event.data)
    assert "password" in event.data["changes"]


def test_an_admin_cannot_lock_himself_out(api):
    """Deactivating oneself or dropping one's own admin role: 422 own_account."""
    assert error_code(patch(api, "admin", active=False), 422) == "own_account"
    assert error_code(patch(api, "admin", roles=["viewer"]), 422) == "own_account"


def test_the_admin_unlocks_a_locked_account(app, api):
    """A locked account shows locked_until; the admin's unlock lets him in at once."""
    for _ in range(5):
        api.client.post("/api/v1/auth/token", json={"username": "kasi", "password": "salah"})
    login = {"username": "kasi", "password": PASSWORD}
    assert error_code(api.client.post("/api/v1/auth/token", json=login), 423) == "account_locked"
    listed = api.get("/api/v1/users?per_page=200", as_="admin").get_json()["items"]
    assert next(u for u in listed if u["username"] == "kasi")["locked_until"]
    response = api.post("/api/v1/users/kasi/unlock", as_="admin")
    assert response.status_code == 200
    assert response.get_json()["locked_until"] is None
    assert api.client.post("/api/v1/auth/token", json=login).status_code == 201
    assert len(audit_of(app, "user.unlocked")) == 1


def test_the_openapi_documents_the_users_resource(api):
    """The OpenAPI document lists the users calls and their refusals."""
    paths = api.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/users"])
    post = paths["/api/v1/users"]["post"]["responses"]
    assert "weak_password" in post["422"]["description"]
    assert "duplicate_user" in post["409"]["description"]
    assert "patch" in paths["/api/v1/users/{username}"]
    token = paths["/api/v1/auth/token"]["post"]["responses"]
    assert "account_locked" in token["423"]["description"]
