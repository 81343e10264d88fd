"""An admin opens the Audit page in Chromium, filters it, downloads the CSV from its export
button and checks the chain; the page is screenshotted."""

import csv

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def test_admin_exports_the_csv_and_checks_the_chain(live_server, signed_in, tmp_path):
    """The filtered table lists the Camat's events; Unduh CSV downloads exactly them; Periksa
    rantai says the chain is intact, in Indonesian."""
    runner = live_server.runner
    instance = runner.start("2026-Q3")
    runner.walk_to(instance["id"], 3)

    page = signed_in("admin")
    page.get_by_role("link", name="Admin").click()
    page.get_by_role("link", name="Jejak audit").click()
    expect(page.get_by_role("heading", name="Jejak audit", level=1)).to_be_visible()
    page.get_by_label("Pengguna").fill("camat")
    page.get_by_role("button", name="Tampilkan").click()
    rows = page.locator("table.audit-events tbody tr")
    expect(rows.first).to_be_visible()
    actors = rows.locator("td:nth-child(3)").all_inner_texts()
    assert actors and set(actors) == {"camat"}

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Unduh CSV").click()
    download = download_info.value
    assert download.suggested_filename.startswith("audit-awal_")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    exported = list(csv.DictReader(path.open(encoding="utf-8", newline="")))
    shown = [int(n) for n in rows.locator("td:nth-child(1)").all_inner_texts()]
    assert sorted(int(row["id"]) for row in exported) == sorted(shown)
    assert {row["actor"] for row in exported} == {"camat"}

    page.get_by_role("link", name="Periksa rantai").click()
    verdict = page.locator("#chain-result .chain-verdict")
    expect(verdict).to_contain_text("Rantai audit utuh")
    expect(verdict).to_contain_text("peristiwa terverifikasi")
    screenshot(page, "admin-audit")
    # The download itself is on the trail: the page shows it once the filter is lifted.
    page.get_by_role("link", name="Hapus filter").click()
    expect(page.locator("table.audit-events tbody tr").first).to_contain_text("audit.exported")
