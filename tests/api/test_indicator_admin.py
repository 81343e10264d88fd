"""Tests of the admin's changes to an indicator over the API (PATCH /api/v1/indicators/
{code}): audited with old and new; a retired indicator keeps its history but leaves new
periods' sheets."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent

INDICATOR = {
    "code": "PEM-01",
    "name": "Persentase desa tertib administrasi",
    "unit": "%",
    "polarity": "positive",
    "aggregation": "average",
    "section": "pemerintahan",
}


@pytest.fixture
def indicator(api):
    for code, name in [("pemerintahan", "Seksi Pemerintahan"), ("trantib", "Seksi Trantib")]:
        body = {"code": code, "name": name}
        assert api.post("/api/v1/sections", json=body, as_="admin").status_code == 201
    assert api.post("/api/v1/indicators", json=INDICATOR, as_="admin").status_code == 201
    return INDICATOR["code"]


def patch(api, body, as_="admin", code="PEM-01"):
    return api.client.patch(f"/api/v1/indicators/{code}", json=body, headers=api.headers(as_))


def put_value(api, period, **values):
    response = api.client.put(
        f"/api/v1/indicators/PEM-01/values/{period}", json=values, headers=api.headers("anggota")
    )
    assert response.status_code == 200, response.get_json()


def sheet_codes(api, runner, period):
    instance = runner.start(period)
    sheet = api.get(f"/api/v1/instances/{instance['id']}/measurement").get_json()
    return [row["indicator"] for section in sheet["sections"] for row in section["rows"]]


def test_admin_changes_an_indicator_audited_with_old_and_new(api, app, indicator):
    """Does a PATCH change the name, unit, polarity, aggregation and section, audited?"""
    body = {
        "name": "Desa tertib",
        "unit": "desa",
        "polarity": "negative",
        "aggregation": "last",
        "section": "trantib",
    }
    response = patch(api, body)
    assert response.status_code == 200, response.get_json()
    answered = response.get_json()
    assert {k: answered[k] for k in body} == body
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).filter_by(action="indicator.changed"))
    assert event.data["before"]["section"] == "pemerintahan"
    assert event.data["after"]["section"] == "trantib"
    assert event.data["changed"] == ["aggregation", "name", "polarity", "section", "unit"]


@pytest.mark.parametrize("username", ["anggota", "camat", "kasi", "viewer"])
def test_only_the_admin_changes_an_indicator(api, indicator, username):
    """Is everyone but the admin (the anggota too, who may add one) refused with 403?"""
    assert patch(api, {"name": "X"}, as_=username).status_code == 403
    assert api.get("/api/v1/indicators/PEM-01").get_json()["name"] == INDICATOR["name"]


@pytest.mark.parametrize(
    "body, code",
    [
        ({"section": "tidak-ada"}, "unknown_section"),
        ({"polarity": "up"}, "validation_error"),
        ({"active": 0}, "validation_error"),
        ({"name": " "}, "validation_error"),
        ({"code": "PEM-02"}, "validation_error"),
    ],
)
def test_bad_changes_are_refused(api, indicator, body, code):
    """Is an unknown section, a bad polarity, a non-boolean active, a blank name or a new
    code refused with 422?"""
    response = patch(api, body)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == code


def test_a_retired_indicator_keeps_its_history(api, app, runner, indicator):
    """Does a retired indicator keep its values and its place in the periods it has values
    for, leave a new period's sheet, and come back when reactivated?"""
    put_value(api, "2026-Q1", target=80, realization=72)
    response = patch(api, {"active": False})
    assert response.status_code == 200 and response.get_json()["active"] is False
    values = api.get("/api/v1/indicators/PEM-01/values").get_json()["values"]
    assert [(v["period"], v["achievement"]) for v in values] == [("2026-Q1", 90.0)]
    assert sheet_codes(api, runner, "2026-Q1") == ["PEM-01"]
    assert sheet_codes(api, runner, "2026-Q2") == []
    assert patch(api, {"active": True}).get_json()["active"] is True
    assert sheet_codes(api, runner, "2026-Q3") == ["PEM-01"]
    with app.app_context():
        actions = db.session.scalars(
            sa.select(AuditEvent.action).filter_by(object_type="indicator").order_by(AuditEvent.id)
        ).all()
    assert actions[-2:] == ["indicator.retired", "indicator.reactivated"]


def test_an_unknown_indicator_is_404(api, indicator):
    """Is a PATCH of an unknown indicator answered with 404?"""
    assert patch(api, {"name": "X"}, code="TIDAK-ADA").status_code == 404
