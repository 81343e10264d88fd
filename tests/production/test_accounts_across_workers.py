"""Accounts across workers (issue 10, items 2 and 7): a lock-out holds whichever of the four
workers the next attempt reaches, and *Keluar* ends a copied session cookie on all of them.
Each request opens a connection of its own, so gunicorn spreads them over its workers."""

import re
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from tests.helpers import PASSWORD

ATTEMPTS = 16  # enough calls that every one of the four workers answers some


def _token_call(production, username: str, password: str):
    return production.call(
        "POST", "/api/v1/auth/token", {"username": username, "password": password}
    )


def test_a_lockout_holds_on_every_worker(production):
    """After five wrong passwords for one account, is even the right password refused
    (423 account_locked) whichever worker answers, while a colleague at the same address
    still signs in?"""
    for _ in range(5):
        assert _token_call(production, "anggota2", "salah-sekali").status == 401
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(
            pool.map(lambda _: _token_call(production, "anggota2", PASSWORD), range(ATTEMPTS))
        )
    assert {answer.status for answer in answers} == {423}
    assert all(answer.body["error"]["code"] == "account_locked" for answer in answers)
    assert _token_call(production, "kasi2", PASSWORD).status == 201


class _Browser:
    """A cookie jar of its own over plain HTTP requests (no connection reuse)."""

    def __init__(self, url: str):
        self.url = url
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None, cookies=None):
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method)
        jar = self.cookies if cookies is None else cookies
        if jar:
            request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in jar.items()))
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            response = opener.open(request, timeout=60)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if cookies is None:
                if value:
                    self.cookies[name] = value
                else:
                    self.cookies.pop(name, None)
        return response.status, response.read().decode("utf-8", "replace")

    def csrf(self, path: str) -> str:
        status, page = self.request("GET", path)
        assert status == 200, (path, status)
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_keluar_ends_a_copied_cookie_on_every_worker(production):
    """Does a session cookie copied before *Keluar* stop working on every worker after it,
    while it worked on every worker before?"""
    browser = _Browser(production.url)
    token = browser.csrf("/login")
    status, _ = browser.request(
        "POST", "/login", {"username": "sekcam", "password": PASSWORD, "csrf_token": token}
    )
    assert status == 302
    copied = dict(browser.cookies)
    with ThreadPoolExecutor(max_workers=8) as pool:
        before = list(
            pool.map(
                lambda _: browser.request("GET", "/api/v1/me", cookies=copied)[0], range(ATTEMPTS)
            )
        )
    assert set(before) == {200}

    status, _ = browser.request("POST", "/logout", {"csrf_token": browser.csrf("/")})
    assert status == 302
    with ThreadPoolExecutor(max_workers=8) as pool:
        after = list(
            pool.map(
                lambda _: browser.request("GET", "/api/v1/me", cookies=copied)[0], range(ATTEMPTS)
            )
        )
    assert set(after) == {401}
    status, _ = browser.request("GET", "/", cookies=copied)
    assert status == 302  # the pages send the copy to the login page
