"""A full lane's *Tampilkan N lagi* in a real browser: HTMX swaps in the rest of the lane,
the address keeps it open, and the page fits a phone (screenshots at 1280 and 390 px)."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, screenshot

pytestmark = pytest.mark.browser

CAP = 3


@pytest.fixture(scope="module")
def full_lanes(live_server) -> dict[str, int]:
    """Five measurements in the Camat's lane and four each in the Sekcam's and the Kasi's,
    with lanes capped at three cards."""
    runner = live_server.runner
    usual = live_server.app.config["BOARD_LANE_CARDS"]
    live_server.app.config["BOARD_LANE_CARDS"] = CAP
    lanes = {"camat": 5, "sekcam": 4, "kasi": 4}
    steps = {"camat": 1, "sekcam": 2, "kasi": 3}
    number = 0
    for lane, count in lanes.items():
        for _ in range(count):
            number += 1
            instance = runner.start(f"{2040 + number // 4}-Q{number % 4 + 1}")
            runner.walk_to(instance["id"], steps[lane])
    yield lanes
    live_server.app.config["BOARD_LANE_CARDS"] = usual


def lane(page, code: str):
    return page.locator(f'section.column[aria-labelledby="lane-{code}"]')


def test_show_more_swaps_in_the_rest_of_the_lane(signed_in, full_lanes):
    """Does a full lane show three cards, its whole count and *Tampilkan 2 lagi*, which
    brings the other two in place and keeps the lane open in the address?"""
    page = signed_in("camat")
    camat = lane(page, "camat")
    expect(camat.locator(".count")).to_have_text(str(full_lanes["camat"]))
    expect(camat.locator("article.task-card")).to_have_count(CAP)
    page.evaluate("window.notReloaded = true")
    more = camat.get_by_role("link", name="Tampilkan 2 lagi")
    expect(more).to_be_visible()
    more.focus()
    page.keyboard.press("Enter")
    expect(camat.locator("article.task-card")).to_have_count(full_lanes["camat"])
    expect(camat.get_by_role("link", name=re.compile("Tampilkan"))).to_have_count(0)
    assert page.evaluate("window.notReloaded") is True
    expect(page).to_have_url(re.compile(r"/\?more=camat$"))
    # The other lanes stay capped.
    expect(lane(page, "sekcam").locator("article.task-card")).to_have_count(CAP)
    screenshot(page, "board-show-more-1280")


@pytest.mark.parametrize("width", [1280, PHONE["width"]])
def test_capped_board_fits_the_screen(signed_in, full_lanes, width):
    """Does the board with its capped lanes and show-more links fit 1280 and 390 px?"""
    page = signed_in("camat", viewport={"width": width, "height": 900})
    expect(lane(page, "kasi").get_by_role("link", name="Tampilkan 1 lagi")).to_be_visible()
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"board-capped-{width}")
