"""Tests of the admin's indicators page (app/web/admin/indicators.py): add, edit, retire and
reactivate; a retired indicator leaves a new period's Indikator page."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Indicator, OrgUnit
from app.services import indicators as service

FIELDS = {
    "code": "PEM-01",
    "name": "Persentase desa tertib administrasi",
    "unit": "%",
    "polarity": "positive",
    "aggregation": "average",
    "section": "pemerintahan",
}


@pytest.fixture
def sections(app, users):
    with app.app_context():
        db.session.add(OrgUnit(code="pemerintahan", name="Seksi Pemerintahan", is_section=True))
        db.session.add(OrgUnit(code="trantib", name="Seksi Trantib", is_section=True))
        db.session.commit()


@pytest.mark.parametrize("role", ["anggota", "camat", "viewer"])
def test_only_the_admin_opens_the_indicator_admin(pages, sections, role):
    """Is anyone but the admin refused with 403?"""
    client = pages(role)
    assert client.get("/admin/indicators").status_code == 403
    assert client.post("/admin/indicators", data=FIELDS, htmx=False).status_code == 403


def test_the_admin_adds_and_edits_an_indicator(pages, sections, app):
    """Does the admin add an indicator, then move it to another section, audited?"""
    admin = pages("admin")
    response = admin.post("/admin/indicators", data=FIELDS, htmx=False)
    assert response.status_code == 302, response.text
    assert response.headers["Location"].endswith("/admin/indicators/PEM-01")
    changed = {**FIELDS, "section": "trantib", "name": "Desa tertib"}
    changed.pop("code")
    assert admin.post("/admin/indicators/PEM-01", data=changed, htmx=False).status_code == 302
    page = admin.get("/admin/indicators")
    assert "Desa tertib" in page.text and "Seksi Trantib" in page.text
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).filter_by(action="indicator.changed"))
    assert event.data["before"]["section"] == "pemerintahan"


def test_a_twin_code_is_shown_inline(pages, sections):
    """Is a second indicator with the same code refused under the code field?"""
    admin = pages("admin")
    admin.post("/admin/indicators", data=FIELDS, htmx=False)
    response = admin.post("/admin/indicators", data=FIELDS, htmx=False)
    assert response.status_code == 409
    assert "sudah ada" in response.text


def test_retiring_keeps_the_history_and_leaves_new_periods(pages, sections, app):
    """Does a retired indicator keep its values and its 2026-Q1 row, leave the 2026-Q2
    Indikator page, and come back when reactivated?"""
    admin = pages("admin")
    admin.post("/admin/indicators", data=FIELDS, htmx=False)
    with app.app_context():
        indicator = service.get_indicator("PEM-01")
        service.set_value(indicator, "2026-Q1", actor=_admin(), target=80, realization=72)
        db.session.commit()
    response = admin.post("/admin/indicators/PEM-01/active", data={"active": "0"}, htmx=False)
    assert response.status_code == 302
    assert "dinonaktifkan" in admin.get("/admin/indicators/PEM-01").text
    assert 'id="ind-PEM-01"' in admin.get("/indicators?period=2026-Q1").text
    assert 'id="ind-PEM-01"' not in admin.get("/indicators?period=2026-Q2").text
    assert "Nonaktif" in admin.get("/admin/indicators?show=retired").text
    admin.post("/admin/indicators/PEM-01/active", data={"active": "1"}, htmx=False)
    assert 'id="ind-PEM-01"' in admin.get("/indicators?period=2026-Q2").text
    with app.app_context():
        assert db.session.scalar(sa.select(Indicator.active).filter_by(code="PEM-01")) is True


def _admin():
    from app.models import User

    return db.session.scalar(sa.select(User).filter_by(username="admin"))


def test_the_section_filter_lists_the_sections_and_keeps_the_choice(pages, sections):
    """Does the list's section filter offer every section by name, the one chosen selected,
    and the add form's section select the same sections?"""
    page = pages("admin").get("/admin/indicators?section=trantib").text
    picker = page[
        page.index('id="f-section"') : page.index("</select>", page.index('id="f-section"'))
    ]
    assert '<option value="pemerintahan" >Seksi Pemerintahan</option>' in picker
    assert '<option value="trantib" selected>Seksi Trantib</option>' in picker
    add = page[
        page.index('name="section"', page.index("</select>", page.index('id="f-section"'))) :
    ]
    assert "Seksi Pemerintahan" in add[: add.index("</select>")]
