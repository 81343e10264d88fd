"""Tests of the admin's predikat scale page (app/web/admin/scale.py)."""

from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent
from app.services.indicators import current_bands

FOUR = [("Baik Sekali", "", "90"), ("Baik", "", "70,5"), ("Cukup", "", "50"), ("Kurang", "", "")]


def rows(bands):
    data = {}
    for i, (name, code, bound) in enumerate(bands):
        data.update({f"name-{i}": name, f"code-{i}": code, f"bound-{i}": bound})
    return data


@pytest.mark.parametrize("role", ["anggota", "camat", "viewer"])
def test_only_the_admin_opens_the_scale_page(pages, role):
    """Is anyone but the admin refused with 403, the scale unchanged?"""
    client = pages(role)
    assert client.get("/admin/scale").status_code == 403
    assert client.post("/admin/scale", data=rows(FOUR), htmx=False).status_code == 403


def test_the_page_shows_the_scale_in_force(pages):
    """Does the page show the default bands with their ranges and in the form?"""
    page = pages("admin").get("/admin/scale")
    assert page.status_code == 200
    assert "Sangat Tinggi" in page.text and "≥ 91" in page.text
    assert 'value="sangat_rendah"' in page.text


def test_the_admin_replaces_the_scale(pages, app):
    """Does a posted scale (decimal commas, codes made of the names) replace the old one,
    audited?"""
    response = pages("admin").post("/admin/scale", data=rows(FOUR), htmx=False)
    assert response.status_code == 302, response.text
    with app.app_context():
        bands = current_bands()
        assert [(b.code, b.label, b.min_achievement) for b in bands][:2] == [
            ("baik_sekali", "Baik Sekali", 90),
            ("baik", "Baik", Decimal("70.50")),
        ]
        assert db.session.scalar(
            sa.select(AuditEvent.id).filter_by(action="category_scale.changed")
        )


@pytest.mark.parametrize(
    "bands, message",
    [
        ([("Baik", "", "sembilan puluh"), ("Kurang", "", "")], "Batas bawah harus angka"),
        ([("", "", "90"), ("Kurang", "", "")], "Nama predikat wajib diisi."),
        ([("Baik", "", "90"), ("Kurang", "", "90")], "tepat satu predikat harus tanpa batas"),
        ([("Baik", "", "90"), ("Baik", "", "")], "kode predikat harus berbeda"),
        ([("Baik", "", "")], "paling sedikit dua predikat"),
    ],
)
def test_problems_are_said_in_indonesian_beside_the_rows(pages, app, bands, message):
    """Is a bad scale refused with 422, said in Indonesian, the typed rows kept and the
    scale unchanged?"""
    response = pages("admin").post("/admin/scale", data=rows(bands), htmx=False)
    assert response.status_code == 422
    assert message in response.text
    assert f'value="{bands[0][0]}"' in response.text
    with app.app_context():
        assert len(current_bands()) == 5
