"""axe-core on every page of the product: no serious or critical accessibility violation.

axe-core is the npm package that bin/test installs, pinned, into .cache/axe; the vendored
API browser at /api/docs is not ours and is left out.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_layout import PAGES, product, visit  # noqa: F401 (product: a fixture)

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(os.environ.get("AXE_CORE_JS", ROOT / ".cache/axe/node_modules/axe-core/axe.min.js"))
VIEWPORTS = {"1366": DESKTOP, "390": PHONE}
BLOCKING = ("serious", "critical")

# The pages' CSP refuses inline scripts, so axe is evaluated through the DevTools protocol
# (which the CSP does not govern) instead of injected as a <script>.
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map((n) => n.target.join(" ")),
  }));
}"""


@pytest.fixture(scope="module")
def axe_source() -> str:
    """The source of axe.min.js, or a skip (a failure when REQUIRE_BROWSER=1) without it."""
    if not AXE.exists():
        message = f"axe-core not found at {AXE}: run bin/test, which installs it"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return AXE.read_text(encoding="utf-8")


def violations_on(page: Page, axe_source: str) -> list[str]:
    """Run axe on the page; answer one line per serious or critical violation."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source)
    lines = []
    for violation in page.evaluate(RUN_AXE):
        if violation["impact"] in BLOCKING:
            targets = ", ".join(violation["targets"][:6])
            more = len(violation["targets"]) - 6
            lines.append(
                f"[{violation['impact']}] {violation['id']}: {violation['help']} — {targets}"
                + (f" (+{more} more)" if more > 0 else "")
            )
    return lines


@pytest.mark.slow  # a tour of every page of the product, at each width
@pytest.mark.parametrize("size", VIEWPORTS)
def test_no_serious_violation_on_any_page(product, new_page, axe_source, size):  # noqa: F811
    """Does axe-core find no serious or critical violation on any page of the product?"""
    viewport = VIEWPORTS[size]
    pages: dict[str | None, Page] = {}
    failures = []
    for name, role, path in PAGES:
        page = pages.get(role)
        if page is None:
            page = pages[role] = visit(new_page, viewport, role, path(product))
        else:
            page.goto(path(product))
        found = violations_on(page, axe_source)
        if found:
            failures.append(f"{name} ({path(product)}) at {size} px:\n  " + "\n  ".join(found))
    assert not failures, "\n".join(failures)


def test_axe_finds_a_planted_violation(live_server, new_page, axe_source):
    """Does the check fail on a page with a violation (an image button with no name)?"""
    page = new_page()
    page.goto("/login")
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend',"
        ' \'<button type="button"><svg width="10" height="10"></svg></button>\')'
    )
    found = violations_on(page, axe_source)
    assert any("button-name" in line for line in found), found


def test_no_serious_violation_in_error_and_open_states(
    product,  # noqa: F811
    live_server,
    new_page,
    signed_in,
    axe_source,
):
    """Do a refused sign-in, a refused move on a card and an open return form pass axe too?"""
    failures = []
    page = new_page()
    page.goto("/login")
    page.get_by_label("Nama pengguna").fill("camat")
    page.get_by_label("Kata sandi").fill("bukan-sandinya")
    page.get_by_role("button", name="Masuk", exact=True).click()
    expect(page.locator(".field-error, .flash-error, [role=alert]").first).to_be_visible()
    failures += [f"login refused: {line}" for line in violations_on(page, axe_source)]

    runner = live_server.runner
    task = runner.walk_to(runner.start("2029-Q1")["id"], 3)
    kasi = signed_in("kasi")
    kasi.locator(f"#task-{task['id']}").get_by_role("button", name="Selesaikan langkah 3").click()
    expect(kasi.locator(f"#task-{task['id']} .card-error")).to_be_visible()
    failures += [f"refused move: {line}" for line in violations_on(kasi, axe_source)]

    sekcam = signed_in("sekcam")
    sekcam.get_by_text("Kembalikan untuk diperbaiki").first.click()
    expect(sekcam.get_by_label("Arahan perbaikan (wajib)").first).to_be_visible()
    failures += [f"return form open: {line}" for line in violations_on(sekcam, axe_source)]
    assert not failures, "\n".join(failures)
