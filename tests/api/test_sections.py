"""Tests of the office's sections over the API (app/api/sections.py): listed for anyone
signed in, added, renamed and given a head by the admin only, audited."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent

PEM = {"code": "pemerintahan", "name": "Seksi Pemerintahan", "head": "kasi"}


def patch(api, path, body, as_="admin"):
    return api.client.patch(path, json=body, headers=api.headers(as_))


def test_admin_adds_a_section_with_its_head(api):
    """Is a new section listed with its head's username and name?"""
    response = api.post("/api/v1/sections", json=PEM, as_="admin")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["head"] == "kasi"
    listed = api.get("/api/v1/sections", as_="viewer").get_json()
    assert listed["total"] == 1
    assert listed["items"][0] == {
        "code": "pemerintahan",
        "name": "Seksi Pemerintahan",
        "head": "kasi",
        "head_name": "Pengguna Kasi",
    }


def test_a_section_may_have_no_head(api):
    """Is a section without a head answered with a null head?"""
    body = {"code": "trantib", "name": "Seksi Trantib"}
    assert api.post("/api/v1/sections", json=body, as_="admin").get_json()["head"] is None


@pytest.mark.parametrize("username", ["camat", "sekcam", "kasi", "anggota", "viewer"])
def test_only_the_admin_adds_or_changes_sections(api, username):
    """Is everyone but the admin refused with 403 for adding and for changing a section?"""
    assert api.post("/api/v1/sections", json=PEM, as_=username).status_code == 403
    api.post("/api/v1/sections", json=PEM, as_="admin")
    response = patch(api, "/api/v1/sections/pemerintahan", {"name": "X"}, as_=username)
    assert response.status_code == 403
    assert api.get("/api/v1/sections/pemerintahan").get_json()["name"] == PEM["name"]


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({**PEM, "code": "Pemerintahan!"}, 422, "validation_error"),
        ({**PEM, "head": "nobody"}, 422, "unknown_user"),
        ({**PEM, "name": "   "}, 422, "section_name_required"),
    ],
)
def test_bad_sections_are_refused(api, body, status, code):
    """Is a bad code, an unknown head or a blank name refused, adding nothing?"""
    response = api.post("/api/v1/sections", json=body, as_="admin")
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code
    assert api.get("/api/v1/sections").get_json()["total"] == 0


def test_a_twin_code_is_a_conflict(api):
    """Is a second section with the same code refused with 409?"""
    api.post("/api/v1/sections", json=PEM, as_="admin")
    response = api.post("/api/v1/sections", json=PEM, as_="admin")
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "duplicate_section"


def test_renaming_and_changing_the_head_is_audited(api, app):
    """Does a PATCH rename the section and set its head, audited with old and new?"""
    api.post("/api/v1/sections", json=PEM, as_="admin")
    response = patch(
        api, "/api/v1/sections/pemerintahan", {"name": "Seksi Tata Pemerintahan", "head": "kasi2"}
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["head"] == "kasi2"
    assert patch(api, "/api/v1/sections/pemerintahan", {"head": None}).get_json()["head"] is None
    with app.app_context():
        events = db.session.scalars(
            sa.select(AuditEvent).filter_by(object_type="section").order_by(AuditEvent.id)
        ).all()
    assert [e.action for e in events] == ["section.created", "section.changed", "section.changed"]
    assert events[1].data["before"] == {**PEM}
    assert events[1].data["after"] == {
        "code": "pemerintahan",
        "name": "Seksi Tata Pemerintahan",
        "head": "kasi2",
    }


def test_an_unknown_section_is_404(api):
    """Is a section that does not exist answered with 404?"""
    assert api.get("/api/v1/sections/tidak-ada").status_code == 404
    assert patch(api, "/api/v1/sections/tidak-ada", {"name": "X"}).status_code == 404
