"""The Kinerja SOP API: the figures, the same table as CSV and .xlsx, who may read them, and
refused scopes."""

import csv
import io

import pytest
from openpyxl import load_workbook

from app.services.analytics.files import STEP_COLUMNS
from tests.analytics_history import build_history

URL = "/api/v1/analytics/steps"
FIRST_HALF = "since=2026-01-01&until=2026-06-30"


@pytest.fixture
def history(app, users):
    with app.app_context():
        return {name: instance.id for name, instance in build_history().items()}


def test_answer_has_the_contracts_fields(api, history):
    """Does the answer carry API.md's fields per step and for the instances, and the extras?"""
    response = api.get(f"{URL}?{FIRST_HALF}", as_="camat")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    step10 = next(step for step in body["steps"] if step["step_no"] == 10)
    assert step10 == {
        "step_no": 10,
        "step_name": step10["step_name"],
        "actors": ["sekcam"],
        "tasks": 5,
        "on_time": 4,
        "late": 1,
        "compliance": 80.0,
        "median_working_minutes": 45,
        "p90_working_minutes": 90,
        "standard_minutes": 60,
        "returns": 1,
    }
    assert body["instances"] == {
        "completed": 3,
        "median_cycle_working_minutes": 290,
        "returns_per_instance": 0.5,
    }
    assert [q["quarter"] for q in body["trend"]] == ["2026-Q1", "2026-Q2"]
    assert body["trend"][0]["totals"]["compliance"] == 55.6
    assert {r["role"]: r["tasks"] for r in body["roles"]}["anggota"] == 7
    cycles = {m["instance_id"]: m["cycle_working_minutes"] for m in body["measurements"]}
    assert cycles[history["B"]] == 330 and cycles[history["D"]] is None
    step1 = body["steps"][0]
    assert (step1["compliance"], step1["median_working_minutes"]) == (None, None)


@pytest.mark.parametrize("reader", ["camat", "sekcam", "admin", "viewer"])
def test_readers(api, history, reader):
    """May the Camat, the Sekcam, an admin and a viewer read the analytics and the files?"""
    for suffix in ("", ".csv", ".xlsx"):
        assert api.get(f"{URL}{suffix}?period=2026-Q1", as_=reader).status_code == 200


@pytest.mark.parametrize("reader", ["anggota", "kasi"])
def test_others_are_refused(api, history, reader):
    """Is anyone else refused with 403, for the figures and the files alike?"""
    for suffix in ("", ".csv", ".xlsx"):
        response = api.get(f"{URL}{suffix}", as_=reader)
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == "forbidden"
    assert api.get(URL, as_=None).status_code == 401


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("since=2026-13-01", "validation_error"),
        ("until=kemarin", "validation_error"),
        ("since=1999-12-31", "validation_error"),
        ("period=2026-Q5", "invalid_period"),
        ("period=Q1", "invalid_period"),
        ("since=2026-06-01&until=2026-05-31", "analytics_range_reversed"),
    ],
)
def test_bad_scopes_get_422(api, history, query, code):
    """Is a malformed date, period or a reversed range a 422 in the house error shape?"""
    for suffix in ("", ".csv", ".xlsx"):
        response = api.get(f"{URL}{suffix}?{query}", as_="camat")
        assert response.status_code == 422, (suffix, query)
        error = response.get_json()["error"]
        assert (error["status"], error["code"]) == (422, code)


def test_errors_speak_the_readers_language(api, history):
    """Does the refusal come in English or Indonesian as Accept-Language asks?"""
    query = f"{URL}?since=2026-06-01&until=2026-05-31"
    english = api.get(query, as_="camat", headers={"Accept-Language": "en"}).get_json()
    indonesian = api.get(query, as_="camat", headers={"Accept-Language": "id"}).get_json()
    assert english["error"]["message"].startswith("The until date")
    assert indonesian["error"]["message"].startswith("Tanggal sampai")


def test_unknown_sop_is_404(api, history):
    """Is an SOP the office does not run a 404?"""
    response = api.get(f"{URL}?sop=tidak-ada", as_="camat")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "unknown_sop"


def test_csv_and_xlsx_carry_the_same_table(api, history):
    """Do the CSV and the workbook hold the step table's figures, under a file name?"""
    figures = api.get(f"{URL}?{FIRST_HALF}", as_="sekcam").get_json()["steps"]
    columns = list(STEP_COLUMNS)
    assert set(figures[0]) == set(columns)

    response = api.get(f"{URL}.csv?{FIRST_HALF}", as_="sekcam")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="kinerja-sop-pengukuran-kinerja-2026-01-01_2026-06-30.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [row["step_no"] for row in rows] == [str(step["step_no"]) for step in figures]
    for row, step in zip(rows, figures, strict=True):
        assert set(row) == set(columns)
        assert row["tasks"] == str(step["tasks"])
        assert row["compliance"] == ("" if step["compliance"] is None else str(step["compliance"]))
        assert row["median_working_minutes"] == str(step["median_working_minutes"] or "")
        assert row["actors"] == " ".join(step["actors"])

    response = api.get(f"{URL}.xlsx?period=2026", as_="sekcam")
    assert response.headers["Content-Disposition"].endswith(
        'kinerja-sop-pengukuran-kinerja-2026.xlsx"'
    )
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Langkah", "Triwulan", "Peran"]
    sheet = list(book["Langkah"].iter_rows(values_only=True))
    year = api.get(f"{URL}?period=2026", as_="sekcam").get_json()["steps"]
    assert list(sheet[0]) == columns
    for row, step in zip(sheet[1:], year, strict=True):
        record = dict(zip(columns, row, strict=True))
        for name in ("step_no", "tasks", "on_time", "late", "compliance", "returns"):
            assert record[name] == step[name], name
        assert record["p90_working_minutes"] == step["p90_working_minutes"]


def test_openapi_names_the_readers(api):
    """Does the OpenAPI document say who may read the analytics?"""
    spec = api.get("/api/v1/openapi.json", as_=None).get_json()
    operation = spec["paths"]["/api/v1/analytics/steps"]["get"]
    assert "Sekcam" in operation["description"] and "403" in operation["responses"]
    assert "/api/v1/analytics/steps.xlsx" in spec["paths"]
