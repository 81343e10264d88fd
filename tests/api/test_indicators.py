"""The indicator API (app/api/indicators.py): indicators, their values, the import, and an
instance's measurement sheet."""

import io
import json

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, OrgUnit

BASE = "/api/v1/indicators"
VALUE_KEYS = {
    "indicator",
    "period",
    "target",
    "realization",
    "achievement",
    "category",
    "category_label",
    "reason",
    "target_source",
    "realization_source",
}


@pytest.fixture
def office(app, users):
    """Three sections and a unit that is not one."""
    with app.app_context():
        for code, name, is_section in [
            ("pemerintahan", "Seksi Pemerintahan", True),
            ("trantib", "Seksi Trantib", True),
            ("kesos", "Seksi Kesejahteraan Sosial", True),
            ("sekretariat", "Sekretariat", False),
        ]:
            db.session.add(OrgUnit(code=code, name=name, is_section=is_section))
        db.session.commit()
    return app


def error_of(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert (error["status"], error["code"]) == (status, code), error
    return error


def indicator(code="PEM-01", section="pemerintahan", polarity="positive", aggregation="sum"):
    return {
        "code": code,
        "name": f"Indikator {code}",
        "unit": "%",
        "polarity": polarity,
        "aggregation": aggregation,
        "section": section,
    }


def create(api, as_="admin", **fields):
    return api.post(BASE, json=indicator(**fields), as_=as_)


def put(api, code, period, body, as_="anggota", **kwargs):
    return api.client.put(
        f"{BASE}/{code}/values/{period}",
        json=body,
        headers=api.headers(as_, kwargs.pop("headers", None)),
        **kwargs,
    )


def put_raw(api, code, period, text, as_="anggota"):
    return api.client.put(
        f"{BASE}/{code}/values/{period}",
        data=text,
        content_type="application/json",
        headers=api.headers(as_),
    )


def actions(app) -> list[str]:
    """The indicator actions in the audit trail, oldest first."""
    with app.app_context():
        query = sa.select(AuditEvent.action).where(AuditEvent.action.startswith("indicator."))
        return list(db.session.scalars(query.order_by(AuditEvent.id)))


# --- indicators ----------------------------------------------------------------------------


def test_admin_and_anggota_create_indicators(api, office):
    """Can an admin or an anggota add an indicator (201), audited as indicator.created?"""
    response = create(api, polarity="negative", aggregation="last")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    created_at = body.pop("created_at")
    assert created_at.endswith("+07:00")
    assert body == {
        "code": "PEM-01",
        "name": "Indikator PEM-01",
        "unit": "%",
        "polarity": "negative",
        "aggregation": "last",
        "section": "pemerintahan",
        "section_name": "Seksi Pemerintahan",
        "active": True,
    }
    assert create(api, as_="anggota", code="TRA-01", section="trantib").status_code == 201
    assert actions(office)[-2:] == ["indicator.created", "indicator.created"]


@pytest.mark.parametrize("username", ["kasi", "viewer", "camat", "sekcam"])
def test_other_roles_cannot_create(api, office, username):
    """Are kasi, viewer, camat and sekcam refused 403?"""
    error_of(create(api, as_=username), 403, "forbidden")


def test_create_refusals(api, office):
    """Duplicate code 409; unknown section or a unit that is no section 422; bad fields 422;
    no credentials 401."""
    assert create(api).status_code == 201
    error_of(create(api, section="trantib"), 409, "duplicate_indicator")
    error_of(create(api, code="X-1", section="nowhere"), 422, "unknown_section")
    error_of(create(api, code="X-1", section="sekretariat"), 422, "unknown_section")
    for bad in (
        {"code": "with space"},
        {"code": "a" * 41},
        {"code": ""},
        {"polarity": "up"},
        {"aggregation": "median"},
        {"name": "   "},
        {"extra": 1},
    ):
        body = indicator(code="X-2") | bad
        error = error_of(api.post(BASE, json=body, as_="admin"), 422, "validation_error")
        assert error["details"]["json"]
    body = indicator()
    del body["section"]
    error_of(api.post(BASE, json=body, as_="admin"), 422, "validation_error")
    error_of(create(api, as_=None, code="X-3"), 401, "unauthorized")


def test_list_by_section(api, office):
    """Are the indicators listed by code, paginated, and filtered by section?"""
    for code, section in (
        ("TRA-01", "trantib"),
        ("PEM-02", "pemerintahan"),
        ("PEM-01", "pemerintahan"),
    ):
        assert create(api, code=code, section=section).status_code == 201
    body = api.get(BASE).get_json()
    assert [i["code"] for i in body["items"]] == ["PEM-01", "PEM-02", "TRA-01"]
    assert (body["page"], body["per_page"], body["total"]) == (1, 50, 3)
    body = api.get(f"{BASE}?section=pemerintahan&per_page=1&page=2").get_json()
    assert ([i["code"] for i in body["items"]], body["total"]) == (["PEM-02"], 2)
    assert api.get(f"{BASE}?section=nowhere").get_json()["total"] == 0


# --- values --------------------------------------------------------------------------------


def test_put_value_answers_its_figures_as_numbers(api, office):
    """Does a PUT answer the period's figures, numbers as JSON numbers and the achievement
    rounded to 2 decimals?"""
    create(api)
    response = put(api, "PEM-01", "2026-Q1", {"target": 80, "realization": 72.4})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert set(body) == VALUE_KEYS
    assert body == {
        "indicator": "PEM-01",
        "period": "2026-Q1",
        "target": 80,
        "realization": 72.4,
        "achievement": 90.5,
        "category": "tinggi",
        "category_label": "Tinggi",
        "reason": None,
        "target_source": "entered",
        "realization_source": "entered",
    }
    assert all(isinstance(body[k], float | int) for k in ("target", "realization", "achievement"))
    # A left-out field stays; null clears.
    body = put(api, "PEM-01", "2026-Q1", {"realization": None}).get_json()
    assert (body["target"], body["realization"], body["achievement"]) == (80, None, None)
    assert (body["category"], body["reason"]) == ("not_measurable", "realization_missing")
    assert actions(office).count("indicator.value_set") == 2


def test_put_half_up_rounding(api, office):
    """Is 90.995 shown as 91.0 and Sangat Tinggi (no float drift)?"""
    create(api)
    body = put(api, "PEM-01", "2026-Q1", {"target": 200, "realization": 181.99}).get_json()
    assert (body["achievement"], body["category"]) == (91.0, "sangat_tinggi")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"target": "80"}, 422, "validation_error"),
        ({"realization": "banyak"}, 422, "validation_error"),
        ({"target": True}, 422, "validation_error"),
        ({"target": [1]}, 422, "validation_error"),
        ({"target": -1}, 422, "negative_value"),
        ({"target": 10, "realization": -0.5}, 422, "negative_value"),
        ({"target": 0, "realization": 5}, 422, "realization_on_zero_target"),
        ({"target": 1e11}, 422, "value_too_large"),
        ({"target": 1.23456}, 422, "value_too_precise"),
        ({}, 422, "nothing_to_set"),
        ({"target": 1, "note": "x"}, 422, "validation_error"),
    ],
)
def test_put_refuses_bad_values(api, office, body, status, code):
    """Are strings, negatives, a realisation on a zero target and other bad values 422s that
    store nothing?"""
    create(api)
    error = error_of(put(api, "PEM-01", "2026-Q1", body), status, code)
    assert error["message"]
    assert api.get(f"{BASE}/PEM-01/values").get_json()["values"] == []


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_put_refuses_non_finite_numbers(api, office, literal):
    """Are NaN and infinities (which Python's JSON reads) refused with a 422?"""
    create(api)
    response = put_raw(api, "PEM-01", "2026-Q1", '{"target": ' + literal + "}")
    error_of(response, 422, "value_not_finite")


def test_put_roles_and_missing_things(api, office):
    """403 for kasi and viewer, 404 for an unknown or impossible code, 422 for a bad period,
    401 without credentials."""
    create(api)
    for username in ("kasi", "viewer"):
        error_of(put(api, "PEM-01", "2026-Q1", {"target": 1}, as_=username), 403, "forbidden")
    error_of(put(api, "NOPE", "2026-Q1", {"target": 1}), 404, "not_found")
    error_of(put(api, "a%00b", "2026-Q1", {"target": 1}), 404, "not_found")
    error_of(put(api, "a" * 41, "2026-Q1", {"target": 1}), 404, "not_found")
    for period in ("2026-Q5", "1999", "2026-01", "x" * 20):
        error_of(put(api, "PEM-01", period, {"target": 1}), 422, "invalid_period")
    error_of(put(api, "PEM-01", "2026-Q1", {"target": 1}, as_=None), 401, "unauthorized")


def test_messages_follow_accept_language(api, office):
    """Is a refusal in Indonesian by default and in English on request?"""
    create(api)
    body = {"target": 0, "realization": 1}
    indonesian = put(api, "PEM-01", "2026-Q1", body).get_json()["error"]["message"]
    english = put(api, "PEM-01", "2026-Q1", body, headers={"Accept-Language": "en"})
    assert "realisasi" in indonesian
    assert "realization" in english.get_json()["error"]["message"]


def test_values_list_periods_and_year(api, office):
    """Does GET values list each stored period and each year, made of its quarters unless it
    has its own value?"""
    create(api, aggregation="sum")
    put(api, "PEM-01", "2026-Q1", {"target": 10, "realization": 9})
    put(api, "PEM-01", "2026-Q2", {"target": 10, "realization": 11})
    put(api, "PEM-01", "2026", {"target": 50})
    body = api.get(f"{BASE}/PEM-01/values").get_json()
    assert body["indicator"]["code"] == "PEM-01"
    assert [v["period"] for v in body["values"]] == ["2026", "2026-Q1", "2026-Q2"]
    (year,) = body["years"]
    assert (year["period"], year["target"], year["realization"]) == ("2026", 50, 20)
    assert (year["target_source"], year["realization_source"]) == ("entered", "quarters")
    assert (year["achievement"], year["category"]) == (40.0, "sangat_rendah")
    error_of(api.get(f"{BASE}/NOPE/values"), 404, "not_found")


# --- import --------------------------------------------------------------------------------


def upload(api, content: bytes, filename="ekinerja.csv", as_="anggota"):
    return api.client.post(
        f"{BASE}/import",
        data={"file": (io.BytesIO(content), filename)},
        headers=api.headers(as_),
        content_type="multipart/form-data",
    )


def test_import_json_rows(api, office):
    """Does a JSON import apply every row and answer the counts, audited once?"""
    create(api)
    create(api, code="TRA-01", section="trantib", polarity="negative")
    put(api, "PEM-01", "2026-Q1", {"target": 100})
    rows = [
        {"indicator": "PEM-01", "period": "2026-Q1", "realization": 95},
        {"code": "TRA-01", "period": "2026-Q1", "target": 10, "realization": 13},
    ]
    response = api.post(f"{BASE}/import", json={"rows": rows}, as_="anggota")
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"applied": 2, "created": 1, "updated": 1}
    value = api.get(f"{BASE}/PEM-01/values").get_json()["values"][0]
    assert (value["target"], value["realization"], value["achievement"]) == (100, 95, 95.0)
    assert actions(office)[-1] == "indicator.imported"


def test_import_is_all_or_nothing(api, office):
    """Does one bad row refuse the lot, change nothing, and report every bad row?"""
    create(api)
    put(api, "PEM-01", "2026-Q1", {"target": 100, "realization": 50})
    before = (api.get(f"{BASE}/PEM-01/values").get_json(), len(actions(office)))
    rows = [
        {"indicator": "PEM-01", "period": "2026-Q1", "realization": 99},
        {"indicator": "NOPE", "period": "2026-Q1", "realization": 1},
        {"indicator": "PEM-01", "period": "2026-Q2", "realization": "12"},
        {"indicator": "PEM-01", "period": "2026-13", "realization": -1},
        {"indicator": "PEM-01", "period": "2026-Q1", "target": 100},
    ]
    response = api.post(
        f"{BASE}/import", json={"rows": rows}, as_="anggota", headers={"Accept-Language": "en"}
    )
    error = error_of(response, 422, "import_invalid")
    assert "4 bad row" in error["message"]
    assert error["details"]["rows"] == 5
    assert [(e["row"], e["field"], e["code"]) for e in error["details"]["errors"]] == [
        (2, "indicator", "unknown_indicator"),
        (3, "realization", "not_a_number"),
        (4, "period", "invalid_period"),
        (4, "realization", "negative_value"),
        (5, "period", "import_duplicate_row"),
    ]
    assert error["details"]["errors"][0]["message"] == "Unknown indicator 'NOPE'."
    assert (api.get(f"{BASE}/PEM-01/values").get_json(), len(actions(office))) == before
    # The same report in Indonesian by default.
    response = api.post(f"{BASE}/import", json={"rows": rows}, as_="anggota")
    assert response.get_json()["error"]["details"]["errors"][0]["message"] == (
        "Indikator 'NOPE' tidak dikenal."
    )


def test_import_csv_file(api, office):
    """Does a multipart CSV (semicolons, Indonesian numbers) import, and a JSON file too?"""
    create(api, code="PEL-04")
    csv_text = "kode;periode;target;realisasi\nPEL-04;2026-Q1;1.200;1.140,5\n"
    response = upload(api, csv_text.encode())
    assert response.status_code == 200, response.get_json()
    value = api.get(f"{BASE}/PEL-04/values").get_json()["values"][0]
    # "1.200" has one dot: a decimal point, so 1.2 (write 1200 or 1.200,0 for a thousand).
    assert (value["target"], value["realization"]) == (1.2, 1140.5)
    rows = {"rows": [{"indicator": "PEL-04", "period": "2026-Q1", "target": 1200}]}
    response = upload(api, json.dumps(rows).encode(), filename="ekinerja.json")
    assert response.get_json() == {"applied": 1, "created": 0, "updated": 1}
    value = api.get(f"{BASE}/PEL-04/values").get_json()["values"][0]
    assert (value["target"], value["achievement"]) == (1200, 95.04)


def test_import_csv_errors_name_rows_and_lines(api, office):
    """Does a bad CSV report each bad row with its number and line, and change nothing?"""
    create(api)
    text = "code,period,realization\nPEM-01,2026-Q1,10\nPEM-01,2026-Q2,abc\nNOPE,2026-Q3,1\n"
    error = error_of(upload(api, text.encode()), 422, "import_invalid")
    assert [(e["row"], e["line"], e["code"]) for e in error["details"]["errors"]] == [
        (2, 3, "not_a_number"),
        (3, 4, "unknown_indicator"),
    ]
    assert api.get(f"{BASE}/PEM-01/values").get_json()["values"] == []


def test_import_refusals(api, office):
    """Roles, unreadable files and malformed bodies are refused with a 4xx."""
    create(api)
    rows = {"rows": [{"indicator": "PEM-01", "period": "2026-Q1", "realization": 1}]}
    for username in ("kasi", "viewer"):
        error_of(api.post(f"{BASE}/import", json=rows, as_=username), 403, "forbidden")
    error_of(api.post(f"{BASE}/import", json=rows, as_=None), 401, "unauthorized")
    error_of(upload(api, b"\xff\xfe\x00"), 422, "import_unreadable")
    error_of(upload(api, b"judul,nilai\n1,2\n"), 422, "import_unreadable")
    error_of(upload(api, b"{broken", filename="x.json"), 422, "import_unreadable")
    error_of(api.post(f"{BASE}/import", json={"rows": []}, as_="admin"), 422, "validation_error")
    error_of(api.post(f"{BASE}/import", json={"rows": "x"}, as_="admin"), 422, "validation_error")
    error_of(api.post(f"{BASE}/import", json=[1], as_="admin"), 422, "validation_error")
    response = api.client.post(
        f"{BASE}/import",
        data="{nope",
        content_type="application/json",
        headers=api.headers("admin"),
    )
    error_of(response, 400, "bad_request")


# --- the measurement of an instance --------------------------------------------------------


def test_measurement_of_an_instance(api, office, runner):
    """Does an instance's measurement give each section's rows and summary, and the overall
    one, for its period (hand-computed)?"""
    create(api, code="A1")
    create(api, code="A2", polarity="negative", aggregation="average")
    create(api, code="A3")
    create(api, code="B1", section="trantib")
    put(api, "A1", "2026-Q1", {"target": 100, "realization": 95})  # 95.00
    put(api, "A2", "2026-Q1", {"target": 10, "realization": 13})  # (20 - 13) / 10 = 70.00
    put(api, "A3", "2026-Q1", {"target": 50})  # not measurable
    put(api, "B1", "2026-Q1", {"target": 3, "realization": 2})  # 66.67
    instance = runner.start("2026-Q1")
    response = api.get(f"/api/v1/instances/{instance['id']}/measurement")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["instance_id"], body["period"]) == (instance["id"], "2026-Q1")
    # (95 + 70 + 66.67) / 3 = 77.2233…
    assert (body["average"], body["category"], body["category_label"]) == (
        77.22,
        "tinggi",
        "Tinggi",
    )
    assert (body["measurable"], body["not_measurable"]) == (3, 1)
    pem, trantib, kesos = body["sections"]
    assert (pem["code"], pem["name"]) == ("pemerintahan", "Seksi Pemerintahan")
    assert (pem["average"], pem["category"], pem["measurable"], pem["not_measurable"]) == (
        82.5,
        "tinggi",
        2,
        1,
    )
    assert pem["rows"][1] == {
        "indicator": "A2",
        "name": "Indikator A2",
        "unit": "%",
        "polarity": "negative",
        "target": 10,
        "realization": 13,
        "achievement": 70.0,
        "category": "sedang",
        "category_label": "Sedang",
        "reason": None,
    }
    assert (pem["rows"][2]["achievement"], pem["rows"][2]["category"]) == (None, "not_measurable")
    assert (trantib["average"], trantib["category"]) == (66.67, "sedang")
    assert (kesos["rows"], kesos["average"], kesos["category"]) == ([], None, "not_measurable")
    assert [b["code"] for b in body["bands"]] == [
        "sangat_tinggi",
        "tinggi",
        "sedang",
        "rendah",
        "sangat_rendah",
    ]
    error_of(api.get("/api/v1/instances/999999/measurement"), 404, "not_found")
