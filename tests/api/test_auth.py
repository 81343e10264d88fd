"""Tests for tokens, the signed-in user and session CSRF (app/api/auth.py, app/auth.py)."""

import hashlib
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from itsdangerous import URLSafeTimedSerializer

from app.extensions import db
from app.models import ApiToken, AuditEvent, utcnow
from tests.helpers import PASSWORD

TOKEN_URL = "/api/v1/auth/token"


def login(client, username="camat", password=PASSWORD, **kwargs):
    """Ask for a token; answer the response."""
    return client.post(TOKEN_URL, json={"username": username, "password": password}, **kwargs)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def events(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(
            db.session.scalars(sa.select(AuditEvent).filter_by(action=action).order_by("id"))
        )


@pytest.fixture
def client(app, users):
    """A plain test client, with the users created."""
    return app.test_client()


# --- issuing tokens ----------------------------------------------------------------------


def test_token_is_issued(app, client):
    """Right credentials get 201 with a Bearer token that expires in office time (+07:00)."""
    response = login(client)
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"token", "token_type", "expires_at"}
    assert body["token_type"] == "Bearer"
    assert len(body["token"]) >= 40
    assert body["expires_at"].endswith("+07:00")
    expires_at = datetime.fromisoformat(body["expires_at"])
    expected = utcnow() + timedelta(hours=app.config["TOKEN_TTL_HOURS"])
    assert abs(expires_at - expected) < timedelta(minutes=1)


def test_issued_token_works(client):
    """The issued token identifies its user on /me."""
    token = login(client).get_json()["token"]
    response = client.get("/api/v1/me", headers=bearer(token))
    assert response.status_code == 200
    assert response.get_json()["username"] == "camat"


def test_unknown_user_and_wrong_password_get_the_same_answer(client):
    """An unknown user and a wrong password both get 401 invalid_credentials, same body."""
    unknown = login(client, username="tidak-ada")
    wrong = login(client, password="salah")
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.get_json() == wrong.get_json()
    assert wrong.get_json()["error"]["code"] == "invalid_credentials"


def test_error_message_is_indonesian_by_default(client):
    """Without Accept-Language the error message is in Bahasa Indonesia."""
    error = login(client, password="salah").get_json()["error"]
    assert error == {
        "status": 401,
        "code": "invalid_credentials",
        "message": "Nama pengguna atau kata sandi salah.",
    }


def test_error_message_is_english_when_asked(client):
    """With Accept-Language: en the error message is in English."""
    response = login(client, password="salah", headers={"Accept-Language": "en"})
    assert response.get_json()["error"]["message"] == "Wrong username or password."


@pytest.mark.parametrize(
    "body",
    [{}, {"username": "camat"}, {"username": "", "password": "x"}, {"username": 5, "password": 1}],
)
def test_malformed_token_request_is_refused(client, body):
    """A token request without a username and password string is refused with no 500."""
    response = client.post(TOKEN_URL, json=body)
    assert response.status_code in (400, 422)
    assert response.get_json()["error"]["status"] == response.status_code


# --- lock-outs (counted in the database) --------------------------------------------------


def test_five_failures_lock_the_account_and_the_sixth_is_refused(client):
    """After 5 failed logins the account is locked: the sixth attempt, even with the right
    password, is 423 account_locked saying until when."""
    for _ in range(5):
        assert login(client, password="salah").status_code == 401
    response = login(client)
    assert response.status_code == 423
    error = response.get_json()["error"]
    assert error["code"] == "account_locked"
    until = datetime.fromisoformat(error["details"]["locked_until"])
    assert abs(until - (utcnow() + timedelta(minutes=15))) < timedelta(minutes=1)
    assert "Akun dikunci sementara" in error["message"]


def test_another_user_at_the_same_address_still_signs_in(client):
    """One person's lock-out does not lock out a colleague behind the same address."""
    for _ in range(5):
        login(client, password="salah")
    assert login(client).status_code == 423
    assert login(client, username="sekcam").status_code == 201


def test_successful_logins_forget_the_failures(client):
    """A success between failures starts the count again."""
    for _ in range(4):
        assert login(client, password="salah").status_code == 401
    assert login(client).status_code == 201
    for _ in range(4):
        assert login(client, password="salah").status_code == 401
    assert login(client).status_code == 201


def test_an_unknown_username_locks_like_a_real_one(client):
    """Unknown and real usernames answer alike, locked or not, so neither reveals itself."""
    real = [login(client, password="salah").status_code for _ in range(6)]
    unknown = [login(client, username="tidak-ada").status_code for _ in range(6)]
    assert real == unknown == [401] * 5 + [423]


def test_the_lock_ends_after_its_minutes(app, client):
    """Once ACCOUNT_LOCK_MINUTES have passed, the right password works again."""
    from app.models import LoginFailure

    for _ in range(5):
        login(client, password="salah")
    assert login(client).status_code == 423
    with app.app_context():
        for failure in db.session.scalars(sa.select(LoginFailure)):
            failure.at -= timedelta(minutes=16)
        db.session.commit()
    assert login(client).status_code == 201


def test_lock_settings_are_configurable(app, client):
    """ACCOUNT_LOCK_FAILURES sets how many failures lock the account."""
    app.config["ACCOUNT_LOCK_FAILURES"] = 2
    assert [login(client, password="salah").status_code for _ in range(3)] == [401, 401, 423]


def test_an_address_is_slowed_only_past_its_limit(app, client):
    """Past ADDRESS_FAILURE_LIMIT failures from one address in the window, every login from
    it is 429 rate_limited; below it, typos of many people pass."""
    app.config["ADDRESS_FAILURE_LIMIT"] = 8
    statuses = [
        login(client, username=name, password="salah").status_code
        for name in ("camat", "sekcam", "kasi", "anggota") * 2
    ]
    assert statuses == [401] * 8
    response = login(client, username="viewer")
    assert response.status_code == 429
    assert response.get_json()["error"]["code"] == "rate_limited"
    other = login(client, username="viewer", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 201


def test_locked_attempts_are_audited_and_not_counted(app, client):
    """An attempt on a locked account is audited with its reason and does not extend the
    lock."""
    from app.models import LoginFailure

    for _ in range(7):
        login(client, password="salah")
    refused = [e for e in events(app, "auth.failed") if e.data.get("reason")]
    assert [e.data["reason"] for e in refused] == ["account_locked"] * 2
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginFailure)) == 5


# --- using and revoking tokens -----------------------------------------------------------


def test_revoked_token_is_refused(client):
    """DELETE /auth/token answers 204; the token is then 401 invalid_token."""
    token = login(client).get_json()["token"]
    response = client.delete(TOKEN_URL, headers=bearer(token))
    assert response.status_code == 204
    assert response.data == b""
    response = client.get("/api/v1/me", headers=bearer(token))
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_token"


def test_revoking_writes_an_audit_event(app, client):
    """Revoking a token writes auth.token_revoked."""
    token = login(client).get_json()["token"]
    client.delete(TOKEN_URL, headers=bearer(token))
    (event,) = events(app, "auth.token_revoked")
    assert event.actor == "camat"


def test_revoking_one_token_leaves_the_others(client):
    """Revoking one token does not revoke the user's other tokens."""
    first = login(client).get_json()["token"]
    second = login(client).get_json()["token"]
    assert first != second
    client.delete(TOKEN_URL, headers=bearer(first))
    assert client.get("/api/v1/me", headers=bearer(second)).status_code == 200


def test_expired_token_is_refused(app, client):
    """A token past its expires_at is 401 invalid_token."""
    token = login(client).get_json()["token"]
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    with app.app_context():
        db.session.execute(sa.update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    response = client.get("/api/v1/me", headers=bearer(token))
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_token"


def test_token_of_deactivated_user_is_refused(app, client, users):
    """A deactivated user's token stops working."""
    token = login(client).get_json()["token"]
    with app.app_context():
        from app.models import User

        db.session.get(User, users["camat"]).is_active_account = False
        db.session.commit()
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401


def test_no_credentials_is_unauthorized(client):
    """A call without credentials is 401 unauthorized."""
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    error = response.get_json()["error"]
    assert (error["status"], error["code"]) == (401, "unauthorized")


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("Bearer garbage", "invalid_token"),
        ("Bearer " + "x" * 5000, "invalid_token"),
        ("Bearer token\u00e9", "invalid_token"),
        ("Bearer", "unauthorized"),
        ("Basic Y2FtYXQ6cmFoYXNpYQ==", "unauthorized"),
        ("garbage", "unauthorized"),
    ],
    ids=["unknown", "long", "non-ascii", "empty-bearer", "basic", "no-scheme"],
)
def test_garbage_authorization_header_is_401(client, header, code):
    """A garbage Authorization header is 401 in the one error shape, never a 500."""
    response = client.get("/api/v1/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == code


def test_delete_token_without_credentials_is_401(client):
    """Revoking without a token is 401."""
    assert client.delete(TOKEN_URL).status_code == 401


# --- /me ---------------------------------------------------------------------------------


def test_me_shape(client):
    """GET /me answers username, full_name, nip, roles and org_unit."""
    token = login(client, username="kasi").get_json()["token"]
    body = client.get("/api/v1/me", headers=bearer(token)).get_json()
    assert body == {
        "username": "kasi",
        "full_name": "Pengguna Kasi",
        "nip": body["nip"],
        "roles": ["kasi"],
        "org_unit": None,
        "email": None,
        "is_demo": False,
        "password_change_required": False,
    }
    assert len(body["nip"]) == 18


# --- storage and audit -------------------------------------------------------------------


def test_tokens_are_stored_only_hashed(app, client):
    """The raw token appears nowhere in api_token (or the audit log); its SHA-256 does."""
    token = login(client).get_json()["token"]
    with app.app_context():
        tokens = db.session.execute(sa.select(ApiToken.__table__)).all()
        audit_rows = db.session.execute(sa.select(AuditEvent.__table__)).all()
    assert len(tokens) == 1
    for row in tokens + audit_rows:
        assert all(token not in str(value) for value in row)
    assert tokens[0].token_hash == hashlib.sha256(token.encode()).hexdigest()


def test_login_success_is_audited(app, client):
    """A successful login writes auth.token_issued for the user, with the caller's IP."""
    login(client)
    (event,) = events(app, "auth.token_issued")
    assert event.actor == "camat"
    assert event.object_type == "api_token"
    assert event.ip == "127.0.0.1"


def test_login_failure_is_audited(app, client, users):
    """Failed logins write auth.failed, for a wrong password and for an unknown user."""
    login(client, password="salah")
    login(client, username="tidak-ada")
    wrong, unknown = events(app, "auth.failed")
    assert wrong.actor is None
    assert (wrong.object_type, wrong.object_id) == ("user", str(users["camat"]))
    assert wrong.data == {"username": "camat"}
    assert unknown.object_id is None
    assert unknown.data == {"username": "tidak-ada"}
    assert "salah" not in str(wrong.data) + wrong.summary


# --- browser sessions --------------------------------------------------------------------


def session_client(app, user_id: int):
    """A test client signed in through Flask-Login's session cookie, with a live
    server-side session."""
    from app.models import User
    from app.services.sessions import start_session

    with app.app_context():
        key = start_session(db.session.get(User, user_id))
        db.session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
        session["session_key"] = key
    return client


def test_a_session_cookie_without_a_live_session_is_refused(app, users):
    """Flask-Login's user id alone (no server-side session) signs nobody in."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(users["camat"])
    assert client.get("/api/v1/me").status_code == 401


def csrf_token(app, client) -> str:
    """Put a CSRF secret in the client's session and answer the signed token for it."""
    with client.session_transaction() as session:
        session["csrf_token"] = "0123456789abcdef0123456789abcdef01234567"
        raw = session["csrf_token"]
    serializer = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token")
    return serializer.dumps(raw)


def test_session_reads_need_no_csrf(app, users):
    """A signed-in browser session can read the API without a CSRF token."""
    client = session_client(app, users["camat"])
    response = client.get("/api/v1/me")
    assert response.status_code == 200
    assert response.get_json()["username"] == "camat"


def test_session_write_without_csrf_is_refused(app, users):
    """A state-changing call on a session without a CSRF token is refused in the error shape."""
    client = session_client(app, users["camat"])
    response = client.post("/api/v1/instances", json={"period": "2026-Q1"})
    assert response.status_code == 400
    error = response.get_json()["error"]
    # Flask-WTF's CSRFError is a 400 BadRequest; it comes out in the one error shape.
    assert set(error) == {"status", "code", "message"}
    assert (error["status"], error["code"]) == (400, "csrf_failed")
    listing = client.get("/api/v1/instances").get_json()
    assert listing["total"] == 0


def test_session_write_with_bad_csrf_is_refused(app, users):
    """A forged CSRF token is refused like a missing one."""
    client = session_client(app, users["camat"])
    csrf_token(app, client)
    response = client.post(
        "/api/v1/instances", json={"period": "2026-Q1"}, headers={"X-CSRFToken": "palsu"}
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "csrf_failed"


def test_session_write_with_csrf_is_accepted(app, users):
    """A session write with a valid CSRF token goes through."""
    client = session_client(app, users["camat"])
    token = csrf_token(app, client)
    response = client.post(
        "/api/v1/instances", json={"period": "2026-Q1"}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 201, response.get_json()


def test_bearer_write_needs_no_csrf(app, client, users):
    """A bearer-token write needs no CSRF token, even with a session cookie present."""
    token = login(client).get_json()["token"]
    with client.session_transaction() as session:
        session["_user_id"] = str(users["camat"])
    response = client.post("/api/v1/instances", json={"period": "2026-Q1"}, headers=bearer(token))
    assert response.status_code == 201
