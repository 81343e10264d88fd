"""The instance API (app/api/instances.py): starting measurements, reading their history."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from app.config import Config
from app.services.sop_definitions import load_definition_file

DEFINITION, _ = load_definition_file(Path(Config.SOP_DIR) / "pengukuran-kinerja.yaml")
STEPS = {step.no: step for step in DEFINITION.steps}
FIRST_STEP = DEFINITION.first_step
LAST_STEP = DEFINITION.steps[-1]


def error_of(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert (error["status"], error["code"]) == (status, code), error
    return error


def start(api, as_: str = "camat", **body):
    return api.post("/api/v1/instances", json={"period": "2026-Q1", **body}, as_=as_)


# --- starting ------------------------------------------------------------------------------


def test_camat_and_admin_start_a_measurement(api):
    """Can the camat or an admin start a measurement, with its first step open at once?"""
    for starter, period in (("camat", "2026-Q1"), ("admin", "2026-Q2")):
        response = start(api, as_=starter, period=period)
        assert response.status_code == 201, response.get_json()
        body = response.get_json()
        assert body["sop"] == DEFINITION.code
        assert (body["period"], body["status"], body["returns"]) == (period, "active", 0)
        assert body["title"] == f"{DEFINITION.title} — {period}"
        assert body["completed_at"] is None
        (first,) = body["open_tasks"]
        assert body["tasks"] == [first]
        assert (first["step_no"], first["status"], first["iteration"]) == (FIRST_STEP.no, "open", 1)
        assert first["actors"] == list(FIRST_STEP.actors)
        assert first["opened_at"] == body["started_at"]
        assert api.get(f"/api/v1/instances/{body['id']}").get_json() == body
    # A given title and a start recorded from paper are kept; the first task opens then.
    response = start(
        api, period="2026", title="Pengukuran Tahunan", started_at="2026-03-02T00:30:00Z"
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["title"] == "Pengukuran Tahunan"
    assert body["started_at"] == "2026-03-02T07:30:00+07:00"
    assert body["open_tasks"][0]["opened_at"] == "2026-03-02T07:30:00+07:00"


def test_only_camat_and_admin_start_a_measurement(api):
    """Are sekcam, kasi, anggota and viewer refused 403, and no credentials 401?"""
    for username in ("sekcam", "kasi", "anggota", "viewer"):
        error_of(start(api, as_=username), 403, "forbidden")
    error_of(start(api, as_=None), 401, "unauthorized")
    response = api.post(
        "/api/v1/instances",
        json={"period": "2026-Q1"},
        as_=None,
        headers={"Authorization": "Bearer bukan-token"},
    )
    error_of(response, 401, "invalid_token")
    assert api.get("/api/v1/instances").get_json()["total"] == 0


def test_the_same_period_cannot_run_twice_at_once(api, runner):
    """Is a second active run of one SOP and period 409 duplicate_instance, but fine once done?"""
    first = runner.start("2026-Q1")
    error = error_of(start(api, period="2026-Q1"), 409, "duplicate_instance")
    assert "2026-Q1" in error["message"]
    error_of(start(api, as_="admin", period="2026-Q1"), 409, "duplicate_instance")
    assert start(api, period="2026-Q2").status_code == 201
    assert start(api, period="2026").status_code == 201
    # Only an *active* run blocks the period (a partial unique index on status = 'active').
    runner.advance(runner.walk_to(first["id"], LAST_STEP.no))
    assert api.get(f"/api/v1/instances/{first['id']}").get_json()["status"] == "completed"
    again = start(api, period="2026-Q1")
    assert again.status_code == 201, again.get_json()
    assert again.get_json()["id"] != first["id"]
    error_of(start(api, period="2026-Q1"), 409, "duplicate_instance")


def test_an_invalid_start_is_refused(api):
    """Is a start with a bad period or started_at (422) or an unknown SOP (404) refused?"""
    for period in ("2026-Q5", "26", "2026Q1", "abcd", "1999", "2026-Q0", "", "2026-q1", " 2026"):
        response = start(api, period=period)
        assert response.status_code == 422, (period, response.get_json())
        assert response.get_json()["error"]["code"] in ("invalid_period", "validation_error")
    error = error_of(start(api, period="2026-Q5"), 422, "invalid_period")
    assert "2026-Q5" in error["message"]
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    error_of(start(api, started_at=future), 422, "invalid_started_at")
    error = error_of(start(api, started_at="2026-03-02T07:30:00"), 422, "validation_error")
    assert "started_at" in error["details"]["json"]
    error = error_of(start(api, sop="sop-tidak-ada"), 404, "unknown_sop")
    assert "sop-tidak-ada" in error["message"]
    assert api.get("/api/v1/instances").get_json()["total"] == 0


def test_an_instance_keeps_the_sop_version_it_started_with(app, api, runner, tmp_path):
    """Does a running measurement keep its SOP version after the definition file changes?"""
    first = runner.start("2026-Q1")
    assert first["sop_version"] == 1
    source = Path(app.config["SOP_DIR"]) / f"{DEFINITION.code}.yaml"
    old = f"standard: {{value: {FIRST_STEP.standard.value}, unit: minute}}"
    new = f"standard: {{value: {FIRST_STEP.standard.value + 5}, unit: minute}}"
    text = source.read_text(encoding="utf-8")
    assert old in text
    edited = tmp_path / "sops"
    edited.mkdir()
    (edited / source.name).write_text(text.replace(old, new, 1), encoding="utf-8")
    app.config["SOP_DIR"] = str(edited)

    second = runner.start("2026-Q2")
    assert second["sop_version"] == 2
    assert second["open_tasks"][0]["standard"]["value"] == FIRST_STEP.standard.value + 5
    assert api.get(f"/api/v1/sops/{DEFINITION.code}").get_json()["version"] == 2
    pinned = api.get(f"/api/v1/instances/{first['id']}").get_json()
    assert pinned["sop_version"] == 1
    assert pinned["open_tasks"][0]["standard"]["value"] == FIRST_STEP.standard.value
    assert pinned["open_tasks"][0]["due_at"] == first["open_tasks"][0]["due_at"]


# --- reading -------------------------------------------------------------------------------


def test_detail_lists_every_task_oldest_first(api, runner):
    """Does an instance's detail hold its whole history, returns included, oldest first?"""
    instance = runner.start()
    review = next(step for step in DEFINITION.steps if step.is_decision)
    task = runner.walk_to(instance["id"], review.no)
    reopened = runner.advance(task, "return", note="Lengkapi data dukung")["next_tasks"][0]
    body = api.get(f"/api/v1/instances/{instance['id']}").get_json()
    tasks = body["tasks"]
    assert [t["id"] for t in tasks] == sorted(t["id"] for t in tasks)
    steps_walked = [no for no in STEPS if no <= review.no]
    assert [t["step_no"] for t in tasks] == [*steps_walked, review.on_return]
    assert [t["outcome"] for t in tasks] == [
        *["approved" if STEPS[no].is_decision else "completed" for no in steps_walked[:-1]],
        "returned",
        None,
    ]
    assert tasks[-2]["note"] == "Lengkapi data dukung"
    assert body["open_tasks"] == [tasks[-1]]
    assert tasks[-1]["id"] == reopened["id"]
    assert body["returns"] == 1


def test_instance_list_filters(api, runner):
    """Are instances listed newest first and filtered by status and period?"""
    done = runner.start("2026-Q1")
    runner.advance(runner.walk_to(done["id"], LAST_STEP.no))
    active = runner.start("2026-Q2")
    other = runner.start("2025", as_="admin")

    def listed(query: str = "") -> list[int]:
        response = api.get(f"/api/v1/instances{query}")
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert set(body) == {"items", "page", "per_page", "total"}
        assert body["total"] == len(body["items"])
        return [item["id"] for item in body["items"]]

    assert listed() == [other["id"], active["id"], done["id"]]
    assert listed("?status=active") == [other["id"], active["id"]]
    assert listed("?status=completed") == [done["id"]]
    assert listed("?status=cancelled") == []
    assert listed("?period=2026-Q2") == [active["id"]]
    assert listed("?period=2026-Q1&status=completed") == [done["id"]]
    assert listed("?period=2027") == []
    page = api.get("/api/v1/instances?per_page=1&page=2").get_json()
    assert [i["id"] for i in page["items"]] == [active["id"]]
    assert (page["page"], page["per_page"], page["total"]) == (2, 1, 3)
    for query in ("?status=open", "?per_page=201", "?period=2026-Q1-extra"):
        assert api.get(f"/api/v1/instances{query}").status_code == 422, query
    error_of(api.get("/api/v1/instances", as_=None), 401, "unauthorized")
    error_of(api.get("/api/v1/instances/999999"), 404, "not_found")


# --- timeline ------------------------------------------------------------------------------


def at(minutes: int) -> str:
    """The instant `minutes` after Monday 2 March 2026, 07:30 WIB."""
    start = datetime.fromisoformat("2026-03-02T07:30:00+07:00")
    return (start + timedelta(minutes=minutes)).isoformat()


def sign_at(app, task_id: int, username: str, when: str) -> None:
    """Sign on task `task_id` as `username` at `when`: signing has no paper trail through the
    API (it happens when it is done), so the service is given the walk's clock."""
    from flask import current_app

    from app.extensions import db
    from app.models import User
    from app.services import routing, signing
    from app.services.documents import BlobStore
    from tests.helpers import PASSWORD

    with app.app_context():
        signing.sign_report(
            routing.get_task(task_id),
            actor=db.session.scalar(sa.select(User).filter_by(username=username)),
            password=PASSWORD,
            store=BlobStore(current_app.config["STORAGE_DIR"]),
            limit=current_app.config["MAX_CONTENT_LENGTH"],
            base_url=current_app.config["BASE_URL"],
            now=datetime.fromisoformat(when),
        )
        db.session.commit()


def test_timeline_totals_a_walked_measurement(app, api, runner):
    """Does the timeline total standard against actual working time, and the returns?"""
    instance = runner.start(started_at=at(0))
    review = next(step for step in DEFINITION.steps if step.is_decision)
    task = runner.open_task(instance["id"])
    minutes = 0
    returned = False
    # Each task takes ten minutes, all on Monday morning; the first review returns once.
    while task is not None:
        minutes += 10
        actor = STEPS[task["step_no"]].actors[0]
        if STEPS[task["step_no"]].signed_outputs:
            sign_at(app, task["id"], actor, at(minutes))
            break
        if task["step_no"] == review.no and not returned:
            body = {"decision": "return", "note": "Perbaiki", "occurred_at": at(minutes)}
            response = api.post(f"/api/v1/tasks/{task['id']}/decision", json=body, as_=actor)
            returned = True
        else:
            runner.attach_outputs(task)
            if task["kind"] == "decision":
                body = {"decision": "approve", "occurred_at": at(minutes)}
                path = f"/api/v1/tasks/{task['id']}/decision"
            else:
                body = {"occurred_at": at(minutes)}
                path = f"/api/v1/tasks/{task['id']}/complete"
            response = api.post(path, json=body, as_=actor)
        assert response.status_code == 200, response.get_json()
        next_tasks = response.get_json()["next_tasks"]
        task = next_tasks[0] if next_tasks else None

    response = api.get(f"/api/v1/instances/{instance['id']}/timeline")
    assert response.status_code == 200, response.get_json()
    timeline = response.get_json()
    rows = timeline["rows"]
    assert timeline["instance_id"] == instance["id"]
    # Steps 1-10, the return to 9, then 9-12 again: 14 tasks of 10 minutes from 07:30.
    assert [r["step_no"] for r in rows] == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 9, 10, 11, 12]
    assert [r["iteration"] for r in rows] == [1] * 8 + [1, 1, 2, 2, 1, 1]
    assert all((r["working_minutes"], r["elapsed_minutes"]) == (10, 10) for r in rows)
    assert not any(r["late"] or r["overdue"] for r in rows)
    for row in rows:
        if row["standard"]["unit"] == "minute":
            assert row["standard_minutes"] == row["standard"]["value"]
    by_step = {r["step_no"]: r for r in rows}
    # Step 7 (2 working days) opens Mon 08:30: due Wed 08:30, i.e. 420 + 480 + 60 minutes.
    assert by_step[7]["opened_at"] == "2026-03-02T08:30:00+07:00"
    assert by_step[7]["due_at"] == "2026-03-04T08:30:00+07:00"
    assert by_step[7]["standard_minutes"] == 960
    # Step 12 (1 working day) opens Mon 09:40: due Tue 09:40, i.e. 350 + 130 minutes.
    assert by_step[12]["opened_at"] == "2026-03-02T09:40:00+07:00"
    assert by_step[12]["due_at"] == "2026-03-03T09:40:00+07:00"
    assert by_step[12]["standard_minutes"] == 480
    assert timeline["totals"] == {
        "standard_minutes": 15 + 15 + 30 + 30 + 120 + 30 + 960 + 120 + 30 + 60 + 30 + 60 + 90 + 480,
        "working_minutes": 140,
        "elapsed_minutes": 140,
        "returns": 1,
        "late_tasks": 0,
    }
    detail = api.get(f"/api/v1/instances/{instance['id']}").get_json()
    assert detail["status"] == "completed"
    assert detail["completed_at"] == at(140)
    error_of(api.get("/api/v1/instances/999999/timeline"), 404, "not_found")
