"""Tests of the office profile over the API (app/api/office.py): read by anyone signed in,
replaced by the admin only, validated, audited, and printed on every letterhead."""

import base64
import io
import os

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from app.extensions import db
from app.models import AuditEvent
from tests.helpers import pdf_text
from tests.office_helpers import PROFILE, jpeg_logo, png_logo


def put_office(api, body, as_="admin"):
    return api.client.put("/api/v1/office", json=body, headers=api.headers(as_))


def with_logo(content: bytes, media_type="image/png") -> dict:
    return {**PROFILE, "logo": f"data:{media_type};base64,{base64.b64encode(content).decode()}"}


def test_the_profile_starts_from_the_configuration(api):
    """Does a fresh office answer the configuration's name, address, city and base URL?"""
    body = api.get("/api/v1/office", as_="viewer").get_json()
    assert body["name"] == "Kecamatan Purbalingga"
    assert body["government"] == "Pemerintah Kabupaten Purbalingga"
    assert body["city"] == "Purbalingga"
    assert body["base_url"] == "http://127.0.0.1:5000"
    assert body["logo"] is None


def test_reading_the_profile_needs_credentials(api):
    """Is an anonymous caller refused with 401?"""
    assert api.get("/api/v1/office", as_=None).status_code == 401


def test_admin_replaces_the_profile_and_it_is_audited(api, app):
    """Does the admin's PUT change the profile for everyone, audited with old and new?"""
    response = put_office(api, PROFILE)
    assert response.status_code == 200, response.get_json()
    assert api.get("/api/v1/office", as_="kasi").get_json()["address"] == PROFILE["address"]
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).filter_by(action="office.profile_changed"))
        assert event.object_type == "office"
        assert event.data["before"]["name"] == "Kecamatan Purbalingga"
        assert event.data["after"]["name"] == "Kecamatan Kalimanah"
        assert "address" in event.data["changed"]


@pytest.mark.parametrize("username", ["camat", "sekcam", "kasi", "anggota", "viewer"])
def test_only_the_admin_replaces_the_profile(api, username):
    """Is everyone but the admin refused with 403, the profile unchanged?"""
    response = put_office(api, PROFILE, as_=username)
    assert response.status_code == 403
    assert api.get("/api/v1/office").get_json()["name"] == "Kecamatan Purbalingga"


@pytest.mark.parametrize(
    "change, code",
    [
        ({"email": "bukan-email"}, "invalid_email"),
        ({"email": "a@b"}, "invalid_email"),
        ({"website": "kalimanah.go.id"}, "invalid_url"),
        ({"website": "javascript:alert(1)"}, "invalid_url"),
        ({"base_url": "ftp://sakip.example.id"}, "validation_error"),
        ({"phone": "telp: <b>"}, "invalid_phone"),
        ({"name": "   "}, "office_field_required"),
    ],
)
def test_bad_profiles_are_refused(api, change, code):
    """Is a bad e-mail, web address, telephone or a blank name refused with 422 naming the
    field, changing nothing?"""
    response = put_office(api, {**PROFILE, **change})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == code
    if code != "validation_error":
        assert error["details"]["field"] == next(iter(change))
    assert api.get("/api/v1/office").get_json()["name"] == "Kecamatan Purbalingga"


def test_the_logo_is_stored_served_and_removed(api):
    """Is a PNG logo stored, served back byte for byte, kept when left out, and removed
    with null?"""
    logo = png_logo()
    assert put_office(api, with_logo(logo)).status_code == 200
    served = api.get("/api/v1/office").get_json()["logo"]
    assert served["media_type"] == "image/png" and served["size"] == len(logo)
    image = api.get(served["url"])
    assert image.status_code == 200 and image.data == logo
    assert image.headers["Content-Type"] == "image/png"
    assert put_office(api, PROFILE).status_code == 200
    assert api.get("/api/v1/office").get_json()["logo"]["sha256"] == served["sha256"]
    assert put_office(api, {**PROFILE, "logo": None}).status_code == 200
    assert api.get("/api/v1/office").get_json()["logo"] is None
    assert api.get("/api/v1/office/logo").status_code == 404


def test_a_jpeg_logo_is_accepted_as_plain_base64(api):
    """Is a JPEG sent as plain base64 taken as image/jpeg?"""
    body = {**PROFILE, "logo": base64.b64encode(jpeg_logo()).decode()}
    assert put_office(api, body).status_code == 200
    assert api.get("/api/v1/office").get_json()["logo"]["media_type"] == "image/jpeg"


@pytest.mark.parametrize(
    "logo, status, code",
    [
        ("data:image/png;base64,bm90IGFuIGltYWdl", 415, "logo_not_an_image"),
        ("%%%not base64%%%", 422, "invalid_logo_encoding"),
        ("data:image/png,plain", 422, "invalid_logo_encoding"),
    ],
)
def test_a_logo_that_is_not_an_image_is_refused(api, logo, status, code):
    """Is a logo that is not a decodable PNG or JPEG refused, changing nothing?"""
    response = put_office(api, {**PROFILE, "logo": logo})
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code
    assert api.get("/api/v1/office").get_json()["name"] == "Kecamatan Purbalingga"


def test_a_too_large_logo_is_refused(api):
    """Is a logo over 512 KB refused with 413?"""
    from PIL import Image

    noisy = Image.frombytes("RGB", (480, 480), os.urandom(480 * 480 * 3))
    out = io.BytesIO()
    noisy.save(out, format="PNG")
    assert len(out.getvalue()) > 512 * 1024
    response = put_office(api, with_logo(out.getvalue()))
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "logo_too_large"


def test_the_letterhead_carries_the_profile_and_its_logo(api, runner):
    """Does a report's kop surat print the profile's office, street, telephone, e-mail and
    website, with the logo drawn as an image?"""
    assert put_office(api, with_logo(png_logo((60, 60)))).status_code == 200
    section = {"code": "pemerintahan", "name": "Seksi Pemerintahan"}
    assert api.post("/api/v1/sections", json=section, as_="admin").status_code == 201
    indicator = {
        "code": "PEM-01",
        "name": "Persentase desa tertib administrasi",
        "unit": "%",
        "polarity": "positive",
        "aggregation": "average",
        "section": "pemerintahan",
    }
    assert api.post("/api/v1/indicators", json=indicator, as_="admin").status_code == 201
    instance = runner.start("2026-Q1")
    response = api.get(f"/api/v1/instances/{instance['id']}/recap.pdf")
    assert response.status_code == 200
    text = " ".join(pdf_text(response.data).split())
    for fact in ("KECAMATAN KALIMANAH", PROFILE["address"], PROFILE["phone"], PROFILE["email"]):
        assert fact in text
    assert PROFILE["website"] in text
    assert "KECAMATAN PURBALINGGA" not in text
    first_page = PdfReader(io.BytesIO(response.data)).pages[0]
    assert len(first_page.images) >= 1


def test_a_non_admin_is_refused_before_the_logo_is_read(api):
    """Is a non-admin's PUT with a malformed logo refused with 403, not judged on the logo?"""
    response = put_office(api, {**PROFILE, "logo": "%%%"}, as_="camat")
    assert response.status_code == 403
