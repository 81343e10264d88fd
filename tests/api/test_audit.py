"""Tests for the audit API (app/api/audit.py): listing, the export formats, the chain check."""

import csv
import io
import json
from datetime import datetime

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from app.extensions import db
from app.models import AuditEvent
from app.services import audit
from app.services.audit import chain
from tests.helpers import ApiClient, make_users


@pytest.fixture
def trail(api, runner) -> dict:
    """A measurement moved to step 3 (the camat, sekcam and kasi acted), as audit events."""
    instance = runner.start("2026-Q1")
    runner.walk_to(instance["id"], 3)
    return instance


def exported(api, **params):
    """Export as the admin and answer the response (asserting a download)."""
    response = api.get("/api/v1/audit", as_="admin", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert "attachment; filename=" in response.headers["Content-Disposition"]
    return response


def test_only_an_admin_reads_the_trail(api, trail):
    """Does a non-admin get 403, no credentials 401, and the admin a page of events?"""
    for role in ("camat", "sekcam", "viewer", "anggota"):
        assert api.get("/api/v1/audit", as_=role).status_code == 403
        assert api.get("/api/v1/audit?format=csv", as_=role).status_code == 403
        assert api.get("/api/v1/audit/verify", as_=role).status_code == 403
    assert api.get("/api/v1/audit", as_=None).status_code == 401
    body = api.get("/api/v1/audit", as_="admin").get_json()
    assert body["total"] == len(body["items"]) > 0
    first = body["items"][0]
    assert list(first) == [
        "id", "at", "actor", "action", "object_type", "object_id",
        "summary", "data", "ip", "backdated", "prev_hash", "hash",
    ]  # fmt: skip
    assert first["at"].endswith("+07:00")


def test_the_list_filters_by_actor_and_action(api, trail):
    """Do actor and action select exactly the events of that user and action?"""
    body = api.get("/api/v1/audit?actor=camat&action=task.completed", as_="admin").get_json()
    assert body["items"] and all(
        (e["actor"], e["action"]) == ("camat", "task.completed") for e in body["items"]
    )
    assert body["total"] == len(body["items"])


def test_bad_filters_are_refused(api):
    """Is a malformed date, an extreme year or an unknown format a 422, never a 500?"""
    for query in (
        "since=kemarin",
        "until=0001-01-01T00:00:00+14:00",
        "format=xlsx",
        "since=2026-13-01",
    ):
        response = api.get(f"/api/v1/audit?{query}", as_="admin")
        assert response.status_code == 422, query


def test_csv_export_parses_back_with_the_filters(api, trail):
    """Does the CSV hold exactly the events the filters select, as the JSON list has them?"""
    listed = api.get("/api/v1/audit?actor=sekcam&per_page=200", as_="admin").get_json()["items"]
    response = exported(api, format="csv", actor="sekcam", since="2026-01-01", until="2100-12-31")
    assert response.headers["Content-Disposition"].endswith('audit-2026-01-01_2100-12-31.csv"')
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [int(r["id"]) for r in rows] == [e["id"] for e in listed]
    assert {r["actor"] for r in rows} == {"sekcam"}
    for row, event in zip(rows, listed, strict=True):
        assert json.loads(row["data"]) == event["data"]
        assert (row["at"], row["hash"], row["prev_hash"]) == (
            event["at"],
            event["hash"],
            event["prev_hash"],
        )
        assert row["backdated"] == ("true" if event["backdated"] else "false")


def test_jsonl_export_is_the_event_list_line_by_line(api, trail):
    """Is each JSON Lines line one event exactly as the JSON list answers it?"""
    listed = api.get("/api/v1/audit?action=task.completed", as_="admin").get_json()["items"]
    response = exported(api, format="jsonl", action="task.completed")
    lines = response.get_data(as_text=True).splitlines()
    assert [json.loads(line) for line in lines] == listed


# Around the office's midnight (UTC+7): 31 Jan 23.59, 1 Feb 00.00, 1 Feb 23.59.59, 2 Feb 00.00.
MOMENTS = (
    "2026-01-31T16:59:00+00:00",
    "2026-01-31T17:00:00+00:00",
    "2026-02-01T16:59:59+00:00",
    "2026-02-01T17:00:00+00:00",
)


@pytest.fixture
def timed(app, monkeypatch) -> list[int]:
    """Four events recorded around the office's midnights, by `penguji`; answer their ids."""
    ids = []
    with app.app_context():
        for n, moment in enumerate(MOMENTS):
            monkeypatch.setattr(chain, "utcnow", lambda m=moment: datetime.fromisoformat(m))
            ids.append(audit.record("test.timed", actor="penguji", summary=f"uji {n}").id)
        db.session.commit()
    return ids


def exported_ids(api, **params) -> list[int]:
    lines = exported(api, format="jsonl", actor="penguji", **params).get_data(as_text=True)
    return [json.loads(line)["id"] for line in lines.splitlines()]


def test_since_and_until_bound_the_export(api, users, timed):
    """Do since and until cut the range in the office's zone: a date from its midnight and up
    to its whole day, a time without offset in the office's zone, until inclusive?"""
    assert exported_ids(api, since="2026-02-01", until="2026-02-01") == timed[1:3]
    assert exported_ids(api, since="2026-02-01T12:00") == timed[2:]
    assert exported_ids(api, until="2026-02-01T00:00:00+07:00") == timed[:2]
    assert exported_ids(api, until="2026-01-30") == []


def test_every_export_is_itself_audited(api, trail, app):
    """Is each export an `audit.exported` event with its format, filters and count, written
    before the file and left out of it?"""
    before = api.get("/api/v1/audit?actor=camat", as_="admin").get_json()["total"]
    response = exported(api, format="csv", actor="camat", since="2026-01-01")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == before and response.headers["X-Audit-Events"] == str(before)
    events = api.get("/api/v1/audit?action=audit.exported", as_="admin").get_json()["items"]
    assert len(events) == 1
    event = events[0]
    assert (event["actor"], event["object_type"]) == ("admin", "audit")
    assert event["data"]["format"] == "csv" and event["data"]["count"] == before
    assert event["data"]["filters"] == {"since": "2026-01-01", "actor": "camat"}
    assert event["id"] > max(int(r["id"]) for r in rows)
    assert api.get("/api/v1/audit/verify", as_="admin").get_json()["ok"] is True


def test_pdf_export_prints_the_events_and_the_chain(api, trail):
    """Does the PDF carry the letterhead, the range, each selected event and the chain's state?"""
    listed = api.get("/api/v1/audit?actor=kasi", as_="admin").get_json()["items"]
    response = exported(api, format="pdf", actor="kasi", since="2026-01-01", until="2100-12-31")
    assert response.mimetype == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "JEJAK AUDIT" in text and "KECAMATAN PURBALINGGA" in text
    assert "1 Januari 2026 – 31 Desember 2100" in text
    assert "Pengguna = kasi" in text
    for event in listed:
        assert event["action"] in text
    assert "Rantai audit utuh" in text


def test_pdf_over_the_limit_is_refused(api, trail, app):
    """Does a PDF of more events than AUDIT_PDF_MAX_EVENTS get 422 too_many_events, and
    leave no export event?"""
    app.config["AUDIT_PDF_MAX_EVENTS"] = 2
    response = api.get("/api/v1/audit?format=pdf", as_="admin")
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "too_many_events" and error["details"]["limit"] == 2
    assert "lebih sempit" in error["message"]
    english = api.get("/api/v1/audit?format=pdf", as_="admin", headers={"Accept-Language": "en"})
    assert "narrower" in english.get_json()["error"]["message"]
    assert api.get("/api/v1/audit?action=audit.exported", as_="admin").get_json()["total"] == 0


def test_verify_answers_the_chain_check(api, trail, app):
    """Does the verify call answer ok with the count and head, then what broke after an edit?"""
    body = api.get("/api/v1/audit/verify", as_="admin").get_json()
    assert body["ok"] is True and body["events"] > 0 and len(body["head"]) == 64
    with app.app_context():
        first = db.session.scalar(sa.select(sa.func.min(AuditEvent.id)))
        db.session.execute(
            sa.update(AuditEvent).where(AuditEvent.id == first).values(summary="dipalsukan")
        )
        db.session.commit()
    broken = api.get("/api/v1/audit/verify", as_="admin").get_json()
    assert (broken["ok"], broken["reason"], broken["first_bad_event"]) == (False, "edited", first)


# Text a URL can carry (a lone surrogate has no UTF-8, so no client can send one).
URL_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=30)
QUERY_TEXT = URL_TEXT | st.sampled_from(
    ["2026-01-01", "2026-01-01T07:30", "2026-01-01T07:30:00+14:00", "0001-01-01", "9999-12-31",
     "2100-12-31T23:59:59-12:00", "2026-02-29", "\x00", "a" * 100]
)  # fmt: skip


PARAMS = st.dictionaries(
    st.sampled_from(["since", "until", "actor", "action", "object_type", "object_id", "page"]),
    QUERY_TEXT,
    max_size=4,
)
FORMATS = st.sampled_from(["json", "csv", "jsonl", "xes", "pdf"]) | URL_TEXT


def test_any_query_of_the_admin_gets_no_server_error(sqlite_app):
    """Does any filter text in any format, sent by an admin, get a 200 or a 4xx, never a 5xx?"""
    with sqlite_app.app_context():
        make_users(["admin"], seconds=())
    api = ApiClient(sqlite_app.test_client())

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(params=PARAMS, fmt=FORMATS)
    def fuzz(params, fmt):
        response = api.get("/api/v1/audit", as_="admin", query_string={**params, "format": fmt})
        assert response.status_code < 500, response.get_data(as_text=True)[:300]
        if response.status_code >= 400:
            assert response.get_json()["error"]["code"]

    fuzz()


def test_csv_quotes_any_text(api, users, app):
    """Does text with commas, quotes, line breaks and non-ASCII come back from the CSV intact?"""
    tricky = 'Catatan, "kutipan" dan\nbaris baru — “é”'
    with app.app_context():
        audit.record(
            "test.text", actor="pen,guji", summary=tricky, object_id='a"b', data={"x": tricky}
        )
        db.session.commit()
    response = exported(api, format="csv", action="test.text")
    (row,) = csv.DictReader(io.StringIO(response.get_data(as_text=True), newline=""))
    assert (row["summary"], row["actor"], row["object_id"]) == (tricky, "pen,guji", 'a"b')
    assert json.loads(row["data"]) == {"x": tricky} and row["ip"] == ""
