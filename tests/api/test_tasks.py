"""The task API (app/api/tasks.py): who may move a task, with which documents, when, once."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.config import Config
from app.extensions import db
from app.models import AuditEvent, Task
from app.services import audit
from app.services.sop_definitions import load_definition_file
from tests.helpers import PASSWORD, ROLES

DEFINITION, _ = load_definition_file(Path(Config.SOP_DIR) / "pengukuran-kinerja.yaml")
STEPS = {step.no: step for step in DEFINITION.steps}
SOP_ROLES = [actor.code for actor in DEFINITION.actors]
DECISION_STEPS = [step.no for step in DEFINITION.steps if step.is_decision]
STEPS_WITH_REQUIRED_OUTPUTS = [step.no for step in DEFINITION.steps if step.required_outputs]
FIRST_REVIEW = DECISION_STEPS[0]
# A Monday morning in the past, for back-dated (paper trail) moves.
MONDAY_0730 = "2026-03-02T07:30:00+07:00"


@pytest.fixture
def signed_in(api):
    """The JSON client with every test user signed in up front (sign-ins are audited)."""
    for username in ROLES:
        api.token(username)
    return api


def audit_count(app) -> int:
    """Count the audit events stored so far."""
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))


def task_events(app, task_id: int) -> list[AuditEvent]:
    """Return the audit events about one task, oldest first, detached from any session."""
    with app.app_context():
        events = audit.events_for("task", task_id)
        db.session.expunge_all()
        return events


def fetch_task(api, task_id: int) -> dict:
    response = api.get(f"/api/v1/tasks/{task_id}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def instance_tasks(api, instance_id: int) -> list[dict]:
    return api.get(f"/api/v1/instances/{instance_id}").get_json()["tasks"]


def complete(api, task: dict, as_: str, **body):
    return api.post(f"/api/v1/tasks/{task['id']}/complete", json=body, as_=as_)


def decide(api, task: dict, decision, as_: str, **body):
    body = {"decision": decision, **body}
    return api.post(f"/api/v1/tasks/{task['id']}/decision", json=body, as_=as_)


def sign(api, task: dict, as_: str, **body):
    body = {"password": PASSWORD, **body}
    return api.post(f"/api/v1/tasks/{task['id']}/sign", json=body, as_=as_)


def finish(api, task: dict, as_: str, **body):
    """Do a step's forward move: complete a plain step, approve a decision, sign the report."""
    step = STEPS[task["step_no"]]
    if step.is_decision:
        return decide(api, task, "approve", as_, **body)
    if step.signed_outputs:
        return sign(api, task, as_, **body)
    return complete(api, task, as_, **body)


def error_of(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert error["status"] == status
    assert error["code"] == code, error
    return error


# What a move changes on a task; the clock fields of an open task move on by themselves.
MOVED_FIELDS = ("id", "step_no", "iteration", "status", "outcome", "closed_at", "note", "version")


def snapshot(app, api, task: dict) -> tuple:
    """What a refused move must leave untouched: the task, the instance's tasks, the audit."""
    current = fetch_task(api, task["id"])
    instance = api.get(f"/api/v1/instances/{current['instance_id']}").get_json()
    tasks = [tuple(t[name] for name in MOVED_FIELDS) for t in instance["tasks"]]
    counters = (instance["version"], instance["returns"], instance["status"])
    return current["status"], current["version"], tasks, counters, audit_count(app)


# --- roles ---------------------------------------------------------------------------------


@pytest.mark.parametrize("step_no", [step.no for step in DEFINITION.steps])
def test_only_the_steps_actors_may_move_it(app, runner, signed_in, step_no):
    """Is every non-actor of a step refused 403 forbidden_role, admin and viewer included?"""
    step = STEPS[step_no]
    task = runner.walk_to(runner.start()["id"], step_no)
    # With the outputs attached, a refusal can only be about the role.
    runner.attach_outputs(task)
    before = snapshot(app, signed_in, task)
    outsiders = [role for role in SOP_ROLES if role not in step.actors] + ["admin", "viewer"]
    if step.is_decision:
        moves = [("decision", {"decision": "approve"})]
        moves.append(("decision", {"decision": "return", "note": "Perbaiki"}))
    else:
        moves = [("complete", {})]
    if step.signed_outputs:
        moves.append(("sign", {"password": PASSWORD}))
    for username in outsiders:
        for move, body in moves:
            response = signed_in.post(f"/api/v1/tasks/{task['id']}/{move}", json=body, as_=username)
            error = error_of(response, 403, "forbidden_role")
            assert error["details"]["actors"] == list(step.actors)
            for name in DEFINITION.actor_names(step.actors):
                assert name in error["message"]
    assert snapshot(app, signed_in, task) == before
    # The step's own actors can still move it (the last one, as the runner uses the first).
    response = finish(signed_in, task, as_=step.actors[-1])
    assert response.status_code == 200, response.get_json()


# --- required outputs ----------------------------------------------------------------------


def test_a_step_cannot_finish_without_its_required_outputs(app, runner, signed_in):
    """Is each step refused 422 missing_documents, naming exactly what is missing, till attached?"""
    instance = runner.start()
    task = runner.open_task(instance["id"])
    checked = []
    while task is not None:
        step = STEPS[task["step_no"]]
        actor = step.actors[0]
        path = f"/api/v1/tasks/{task['id']}/{'decision' if step.is_decision else 'complete'}"
        body = {"decision": "approve"} if step.is_decision else {}
        required = list(step.required_outputs)
        for attached in range(len(required)):
            missing = required[attached:]
            before = snapshot(app, signed_in, task)
            for language in ("id", "en"):
                response = signed_in.post(
                    path, json=body, as_=actor, headers={"Accept-Language": language}
                )
                error = error_of(response, 422, "missing_documents")
                assert error["details"]["missing"] == missing
                for kind in missing:
                    assert kind in error["message"]
            assert error["message"] == (
                f"Step {step.no} cannot be finished yet; missing documents: {', '.join(missing)}."
            )
            assert snapshot(app, signed_in, task) == before
            assert fetch_task(signed_in, task["id"])["missing_outputs"] == missing
            if required[attached] in step.signed_outputs:
                break  # only signing makes it, and signing finishes the step
            uploaded = signed_in.upload(task["id"], required[attached], as_=actor)
            assert uploaded.status_code == 201, uploaded.get_json()
        if required:
            checked.append(step.no)
        if step.signed_outputs:
            response = sign(signed_in, task, as_=actor)
        else:
            assert fetch_task(signed_in, task["id"])["missing_outputs"] == []
            response = signed_in.post(path, json=body, as_=actor)
        assert response.status_code == 200, response.get_json()
        next_tasks = response.get_json()["next_tasks"]
        task = next_tasks[0] if next_tasks else None
    assert checked == STEPS_WITH_REQUIRED_OUTPUTS


# --- the kind of move ----------------------------------------------------------------------


def test_each_step_refuses_the_other_kind_of_move(app, runner, signed_in):
    """Is complete on a review 422 decision_required, a decision elsewhere 422 not_a_decision?"""
    instance = runner.start()
    task = runner.open_task(instance["id"])
    while task is not None:
        step = STEPS[task["step_no"]]
        runner.attach_outputs(task)
        before = snapshot(app, signed_in, task)
        if step.is_decision:
            error_of(complete(signed_in, task, step.actors[0]), 422, "decision_required")
        else:
            for decision in ("approve", "return"):
                response = decide(signed_in, task, decision, step.actors[0], note="Catatan")
                error_of(response, 422, "not_a_decision")
        assert snapshot(app, signed_in, task) == before
        next_tasks = runner.advance(task)["next_tasks"]
        task = next_tasks[0] if next_tasks else None


def test_a_return_without_a_note_or_a_malformed_decision_is_refused(app, runner, signed_in):
    """Is a return without an arahan 422 note_required, and a malformed decision 422?"""
    step = STEPS[FIRST_REVIEW]
    actor = step.actors[0]
    task = runner.walk_to(runner.start()["id"], step.no)
    path = f"/api/v1/tasks/{task['id']}/decision"
    before = snapshot(app, signed_in, task)
    for body in ({}, {"note": None}, {"note": ""}, {"note": "   "}, {"note": "\n\t "}):
        response = decide(signed_in, task, "return", actor, **body)
        error = error_of(response, 422, "note_required")
        assert error["details"] == {"field": "note"}
    for decision in ("reject", "", "APPROVE", None, 1, ["approve"]):
        body = {"decision": decision, "note": "Catatan"}
        error = error_of(signed_in.post(path, json=body, as_=actor), 422, "validation_error")
        assert "decision" in error["details"]["json"]
    error = error_of(
        signed_in.post(path, json={"note": "Catatan"}, as_=actor), 422, "validation_error"
    )
    assert "decision" in error["details"]["json"]
    body = {"decision": "approve", "skip_to": DEFINITION.steps[-1].no}
    error = error_of(signed_in.post(path, json=body, as_=actor), 422, "validation_error")
    assert "skip_to" in error["details"]["json"]
    for header in ("abc", "*", "1.5", '"-1"'):
        response = signed_in.post(
            path, json={"decision": "approve"}, as_=actor, headers={"If-Match": header}
        )
        assert response.status_code == 422, (header, response.get_json())
    assert snapshot(app, signed_in, task) == before


# --- returns -------------------------------------------------------------------------------


def test_returns_go_back_to_the_return_target_and_through_every_review(app, runner, signed_in):
    """Does each return reopen step on_return anew, needing new documents and every review again?"""
    instance = runner.start()
    for iteration, review_no in enumerate(DECISION_STEPS, start=2):
        review = STEPS[review_no]
        target = STEPS[review.on_return]
        task = runner.walk_to(instance["id"], review_no)
        response = decide(
            signed_in, task, "return", review.actors[0], note=f"  Perbaiki {review_no}  "
        )
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        returned = body["task"]
        assert returned["status"] == "done"
        assert returned["outcome"] == "returned"
        assert returned["note"] == f"Perbaiki {review_no}"
        (reopened,) = body["next_tasks"]
        assert (reopened["step_no"], reopened["iteration"]) == (target.no, iteration)
        assert reopened["status"] == "open"
        detail = signed_in.get(f"/api/v1/instances/{instance['id']}").get_json()
        assert detail["returns"] == iteration - 1
        assert [t["id"] for t in detail["open_tasks"]] == [reopened["id"]]
        # The corrected draft is a new document: the earlier iteration's upload does not count.
        assert reopened["missing_outputs"] == list(target.required_outputs)
        error = error_of(finish(signed_in, reopened, target.actors[0]), 422, "missing_documents")
        assert error["details"]["missing"] == list(target.required_outputs)
        runner.attach_outputs(reopened)
        # Every review from the return target onwards is opened again, each as a new iteration.
        task = runner.advance(reopened)["next_tasks"][0]
        passed = []
        while task["step_no"] != review_no:
            assert task["iteration"] > 1
            passed.append(task["step_no"])
            task = runner.advance(task)["next_tasks"][0]
        assert task["iteration"] == 2
        assert [no for no in DECISION_STEPS if target.no < no < review_no] == [
            no for no in passed if STEPS[no].is_decision
        ]
        # The re-opened review's own outputs are needed again too.
        assert task["missing_outputs"] == list(review.required_outputs)
    history = [
        (t["step_no"], t["iteration"], t["outcome"])
        for t in instance_tasks(signed_in, instance["id"])
    ]
    returned = [(no, it) for no, it, outcome in history if outcome == "returned"]
    assert returned == [(no, 1) for no in DECISION_STEPS]


# --- stale and repeated moves --------------------------------------------------------------


def test_completing_a_task_twice_moves_once(app, runner, signed_in):
    """Is a second complete of the same task refused 409 task_not_open, with one next task?"""
    instance = runner.start()
    task = runner.open_task(instance["id"])
    actor = STEPS[task["step_no"]].actors[0]
    assert complete(signed_in, task, actor).status_code == 200
    events = audit_count(app)
    error_of(complete(signed_in, task, actor), 409, "task_not_open")
    assert audit_count(app) == events
    next_no = STEPS[task["step_no"]].next
    tasks = instance_tasks(signed_in, instance["id"])
    assert [t["step_no"] for t in tasks] == [task["step_no"], next_no]
    assert len(task_events(app, task["id"])) == 1


def bump_version(app, task_id: int) -> int:
    """Change an open task behind the API's back, as another writer would; answer its version."""
    with app.app_context():
        task = db.session.get(Task, task_id)
        task.note = "diubah oleh penulis lain"
        db.session.commit()
        return task.version


def test_a_stale_version_is_refused(app, runner, signed_in):
    """Is a move sent with an old version (body or If-Match) refused 409 stale_version?"""
    instance = runner.start()
    task = runner.open_task(instance["id"])
    actor = STEPS[task["step_no"]].actors[0]
    path = f"/api/v1/tasks/{task['id']}/complete"
    assert task["version"] == 1
    current = bump_version(app, task["id"])
    assert current == 2
    before = snapshot(app, signed_in, task)
    error = error_of(complete(signed_in, task, actor, version=1), 409, "stale_version")
    assert error["details"] == {"current": 2, "sent": 1}
    for header in ('"1"', "1", 'W/"1"', '"3"'):
        response = signed_in.post(path, json={}, as_=actor, headers={"If-Match": header})
        error_of(response, 409, "stale_version")
    # The body's version wins over If-Match.
    response = signed_in.post(path, json={"version": 1}, as_=actor, headers={"If-Match": '"2"'})
    error_of(response, 409, "stale_version")
    assert snapshot(app, signed_in, task) == before
    response = signed_in.post(path, json={}, as_=actor, headers={"If-Match": 'W/"2"'})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["task"]["version"] == current + 1

    review = STEPS[FIRST_REVIEW]
    task = runner.walk_to(instance["id"], review.no)
    bump_version(app, task["id"])
    before = snapshot(app, signed_in, task)
    for decision, note in (("approve", None), ("return", "Perbaiki")):
        response = decide(signed_in, task, decision, review.actors[0], note=note, version=1)
        error_of(response, 409, "stale_version")
    assert snapshot(app, signed_in, task) == before
    response = decide(signed_in, task, "approve", review.actors[0], version=2)
    assert response.status_code == 200, response.get_json()


# --- back-dated moves (paper trail) --------------------------------------------------------


def iso(moment: datetime) -> str:
    return moment.isoformat()


def test_an_invalid_occurred_at_is_refused(app, runner, signed_in):
    """Is a future, too early, naive or unreadable occurred_at refused 422, clock skew allowed?"""
    task = runner.open_task(runner.start(started_at=MONDAY_0730)["id"])
    assert task["opened_at"] == MONDAY_0730
    actor = STEPS[task["step_no"]].actors[0]
    before = snapshot(app, signed_in, task)
    refusals = {
        iso(datetime.now(UTC) + timedelta(minutes=5)): ("invalid_occurred_at", "future"),
        "2026-03-02T07:29:59+07:00": ("invalid_occurred_at", "before the task was opened"),
        "2026-03-02T07:40:00": ("validation_error", None),
        "kemarin": ("validation_error", None),
        "2026-13-01T07:40:00+07:00": ("validation_error", None),
    }
    for occurred_at, (code, reason) in refusals.items():
        response = signed_in.post(
            f"/api/v1/tasks/{task['id']}/complete",
            json={"occurred_at": occurred_at},
            as_=actor,
            headers={"Accept-Language": "en"},
        )
        error = error_of(response, 422, code)
        if reason:
            assert reason in error["message"]
        else:
            assert "occurred_at" in error["details"]["json"]
    assert snapshot(app, signed_in, task) == before
    # A client's clock may run a few seconds fast.
    ahead = datetime.now(UTC) + timedelta(seconds=20)
    response = complete(signed_in, task, actor, occurred_at=iso(ahead))
    assert response.status_code == 200, response.get_json()


def test_a_back_dated_move_is_stored_at_its_real_time(app, runner, signed_in):
    """Is a back-dated move closed at occurred_at, the next opened then, both marked back-dated?"""
    task = runner.open_task(runner.start(started_at=MONDAY_0730)["id"])
    step = STEPS[task["step_no"]]
    assert step.standard.unit == "minute" and step.standard.value > 10
    # Given in UTC, answered in the office's zone.
    response = complete(signed_in, task, step.actors[0], occurred_at="2026-03-02T00:40:00Z")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    closed = body["task"]
    assert closed["closed_at"] == "2026-03-02T07:40:00+07:00"
    assert closed["backdated"] is True
    assert (closed["working_minutes"], closed["elapsed_minutes"], closed["late"]) == (10, 10, False)
    (following,) = body["next_tasks"]
    assert following["opened_at"] == "2026-03-02T07:40:00+07:00"
    assert following["backdated"] is False
    (event,) = task_events(app, task["id"])
    assert event.action == "task.completed"
    assert event.backdated is True
    occurred_at = datetime.fromisoformat(event.data["occurred_at"])
    assert occurred_at == datetime(2026, 3, 2, 0, 40, tzinfo=UTC)

    # Past its standard, a back-dated move is late.
    standard = STEPS[following["step_no"]].standard.value
    late_at = datetime.fromisoformat(following["due_at"]) + timedelta(minutes=1)
    response = finish(
        signed_in, following, STEPS[following["step_no"]].actors[0], occurred_at=iso(late_at)
    )
    assert response.status_code == 200, response.get_json()
    closed = response.get_json()["task"]
    assert closed["late"] is True
    assert closed["working_minutes"] == standard + 1
    assert closed["backdated"] is True

    # A move done now, without occurred_at, is not back-dated.
    (third,) = response.get_json()["next_tasks"]
    closed = runner.advance(third)["task"]
    assert closed["backdated"] is False
    (event,) = task_events(app, third["id"])
    assert event.backdated is False


# --- listing tasks -------------------------------------------------------------------------


@pytest.fixture
def three_instances(runner):
    """Q1 walked to step 3, Q2 just started, Q3 started on paper long ago (so overdue)."""
    walked = runner.start("2026-Q1")
    runner.walk_to(walked["id"], 3)
    fresh = runner.start("2026-Q2")
    old = runner.start("2026-Q3", started_at=MONDAY_0730)
    return walked, fresh, old


def listed(api, query: str = "", as_: str = "viewer") -> dict:
    response = api.get(f"/api/v1/tasks{query}", as_=as_)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert set(body) == {"items", "page", "per_page", "total"}
    return body


def ids(body: dict) -> list[int]:
    return [item["id"] for item in body["items"]]


def test_task_list_filters(api, three_instances):
    """Do the status, actor, instance and overdue filters pick exactly the matching tasks?"""
    walked, fresh, old = three_instances
    everything = listed(api, "?per_page=200")["items"]
    assert len(everything) == 5
    assert ids(listed(api)) == sorted(t["id"] for t in everything)

    def expect(predicate) -> list[int]:
        return [t["id"] for t in everything if predicate(t)]

    assert ids(listed(api, "?status=open")) == expect(lambda t: t["status"] == "open")
    assert ids(listed(api, "?status=done")) == expect(lambda t: t["status"] == "done")
    assert len(expect(lambda t: t["status"] == "open")) == 3
    assert ids(listed(api, f"?instance={walked['id']}")) == expect(
        lambda t: t["instance_id"] == walked["id"]
    )
    for role in SOP_ROLES:
        expected = expect(lambda t, role=role: role in STEPS[t["step_no"]].actors)
        assert ids(listed(api, f"?actor={role}")) == expected
    assert ids(listed(api, "?actor=sekcam")) != []
    overdue = listed(api, "?overdue=true")
    assert [(t["instance_id"], t["overdue"]) for t in overdue["items"]] == [(old["id"], True)]
    assert ids(listed(api, "?overdue=false")) == expect(lambda t: t["instance_id"] != old["id"])
    combined = listed(api, f"?status=open&actor={STEPS[1].actors[0]}")
    assert ids(combined) == expect(
        lambda t: t["status"] == "open" and STEPS[1].actors[0] in STEPS[t["step_no"]].actors
    )
    assert fresh["id"] in {t["instance_id"] for t in combined["items"]}


def test_task_list_pagination(api, three_instances):
    """Are tasks paged in id order with the total, and is per_page capped at 200?"""
    everything = ids(listed(api, "?per_page=200"))
    pages = [listed(api, f"?per_page=2&page={page}") for page in (1, 2, 3, 4)]
    assert [(p["page"], p["per_page"], p["total"]) for p in pages] == [
        (1, 2, 5),
        (2, 2, 5),
        (3, 2, 5),
        (4, 2, 5),
    ]
    assert [ids(p) for p in pages] == [everything[0:2], everything[2:4], everything[4:], []]
    default = listed(api)
    assert (default["page"], default["per_page"]) == (1, 50)
    for query in (
        "?per_page=201",
        "?per_page=0",
        "?page=0",
        "?page=abc",
        "?status=closed",
        "?actor=admin",
        "?instance=0",
        "?overdue=maybe",
    ):
        error_of(api.get(f"/api/v1/tasks{query}"), 422, "validation_error")
    error_of(api.get("/api/v1/tasks", as_=None), 401, "unauthorized")
