"""The board in a real browser when duties are separated: the maker of a recap who also holds
the Sekcam's role sees the review's card without its buttons, and why."""

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.services.accounts import create_user
from tests.browser.conftest import SCREENSHOTS, screenshot
from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def review_of_own_work(live_server) -> dict:
    """Step 10 open after `pembuat` (anggota and sekcam) finished step 9 himself."""
    with live_server.app.app_context():
        create_user(
            username="pembuat",
            full_name="Rina Pembuat Rekap",
            nip="199001012010012001",
            password=PASSWORD,
            roles=["anggota", "sekcam"],
            actor="test",
        )
        db.session.commit()
    runner = live_server.runner
    step9 = runner.walk_to(runner.start("2026-Q1")["id"], 9)
    runner.attach_outputs(step9, as_="pembuat")
    response = runner.api.post(f"/api/v1/tasks/{step9['id']}/complete", json={}, as_="pembuat")
    assert response.status_code == 200, response.get_json()
    return response.get_json()["next_tasks"][0]


def test_maker_sees_the_review_without_buttons(review_of_own_work, signed_in):
    """Does the maker's board show step 10's card with the separation-of-duties note and no
    approve, return or upload control, while the Sekcam's shows them?"""
    page = signed_in("pembuat")
    card = page.locator(f"#task-{review_of_own_work['id']}")
    expect(card.locator(".self-review")).to_contain_text(
        "Anda sendiri menyelesaikan langkah 9 pada putaran ini"
    )
    expect(card.get_by_role("button", name="Setujui")).to_have_count(0)
    expect(card.locator("details.return")).to_have_count(0)
    expect(card.locator("form.upload")).to_have_count(0)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    card.screenshot(path=str(SCREENSHOTS / "board-self-review-card.png"))
    screenshot(page, "board-self-review")

    other = signed_in("sekcam").locator(f"#task-{review_of_own_work['id']}")
    expect(other.get_by_role("button", name="Setujui")).to_be_visible()
    expect(other.locator(".self-review")).to_have_count(0)
