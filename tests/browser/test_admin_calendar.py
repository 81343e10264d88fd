"""The admin adds a day off on the calendar page in Chromium, and the next measurement's first
due time moves past it while the one already open keeps its own."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

WIB = ZoneInfo("Asia/Jakarta")
NAME = "Hari Jadi Kabupaten Purbalingga (uji)"


def start_measurement(page: Page, api, period: str) -> dict:
    """Start a measurement through the start form; answer its first task from the API."""
    page.goto("/instances/new")
    page.get_by_label("Periode").fill(period)
    page.get_by_role("button", name="Mulai").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(period)
    instance_id = int(re.search(r"/instances/(\d+)", page.url).group(1))
    return api.get(f"/api/v1/instances/{instance_id}").get_json()["open_tasks"][0]


def test_an_added_holiday_moves_the_next_due_time(live_server, signed_in):
    """The admin makes the day of a new task's due time a holiday: a task opened afterwards
    is due on a later day, and the task opened before keeps its due time."""
    api = live_server.runner.api
    camat = signed_in("camat")
    before = start_measurement(camat, api, "2026")
    due = datetime.fromisoformat(before["due_at"]).astimezone(WIB)

    admin = signed_in("admin")
    admin.goto(f"/admin/calendar?year={due.year}")
    if admin.get_by_role("button", name=f"Mulai daftar tahun {due.year}").count():
        admin.get_by_label("Sumber daftar").first.fill(f"SKB 3 Menteri tahun {due.year} (uji)")
        admin.get_by_role("button", name=f"Mulai daftar tahun {due.year}").click()
    add = admin.locator("form").filter(has=admin.get_by_role("button", name="Tambah"))
    add.get_by_label("Tanggal", exact=True).fill(due.date().isoformat())
    add.get_by_label("Nama").fill(NAME)
    add.get_by_label("Jenis").select_option("libur_nasional")
    add.get_by_role("button", name="Tambah").click()
    expect(admin.locator(".flash-success")).to_contain_text("ditambahkan")
    row = admin.locator("table.holidays tr").filter(has_text=NAME)
    expect(row).to_have_count(1)
    row.scroll_into_view_if_needed()
    screenshot(admin, "admin-calendar-holiday-added")

    after = start_measurement(camat, api, "2026-Q1")
    moved = datetime.fromisoformat(after["due_at"]).astimezone(WIB)
    assert moved.date() > due.date()
    kept = api.get(f"/api/v1/tasks/{before['id']}").get_json()
    assert kept["due_at"] == before["due_at"]
    camat.goto("/")
    expect(camat.locator(f"#task-{after['id']}")).to_be_visible()
    screenshot(camat, "board-after-holiday-added")


def test_an_unknown_year_is_warned_about_on_its_page(live_server, signed_in):
    """The admin opens 2031 from the year picker: the page says its calendar is missing and
    offers to start its list from a source."""
    admin = signed_in("admin")
    admin.goto("/admin/calendar")
    admin.get_by_label("Buka tahun lain").fill("2031")
    admin.get_by_role("button", name="Buka", exact=True).click()
    expect(admin.locator(".calendar-unknown")).to_contain_text(
        "Kalender kerja tahun 2031 belum ada."
    )
    expect(admin.get_by_role("button", name="Mulai daftar tahun 2031")).to_be_visible()
    screenshot(admin, "admin-calendar-unknown-year")
