"""The security headers on every answer, and the client's address behind trusted proxies."""

import pytest
import sqlalchemy as sa

from app import create_app
from app.extensions import db, limiter
from app.headers import CONTENT_SECURITY_POLICY
from app.http import client_ip
from app.models import AuditEvent
from tests.helpers import make_users
from tests.web.conftest import PageClient

PAGES = [
    "/",
    "/instances/new",
    "/instances/{instance}",
    "/sops/pengukuran-kinerja",
    "/indicators",
    "/verify",
    "/admin",
    "/api/docs",
    "/static/css/app.css",
    "/no-such-page",
]


def assert_security_headers(response) -> None:
    """Assert the headers every answer of the app carries."""
    headers = response.headers
    policy = headers["Content-Security-Policy"]
    assert policy == CONTENT_SECURITY_POLICY
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert "data:" in directives["img-src"]
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Server"] == "sakip"


def test_every_page_carries_the_security_headers(app, users, runner):
    """Does every page (signed in as admin, signed out, an error page, a static file) carry
    the CSP and the other security headers, and no HSTS over plain HTTP?"""
    instance = runner.start()["id"]
    pages = PageClient(app.test_client())
    assert_security_headers(pages.get("/login"))
    assert pages.login("admin").status_code == 302
    for path in PAGES:
        response = pages.get(path.format(instance=instance))
        assert response.status_code in (200, 404), (path, response.status_code)
        assert_security_headers(response)
        assert "Strict-Transport-Security" not in response.headers
        if response.mimetype == "text/html":
            # What the policy would refuse: a style attribute, an inline script.
            assert 'style="' not in response.text, path
            assert "<script>" not in response.text, path
    assert 'class="fill w-0"' in pages.get("/").text


def test_api_answers_carry_the_security_headers(api):
    """Do an API success, an API refusal and the OpenAPI document carry the headers?"""
    for response in (
        api.get("/api/v1/me", as_="camat"),
        api.get("/api/v1/instances/999", as_="camat"),
        api.get("/api/v1/openapi.json", as_=None),
    ):
        assert_security_headers(response)
    assert api.get("/api/v1/instances/999", as_="camat").status_code == 404


def test_hsts_only_with_secure_cookies(sqlite_app):
    """Is Strict-Transport-Security sent when the session cookie is Secure (HTTPS)?"""
    sqlite_app.config["SESSION_COOKIE_SECURE"] = True
    response = sqlite_app.test_client().get("/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_server_header_names_no_version(sqlite_app):
    """Does the development server's Server header say a plain name, no Werkzeug version?"""
    response = sqlite_app.test_client().get(
        "/api/v1/health", environ_base={"SERVER_SOFTWARE": "Werkzeug/3.1.0"}
    )
    assert response.headers.getlist("Server") == ["sakip"]


def _app_behind(sqlite_app, proxies: int):
    config = dict(sqlite_app.config, TRUSTED_PROXIES=proxies)
    app = create_app(config)

    @app.get("/_test/client")
    def who():
        return {"ip": client_ip(), "limit_key": limiter._key_func()}

    return app


@pytest.mark.parametrize(
    ("proxies", "seen"),
    [(0, "127.0.0.1"), (1, "203.0.113.7")],
)
def test_client_address_behind_trusted_proxies(sqlite_app, proxies, seen):
    """With TRUSTED_PROXIES=1 do the audit trail and the rate limits both see the client named
    by X-Forwarded-For, and with the default 0 ignore that header?"""
    app = _app_behind(sqlite_app, proxies)
    forwarded = {"X-Forwarded-For": "203.0.113.7"}
    client = app.test_client()
    assert client.get("/_test/client", headers=forwarded).get_json() == {
        "ip": seen,
        "limit_key": seen,
    }
    with app.app_context():
        make_users(["camat"], seconds=())
    pages = PageClient(client)
    pages.client.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.7"
    assert pages.login("camat").status_code == 302
    with app.app_context():
        ips = db.session.scalars(
            sa.select(AuditEvent.ip).where(AuditEvent.action == "auth.login")
        ).all()
        db.session.remove()
        db.engine.dispose()
    assert ips == [seen]
