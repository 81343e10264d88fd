"""The Kinerja SOP page in a real browser at desk and phone widths: the charts and tables are
there, the slowest step stands out, and nothing reaches past a phone's viewport."""

import pytest
from playwright.sync_api import expect

from tests.analytics_history import build_history
from tests.browser.conftest import DESKTOP, PHONE, screenshot

pytestmark = pytest.mark.browser

VIEWPORTS = {"1366": DESKTOP, "390": PHONE}
# Scrolling containers: their content may be wider, they themselves stay inside.
SCROLLERS = ".table-wrap, .kinerja-chart"


@pytest.fixture(scope="module")
def history(live_server) -> dict:
    with live_server.app.app_context():
        return {name: instance.id for name, instance in build_history().items()}


def _overflowing(page, width: int) -> list[str]:
    return page.evaluate(
        """([width, scrollers]) => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > width + 1 && !e.closest(scrollers))
            .slice(0, 5).map(e => e.tagName + '.' + e.className)""",
        [width, SCROLLERS],
    )


@pytest.mark.parametrize("size", VIEWPORTS)
def test_kinerja_page(history, signed_in, size):
    """Does the page show both charts with their tables, the slowest step marked, and fit?"""
    viewport = VIEWPORTS[size]
    page = signed_in("camat", viewport)
    page.get_by_role("link", name="Kinerja SOP").click()
    expect(page.get_by_role("heading", name="Kinerja SOP", level=1)).to_be_visible()
    page.get_by_label("Dimulai dari").fill("2026-01-01")
    page.get_by_label("Sampai").fill("2026-06-30")
    page.get_by_role("button", name="Tampilkan").click()
    expect(page.locator("#step-table tbody tr")).to_have_count(12)
    expect(page.locator(".kinerja-chart svg")).to_have_count(2)
    expect(page.locator(".kinerja-chart svg rect.slowest")).to_have_count(1)
    expect(page.locator("#step-table tr.slowest")).to_have_attribute("data-step", "8")
    expect(page.get_by_role("link", name="Excel (.xlsx)")).to_be_visible()
    screenshot(page, f"kinerja-{size}")
    assert _overflowing(page, viewport["width"]) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
