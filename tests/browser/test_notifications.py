"""The bell and the Notifikasi page in a real browser, at desk and phone widths."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, make_overdue, screenshot

pytestmark = pytest.mark.browser


def test_the_bell_rises_when_a_task_is_returned_to_me(live_server, signed_in):
    """Does the anggota's bell go from nothing to 1 (on reload) when the Sekcam returns his
    draft over the API, lead to the list, and fall to nothing once it is marked read?"""
    runner = live_server.runner
    instance_id = runner.start("2027-Q1")["id"]
    review = runner.walk_to(instance_id, 10)
    page = signed_in("anggota")
    bell = page.locator("#bell")
    expect(bell).to_be_visible()
    expect(bell.locator(".bell-count")).to_have_count(0)
    runner.advance(review, "return", note="Lengkapi capaian Seksi Ketenteraman.")
    page.reload()
    expect(bell.locator(".bell-count")).to_have_text("1")
    expect(bell).to_have_attribute("aria-label", "Notifikasi: 1 belum dibaca")
    bell.click()
    expect(page.get_by_role("heading", name="Notifikasi", level=1)).to_be_visible()
    item = page.locator("li.notification-unread")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Dikembalikan kepada Anda")
    expect(item).to_contain_text("Arahan: Lengkapi capaian Seksi Ketenteraman.")
    item.get_by_role("button", name="Tandai sudah dibaca").click()
    expect(page.locator("li.notification-unread")).to_have_count(0)
    expect(page.locator("#bell .bell-count")).to_have_count(0)


@pytest.mark.parametrize("size", ["1366", "390"])
def test_the_bell_and_the_list_at_desk_and_phone_width(live_server, signed_in, size):
    """Do the bell and a list of several kinds fit the page at 1366 and 390 px?"""
    from app.extensions import db
    from app.services.reminders.sender import send_reminders

    runner = live_server.runner
    instance_id = runner.start(f"2028-Q{1 if size == '1366' else 2}")["id"]
    late = runner.walk_to(instance_id, 7)
    make_overdue(live_server.app, late["id"], days_ago=14)
    with live_server.app.app_context():
        send_reminders()
        db.session.remove()
    viewport = DESKTOP if size == "1366" else PHONE
    page = signed_in("sekcam", viewport)
    expect(page.locator("#bell .bell-count")).to_be_visible()
    screenshot(page, f"bell-board-{size}")
    page.locator("#bell").click()
    expect(page.locator("li.notification").first).to_be_visible()
    expect(page.get_by_text("Eskalasi keterlambatan").first).to_be_visible()
    screenshot(page, f"notifications-{size}")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"] + 1
