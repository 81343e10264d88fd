"""Fixtures for the pages: a browser-like client that signs in through the login form."""

import re

import pytest

from tests.helpers import PASSWORD

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def forget_rendered(app) -> None:
    """Drop the boards and page rounds the app keeps (app/web/board.py), so that the next
    board is rendered afresh."""
    for name in ("board_cache", "board_page_rounds"):
        app.extensions.pop(name, None)


def csrf_from(html: str) -> str:
    """Pick the CSRF token out of a rendered page."""
    match = CSRF.search(html)
    assert match, "page has no CSRF token"
    return match.group(1) or match.group(2)


class PageClient:
    """A test client that signs in through the form and posts forms with their CSRF token."""

    def __init__(self, client):
        self.client = client
        self.token = None

    def login(self, username: str, password: str = PASSWORD):
        page = self.client.get("/login")
        response = self.client.post(
            "/login",
            data={"username": username, "password": password, "csrf_token": csrf_from(page.text)},
        )
        if response.status_code == 302:
            self.token = csrf_from(self.client.get("/").text)
        return response

    def get(self, path: str, htmx: bool = False, **kwargs):
        headers = kwargs.pop("headers", {})
        if htmx:
            headers["HX-Request"] = "true"
        return self.client.get(path, headers=headers, **kwargs)

    def post(self, path: str, data: dict | None = None, htmx: bool = True, **kwargs):
        data = {"csrf_token": self.token, **(data or {})}
        headers = {"HX-Request": "true"} if htmx else {}
        return self.client.post(path, data=data, headers=headers, **kwargs)


@pytest.fixture
def pages(app, users):
    """Sign in as any test user through the login page: `pages("camat")`."""

    def make(username: str) -> PageClient:
        page_client = PageClient(app.test_client())
        response = page_client.login(username)
        assert response.status_code == 302, response.text
        return page_client

    return make
