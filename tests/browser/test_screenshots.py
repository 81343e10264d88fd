"""Full-page screenshots of the main pages at desk and phone widths, with layout checks."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DESKTOP, PHONE, make_overdue, screenshot

pytestmark = pytest.mark.browser

VIEWPORTS = {"1366": DESKTOP, "390": PHONE}


@pytest.fixture(scope="module")
def office(live_server) -> dict:
    """A few measurements at different steps, one returned once and one overdue."""
    runner = live_server.runner
    ids = {}
    for period, step in (("2026-Q1", 10), ("2026-Q2", 4), ("2026-Q3", 7), ("2026-Q4", 3)):
        ids[period] = runner.start(period)["id"]
        runner.walk_to(ids[period], step)
    ids["2026"] = runner.start("2026")["id"]
    review = runner.walk_to(ids["2026"], 10)
    runner.advance(review, "return", note="Lengkapi data capaian Seksi Kesejahteraan Sosial.")
    runner.walk_to(ids["2026"], 11)
    late = runner.open_task(ids["2026-Q4"])
    make_overdue(live_server.app, late["id"])
    return ids


def page_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def assert_no_horizontal_overflow(page: Page, width: int) -> None:
    overflow = page.evaluate(
        """width => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > width + 1
                      && !e.closest('.table-wrap, .flowchart, .timeline, .columns'))
            .slice(0, 5).map(e => e.tagName + '.' + e.className)""",
        width,
    )
    assert page_width(page) <= width + 1, overflow


@pytest.mark.parametrize("size", VIEWPORTS)
def test_board(office, signed_in, size):
    """Does the camat's board lay out its four lanes side by side at 1366 px and stacked,
    without sideways scrolling, on a phone?"""
    viewport = VIEWPORTS[size]
    page = signed_in("camat", viewport)
    expect(page.locator("article.task-card")).to_have_count(5)
    expect(page.locator("article.task-card.urgency-late")).to_have_count(1)
    screenshot(page, f"board-{size}")
    lanes = [page.locator("section.column").nth(i).bounding_box() for i in range(4)]
    if viewport is DESKTOP:
        assert len({round(lane["y"]) for lane in lanes}) == 1, lanes
        lefts = [lane["x"] for lane in lanes]
        assert lefts == sorted(lefts) and len(set(lefts)) == 4, lanes
        assert lanes[-1]["x"] + lanes[-1]["width"] <= viewport["width"], lanes
    else:
        tops = [lane["y"] for lane in lanes]
        assert tops == sorted(tops) and len(set(tops)) == 4, lanes
        for lane in lanes:
            assert lane["x"] >= 0 and lane["x"] + lane["width"] <= viewport["width"], lanes
    assert_no_horizontal_overflow(page, viewport["width"])


@pytest.mark.parametrize("size", VIEWPORTS)
def test_measurement_page(office, signed_in, size):
    """Does the measurement page show its flowchart, the return taken and the mutu baku table
    within the width of the screen?"""
    viewport = VIEWPORTS[size]
    page = signed_in("camat", viewport)
    page.goto(f"/instances/{office['2026']}")
    expect(page.locator(".flowchart svg .flow-return-taken")).to_have_count(1)
    expect(page.locator("ol.returns li")).to_have_count(1)
    screenshot(page, f"measurement-{size}")
    mutu = page.locator(".table-wrap").filter(has=page.locator("table.mutu"))
    for name, part in (("flowchart", page.locator(".flowchart")), ("mutu", mutu)):
        box = part.bounding_box()
        assert box["width"] > 0 and box["height"] > 0, name
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"] + 1, name
    assert_no_horizontal_overflow(page, viewport["width"])


@pytest.mark.parametrize("size", VIEWPORTS)
def test_sop_page(live_server, signed_in, size):
    """Does the SOP page show its twelve activities and flowchart within the screen width?"""
    viewport = VIEWPORTS[size]
    page = signed_in("viewer", viewport)
    page.get_by_role("link", name="SOP", exact=True).click()
    expect(page.locator("table.activities tbody tr")).to_have_count(12)
    expect(page.locator(".flowchart svg")).to_be_visible()
    screenshot(page, f"sop-{size}")
    assert_no_horizontal_overflow(page, viewport["width"])


@pytest.mark.parametrize("size", VIEWPORTS)
def test_login_page(live_server, new_page, size):
    """Is the login form centred and whole on a desk screen and on a phone?"""
    viewport = VIEWPORTS[size]
    page = new_page(viewport)
    page.goto("/login")
    expect(page.get_by_label("Nama pengguna")).to_be_focused()
    screenshot(page, f"login-{size}")
    form = page.locator("section.login").bounding_box()
    assert form["x"] >= 0 and form["x"] + form["width"] <= viewport["width"]
    left, right = form["x"], viewport["width"] - form["x"] - form["width"]
    assert abs(left - right) <= 2, form
    assert_no_horizontal_overflow(page, viewport["width"])
