"""Fixtures for the browser tests: the app served live, headless Chromium, signed-in pages.

Chromium is Debian's (/usr/bin/chromium), driven by Playwright's sync API. Without it the
tests are skipped, or fail when REQUIRE_BROWSER=1 (CI sets it).
"""

import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from app import create_app
from app.cli import load_reference_data
from app.extensions import db
from tests.conftest import _config
from tests.helpers import PASSWORD, ApiClient, SopRunner, make_users

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HERE = Path(__file__).resolve().parent
SCREENSHOTS = HERE.parent.parent / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def pytest_collection_modifyitems(items):
    """Mark every test in this folder as a browser test."""
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


class QuietRequestHandler(WSGIRequestHandler):
    """Serve requests without a log line for each one."""

    def log_request(self, code="-", size="-") -> None:
        pass


@dataclass
class LiveServer:
    """The app served over HTTP on a free local port, and a JSON runner on the same app."""

    url: str
    app: object
    runner: SopRunner


@pytest.fixture(scope="module")
def live_server(sqlite_template, tmp_path_factory) -> Iterator[LiveServer]:
    """Serve a fresh app (SQLite file, reference data, one user per role) in a thread."""
    folder = tmp_path_factory.mktemp("live")
    path = folder / "live.db"
    shutil.copy(sqlite_template, path)
    app = create_app(_config(f"sqlite:///{path}", folder / "blobs"))
    with app.app_context():
        load_reference_data()
        make_users()
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(
            url=f"http://127.0.0.1:{server.server_port}",
            app=app,
            runner=SopRunner(ApiClient(app.test_client())),
        )
    finally:
        server.shutdown()
        thread.join(timeout=5)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium for the whole session."""
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM}"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()
    playwright.stop()


# Reports each Content-Security-Policy violation on the console, where `watch_csp` hears it
# (Chromium also logs its own "Refused to ..." line; this names the directive and source).
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile}:${event.lineNumber}`);
});
"""


def watch_csp(context, violations: list[str]) -> None:
    """Collect into `violations` every CSP violation the pages of `context` meet."""
    context.add_init_script(REPORT_CSP_VIOLATIONS)

    def heard(message) -> None:
        text = message.text
        if "CSP violation" in text or "Content Security Policy" in text:
            violations.append(f"{message.page.url if message.page else '?'}: {text}")

    context.on("console", heard)


@pytest.fixture
def new_page(browser, live_server):
    """Open a page in its own browser context (own cookies), as an Indonesian office
    browser would: `new_page()`, `new_page(viewport=PHONE)`. The test fails when any page
    meets a Content-Security-Policy violation."""
    contexts = []
    violations: list[str] = []

    def make(viewport: dict | None = None):
        context = browser.new_context(
            base_url=live_server.url,
            viewport=viewport or DESKTOP,
            locale="id-ID",
            timezone_id="Asia/Jakarta",
        )
        context.set_default_timeout(10_000)
        watch_csp(context, violations)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


@pytest.fixture
def signed_in(new_page):
    """A page signed in through the login form as `username`: `signed_in("camat")`."""

    def make(username: str, viewport: dict | None = None):
        page = new_page(viewport)
        login(page, username)
        return page

    return make


def login(page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the real login form and land on the board."""
    from playwright.sync_api import expect

    page.goto("/login")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk", exact=True).click()
    expect(page.get_by_role("heading", name="Papan kerja", level=1)).to_be_visible()


def make_overdue(app, task_id: int, days_ago: int = 5) -> None:
    """Back-date an open task's opening by `days_ago` days, its due time following from its
    mutu baku on the office calendar, so that it is overdue now."""
    from datetime import timedelta

    from app.models import Task, utcnow
    from app.services.office_calendar import office_calendar
    from app.services.routing import step_of

    with app.app_context():
        task = db.session.get(Task, task_id)
        standard = step_of(task).standard
        task.opened_at = utcnow() - timedelta(days=days_ago)
        task.due_at = office_calendar().due_at(task.opened_at, standard.value, standard.unit)
        assert task.due_at < utcnow()
        db.session.commit()


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
