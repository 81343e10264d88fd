"""Tests of the admin's office profile page (app/web/admin/office.py) and of the profile on
every page's header."""

import io

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent
from tests.helpers import pdf_text
from tests.office_helpers import PROFILE, png_logo


def post_profile(client, extra=None, **files):
    data = {**PROFILE, **(extra or {})}
    for name, (content, filename) in files.items():
        data[name] = (io.BytesIO(content), filename)
    return client.post("/admin/office", data=data, htmx=False, content_type="multipart/form-data")


@pytest.mark.parametrize("role", ["camat", "kasi", "viewer"])
def test_only_the_admin_opens_the_profile_page(pages, role):
    """Is anyone but the admin refused with 403, for the page and for a post?"""
    client = pages(role)
    assert client.get("/admin/office").status_code == 403
    assert post_profile(client).status_code == 403
    assert client.get("/admin/office/preview.pdf").status_code == 403


def test_the_page_shows_the_profile_and_its_preview(pages):
    """Does the admin see the current profile in the form and in the letterhead preview?"""
    page = pages("admin").get("/admin/office")
    assert page.status_code == 200
    assert 'value="Kecamatan Purbalingga"' in page.text
    assert "Pratinjau kop surat" in page.text
    assert "KECAMATAN PURBALINGGA" in page.text


def test_the_admin_saves_the_profile_with_a_logo(pages, app):
    """Does saving the form change the profile, show the logo in every page's header and
    the preview, and audit the change?"""
    admin = pages("admin")
    logo = png_logo()
    response = post_profile(admin, logo=(logo, "logo.png"))
    assert response.status_code == 302, response.text
    page = admin.get("/admin/office")
    assert "Profil kantor disimpan." in page.text
    assert "SAKIP Kecamatan Kalimanah" in page.text
    assert "brand-logo" in page.text
    assert pages("viewer").get("/").text.count("Kecamatan Kalimanah") >= 1
    served = app.test_client().get("/office/logo")
    assert served.status_code == 200 and served.data == logo
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).filter_by(action="office.profile_changed"))
        assert event.data["after"]["logo"]["size"] == len(logo)
        assert event.data["before"]["logo"] is None


def test_bad_fields_are_shown_inline_in_indonesian(pages):
    """Are a bad e-mail and a web address without http:// shown under their fields, with
    nothing saved?"""
    admin = pages("admin")
    response = post_profile(admin, {"email": "bukan email", "website": "kalimanah.go.id"})
    assert response.status_code == 422
    assert "Alamat e-mail tidak valid" in response.text
    assert 'aria-invalid="true"' in response.text
    assert "Kecamatan Purbalingga" in admin.get("/admin/office").text


def test_a_file_that_is_not_an_image_is_refused_as_a_logo(pages, app):
    """Is a PDF sent as the logo refused inline, the profile unchanged?"""
    response = post_profile(pages("admin"), logo=(b"%PDF-1.4 not an image", "logo.png"))
    assert response.status_code == 422
    assert "Logo harus berupa gambar PNG atau JPEG." in response.text
    assert app.test_client().get("/office/logo").status_code == 404


def test_the_logo_is_removed_on_request(pages, app):
    """Does ticking Hapus logo remove the logo?"""
    admin = pages("admin")
    assert post_profile(admin, logo=(png_logo(), "logo.png")).status_code == 302
    assert post_profile(admin, {"remove_logo": "y"}).status_code == 302
    assert app.test_client().get("/office/logo").status_code == 404


def test_the_letterhead_preview_is_a_pdf_of_the_profile(pages):
    """Is the preview a PDF whose letterhead carries the saved street and e-mail?"""
    admin = pages("admin")
    post_profile(admin, logo=(png_logo(), "logo.png"))
    response = admin.get("/admin/office/preview.pdf")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    text = " ".join(pdf_text(response.data).split())
    assert PROFILE["address"] in text and PROFILE["email"] in text
