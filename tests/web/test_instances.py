"""Tests for the measurement pages (app/web/instances.py): starting one from its form and
the menu, and the measurement page and its PDF writing the same things in the same words
(app/rendering/format.py behind both)."""

import html
import re

import sqlalchemy as sa

from app.extensions import db
from app.models import Task
from tests.helpers import pdf_text


def words(text: str) -> str:
    """Collapse white space, as a table cell may wrap its text onto several lines."""
    return " ".join(text.split())


def test_the_measurement_page_and_the_timeline_pdf_agree(app, pages, api, runner):
    """Do the measurement page and its timeline PDF write the same mutu baku ("15 menit",
    "2 hari kerja"), the same working time ("2 jam 05 menit") and the same period?"""
    instance = runner.start(period="2026-Q1")
    runner.walk_to(instance["id"], 8)
    with app.app_context():
        first = db.session.scalar(sa.select(Task).filter_by(instance_id=instance["id"], step_no=1))
        first.working_minutes = 125
        db.session.commit()

    page = pages("camat").get(f"/instances/{instance['id']}")
    assert page.status_code == 200
    page_text = words(html.unescape(re.sub(r"<[^>]+>", " ", page.text)))
    response = api.get(f"/api/v1/instances/{instance['id']}/timeline.pdf", as_="viewer")
    assert response.status_code == 200
    pdf = words(pdf_text(response.data))

    for same in ("15 menit", "2 hari kerja", "2 jam 05 menit", "Triwulan I 2026"):
        assert same in page_text, f"page lacks {same!r}"
        assert same in pdf, f"PDF lacks {same!r}"
    for text in (page_text, pdf):
        assert "Tahun 2026" not in text and "2 j 05 m" not in text
        assert not re.search(r"\b2 hari(?! kerja)", text)


def test_start_form_names_the_first_step_from_the_definition(pages, runner):
    """Does the start form say which step opens, by its name in the definition?"""
    first = runner.definition()[1]
    html = pages("camat").get("/instances/new").text
    assert f"Langkah 1 ({first['name']}) langsung terbuka di papan kerja." in html
    assert re.findall(r'<option[^>]*value="([^"]+)"', html) == ["pengukuran-kinerja"]


def test_only_starters_see_the_start_link_and_form(pages):
    """Do the first step's actor and the admin see the start link, and is anyone else sent
    back to the board from the form?"""
    for role in ("camat", "admin"):
        assert "Mulai pengukuran</a>" in pages(role).get("/").text, role
    for role in ("sekcam", "kasi", "anggota", "viewer"):
        client = pages(role)
        assert "Mulai pengukuran</a>" not in client.get("/").text, role
        response = client.get("/instances/new")
        assert (response.status_code, response.location) == (302, "/"), role


def test_the_menu_links_the_configured_default_sop(app, pages):
    """Does the menu's SOP link follow DEFAULT_SOP?"""
    client = pages("viewer")
    assert 'href="/sops/pengukuran-kinerja"' in client.get("/").text
    app.config["DEFAULT_SOP"] = "sop-lain"
    assert 'href="/sops/sop-lain"' in client.get("/").text
