"""Tests of the admin's sections page (app/web/admin/sections.py)."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, OrgUnit


def add(client, **fields):
    data = {f"new-{k}": v for k, v in fields.items()}
    data["new-csrf_token"] = client.token
    return client.post("/admin/sections", data=data, htmx=False)


def edit(client, code, **fields):
    data = {f"{code}-{k}": v for k, v in fields.items()}
    data[f"{code}-csrf_token"] = client.token
    return client.post(f"/admin/sections/{code}", data=data, htmx=False)


@pytest.mark.parametrize("role", ["camat", "kasi", "viewer"])
def test_only_the_admin_manages_sections(pages, role):
    """Is anyone but the admin refused with 403?"""
    client = pages(role)
    assert client.get("/admin/sections").status_code == 403
    assert add(client, code="pmd", name="Seksi PMD").status_code == 403


def test_the_admin_adds_renames_and_sets_a_head(pages, app):
    """Does the admin add a section, then rename it and make kasi its head, audited?"""
    admin = pages("admin")
    assert add(admin, code="pmd", name="Seksi PMD", head="").status_code == 302
    page = admin.get("/admin/sections")
    assert "Seksi PMD ditambahkan." in page.text and "<code>pmd</code>" in page.text
    response = edit(admin, "pmd", name="Seksi Pemberdayaan Masyarakat Desa", head="kasi")
    assert response.status_code == 302, response.text
    with app.app_context():
        section = db.session.scalar(sa.select(OrgUnit).filter_by(code="pmd"))
        assert section.name == "Seksi Pemberdayaan Masyarakat Desa"
        assert section.head.username == "kasi"
        actions = db.session.scalars(
            sa.select(AuditEvent.action).filter_by(object_type="section")
        ).all()
    assert actions == ["section.created", "section.changed"]
    assert 'selected value="kasi"' in admin.get("/admin/sections").text


def test_problems_are_shown_inline(pages):
    """Are a bad code, a twin code and a blank name said in Indonesian under their field?"""
    admin = pages("admin")
    response = add(admin, code="Bad Code", name="Seksi X")
    assert response.status_code == 422
    assert "Kode seksi &#39;Bad Code&#39; tidak valid" in response.text
    assert add(admin, code="pmd", name="Seksi PMD").status_code == 302
    twin = add(admin, code="pmd", name="Seksi Lain")
    assert twin.status_code == 409
    assert "sudah ada" in twin.text
    blank = edit(admin, "pmd", name="", head="")
    assert blank.status_code == 422
    assert "Nama seksi wajib diisi." in blank.text
