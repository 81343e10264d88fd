"""Tests for the calendar API: GET and PUT /api/v1/calendar/{year}, and the warning of tasks
whose due time depends on a year without a holiday list."""

from contextlib import contextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.extensions import db
from app.models import AuditEvent

WIB = ZoneInfo("Asia/Jakarta")
LIST_2030 = {
    "source": "SKB 3 Menteri tentang Hari Libur Nasional dan Cuti Bersama Tahun 2030",
    "holidays": [
        {"date": "2030-01-01", "name": "Tahun Baru 2030 Masehi", "kind": "holiday"},
        {"date": "2030-02-04", "name": "Cuti Bersama Imlek", "kind": "cuti_bersama"},
    ],
}


@contextmanager
def in_2031(api):
    """Stand the clock at Monday 3 March 2031, 08:00 WIB (ticking), with fresh tokens."""
    with time_machine.travel(datetime(2031, 3, 3, 8, 0, tzinfo=WIB), tick=True):
        api.tokens.clear()
        yield
    api.tokens.clear()


def put_year(api, year, body, as_="admin", **headers):
    return api.client.put(
        f"/api/v1/calendar/{year}", json=body, headers=api.headers(as_, headers or None)
    )


def test_2027_is_known_with_its_holidays(api):
    """GET /calendar/2027 is known, names its source, and lists the SKB's days by kind."""
    response = api.get("/api/v1/calendar/2027", as_="kasi")
    assert response.status_code == 200
    body = response.get_json()
    assert body["known"] is True
    assert "SKB 3 Menteri" in body["source"] and "2027" in body["source"]
    kinds = [h["kind"] for h in body["holidays"]]
    assert (kinds.count("holiday"), kinds.count("cuti_bersama")) == (18, 8)
    idulfitri = next(h for h in body["holidays"] if h["date"] == "2027-03-10")
    assert idulfitri == {
        "date": "2027-03-10",
        "name": "Hari Raya Idul Fitri",
        "kind": "holiday",
        "estimated": True,
    }
    # 261 weekdays in 2027; 19 of its 26 days off fall on one.
    assert body["working_days"] == 242


def test_a_year_without_a_list_is_unknown(api):
    """GET /calendar/2031 answers known false, no source, no days and no working-day count."""
    body = api.get("/api/v1/calendar/2031").get_json()
    assert body == {
        "year": 2031,
        "known": False,
        "source": None,
        "holidays": [],
        "working_days": None,
    }


@pytest.mark.parametrize("year", ["1999", "2101", "abc", "99999999999"])
def test_a_year_outside_the_bounds_is_not_found(api, year):
    """The year in the path is bounded to 2000-2100: any other is 404."""
    assert api.get(f"/api/v1/calendar/{year}").status_code == 404


def test_reading_needs_a_sign_in(api):
    """Without credentials the calendar is 401."""
    assert api.get("/api/v1/calendar/2026", as_=None).status_code == 401


def test_only_an_admin_replaces_a_year(api):
    """Camat, Tim SAKIP and viewer get 403 and the year stays unknown."""
    for role in ("camat", "anggota", "viewer"):
        assert put_year(api, 2030, LIST_2030, as_=role).status_code == 403
    assert api.get("/api/v1/calendar/2030").get_json()["known"] is False


def test_admin_replaces_a_year_and_it_is_audited_with_old_and_new(api, app):
    """PUT makes 2030 known with its list; a second PUT replaces it; each is audited with
    the old and new lists."""
    first = put_year(api, 2030, LIST_2030)
    assert first.status_code == 200, first.get_json()
    assert first.get_json()["known"] is True
    assert [h["date"] for h in first.get_json()["holidays"]] == ["2030-01-01", "2030-02-04"]
    second_list = {"source": "SKB 2030 (revisi)", "holidays": [LIST_2030["holidays"][0]]}
    assert put_year(api, 2030, second_list).status_code == 200
    body = api.get("/api/v1/calendar/2030").get_json()
    assert body["source"] == "SKB 2030 (revisi)"
    assert [h["date"] for h in body["holidays"]] == ["2030-01-01"]
    with app.app_context():
        events = db.session.scalars(
            sa.select(AuditEvent)
            .filter_by(action="calendar.year_replaced", object_id="2030")
            .order_by(AuditEvent.id)
        ).all()
    assert [e.data["old"] for e in events][0] is None
    assert events[1].data["old"]["source"] == LIST_2030["source"]
    assert len(events[1].data["old"]["holidays"]) == 2
    assert events[1].data["new"]["holidays"] == [{**LIST_2030["holidays"][0], "estimated": False}]


def test_a_bad_list_is_refused_with_every_row_named(api):
    """A date outside the year and a date twice are 422 calendar_invalid naming each row;
    nothing changes."""
    body = {
        "source": "SKB",
        "holidays": [
            {"date": "2030-01-01", "name": "A", "kind": "holiday"},
            {"date": "2031-01-01", "name": "B", "kind": "holiday"},
            {"date": "2030-01-01", "name": "C", "kind": "cuti_bersama"},
        ],
    }
    response = put_year(api, 2030, body, **{"Accept-Language": "en"})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "calendar_invalid"
    assert [(e["row"], e["code"]) for e in error["details"]["errors"]] == [
        (2, "holiday_outside_year"),
        (3, "holiday_duplicate"),
    ]
    assert "already in row 1" in error["details"]["errors"][1]["message"]
    assert api.get("/api/v1/calendar/2030").get_json()["known"] is False


@pytest.mark.parametrize(
    "body",
    [
        {"source": "SKB", "holidays": [{"date": "2030-01-01", "name": "A", "kind": "libur"}]},
        {"source": "", "holidays": []},
        {"source": "   ", "holidays": []},
        {"holidays": []},
        {"source": "SKB", "holidays": [{"date": "2030-02-30", "name": "A", "kind": "holiday"}]},
        {"source": "SKB", "holidays": [{"date": "2030-01-01", "kind": "holiday"}]},
        {"source": "SKB", "holidays": [], "extra": 1},
    ],
)
def test_a_malformed_body_is_422(api, body):
    """A wrong kind, no source, a bad date, a missing name or an unknown field is 422."""
    response = put_year(api, 2030, body)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "validation_error"


def test_a_year_with_an_unknown_clock_warns_on_the_task(api, runner):
    """With the clock in 2031, a started measurement's open task names 2031 as unknown, in
    the instance, the task and the task list; a known year names none."""
    known = runner.start("2026-Q3")
    assert known["open_tasks"][0]["calendar_unknown_years"] == []
    with in_2031(api):
        started = runner.start("2031-Q1")
        task = started["open_tasks"][0]
        assert task["calendar_unknown_years"] == [2031]
        assert task["due_at"].startswith("2031-03-03")
        shown = api.get(f"/api/v1/tasks/{task['id']}").get_json()
        assert shown["calendar_unknown_years"] == [2031]
        listed = api.get(f"/api/v1/tasks?instance={started['id']}").get_json()
        assert listed["items"][0]["calendar_unknown_years"] == [2031]


def test_new_tasks_use_a_new_list_and_open_ones_keep_their_due_time(api, runner):
    """Once 2031 has a list with the task's due day off, the open task keeps its due time
    and stops warning; a measurement started then is due a working day later."""
    with in_2031(api):
        before = runner.start("2031-Q1")["open_tasks"][0]
        due_day = before["due_at"][:10]
        listed = {
            "source": "SKB 2031",
            "holidays": [{"date": "2031-03-03", "name": "Libur uji", "kind": "holiday"}],
        }
        assert put_year(api, 2031, listed).status_code == 200
        kept = api.get(f"/api/v1/tasks/{before['id']}").get_json()
        assert kept["due_at"] == before["due_at"]
        assert kept["calendar_unknown_years"] == []
        after = runner.start("2031-Q2")["open_tasks"][0]
    assert due_day == "2031-03-03"
    assert after["due_at"] > before["due_at"]
    assert after["due_at"][:10] == "2031-03-04"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
holiday_items = st.fixed_dictionaries(
    {
        "date": st.dates().map(str) | json_values,
        "name": st.text(max_size=210) | json_values,
        "kind": st.sampled_from(["holiday", "cuti_bersama", "libur"]) | json_values,
    },
    optional={"estimated": json_values},
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    year=st.integers(min_value=2000, max_value=2100),
    source=st.text(max_size=520) | json_values,
    holidays=st.lists(holiday_items, max_size=4) | json_values,
)
def test_admin_put_never_fails_on_the_server(api, year, source, holidays):
    """Whatever an admin sends, PUT answers 200 or a 4xx in the one error shape, never 5xx."""
    response = put_year(api, year, {"source": source, "holidays": holidays})
    assert response.status_code in (200, 422), response.get_json()
    if response.status_code == 422:
        assert response.get_json()["error"]["code"] in ("validation_error", "calendar_invalid")
