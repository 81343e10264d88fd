"""Simultaneous moves of one task (app/services/routing.py through the API): one wins.

SQLite serialises writers with BEGIN IMMEDIATE; PostgreSQL relies on the version columns
(optimistic locking). Either way the loser gets a 409 and there is never a double move.
"""

import threading
from pathlib import Path

import sqlalchemy as sa

from app.config import Config
from app.extensions import db
from app.models import AuditEvent, Task
from app.services.sop_definitions import load_definition_file

DEFINITION, _ = load_definition_file(Path(Config.SOP_DIR) / "pengukuran-kinerja.yaml")
STEPS = {step.no: step for step in DEFINITION.steps}
ROUNDS = 10
# The loser waits for the winner, then finds the task closed (API.md: 409 task_not_open).
CONFLICT_CODES = {"task_not_open"}


def race(app, requests: list[tuple[str, str, dict]]) -> list[tuple[int, dict]]:
    """Send the (token, path, body) requests at the same moment, one thread and client each."""
    barrier = threading.Barrier(len(requests))
    results: list = [None] * len(requests)

    def send(index: int, token: str, path: str, body: dict) -> None:
        client = app.test_client()
        try:
            barrier.wait(timeout=10)
            response = client.post(path, json=body, headers={"Authorization": f"Bearer {token}"})
            results[index] = (response.status_code, response.get_json())
        except Exception as err:  # reported below, in the test's own thread
            results[index] = (None, repr(err))

    threads = [
        threading.Thread(target=send, args=(i, *request)) for i, request in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a request hung"
    return results


def one_winner(results: list[tuple[int, dict]]) -> dict:
    """Check that exactly one request won and the other got a conflict; answer the winner's body."""
    statuses = sorted(status for status, _ in results)
    assert statuses == [200, 409], results
    loser = next(body for status, body in results if status == 409)
    assert loser["error"]["code"] in CONFLICT_CODES, loser
    return next(body for status, body in results if status == 200)


def two_users(step_no: int, users: dict) -> tuple[str, str]:
    """Two distinct users who may act at the step, when the office has two; else one twice."""
    candidates = []
    for role in STEPS[step_no].actors:
        candidates += [name for name in (role, f"{role}2") if name in users]
    return candidates[0], candidates[1] if len(candidates) > 1 else candidates[0]


def task_rows(app, instance_id: int) -> list[tuple[int, int, str]]:
    """Read an instance's tasks straight from the database: (step, iteration, status)."""
    with app.app_context():
        rows = db.session.execute(
            sa.select(Task.step_no, Task.iteration, Task.status)
            .filter_by(instance_id=instance_id)
            .order_by(Task.id)
        )
        return [(step_no, iteration, status.value) for step_no, iteration, status in rows]


def move_events(app, task_id: int) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(AuditEvent.action).filter_by(object_type="task", object_id=str(task_id))
            )
        )


def test_simultaneous_moves_of_a_task_give_one_winner(app, api, runner, users):
    """Do two simultaneous moves of a task give one 200, one 409 and one next task, every round?"""
    instance = runner.start()
    task = runner.open_task(instance["id"])
    for _ in range(ROUNDS):
        step = STEPS[task["step_no"]]
        runner.attach_outputs(task)
        if step.is_decision:
            path, body = f"/api/v1/tasks/{task['id']}/decision", {"decision": "approve"}
        else:
            path, body = f"/api/v1/tasks/{task['id']}/complete", {}
        first, second = two_users(step.no, users)
        winner = one_winner(
            race(app, [(api.token(first), path, body), (api.token(second), path, body)])
        )
        (following,) = winner["next_tasks"]
        assert following["step_no"] == step.next
        rows = task_rows(app, instance["id"])
        assert rows.count((step.next, 1, "open")) == 1
        assert [row for row in rows if row[2] == "open"] == [(step.next, 1, "open")]
        assert len([row for row in rows if row[0] == step.next]) == 1
        assert len(move_events(app, task["id"])) == 1
        task = following
    assert [row[0] for row in task_rows(app, instance["id"])] == list(STEPS)[: ROUNDS + 1]


def test_simultaneous_approvals_of_a_review_give_one_winner(app, api, runner, users):
    """Do two approvals of the same review sent at once give one 200, one 409, one next task?"""
    instance = runner.start()
    review = [step for step in DEFINITION.steps if step.is_decision][-1]
    task = runner.walk_to(instance["id"], review.no)
    runner.attach_outputs(task)
    path, body = f"/api/v1/tasks/{task['id']}/decision", {"decision": "approve"}
    first, second = two_users(review.no, users)
    winner = one_winner(
        race(app, [(api.token(first), path, body), (api.token(second), path, body)])
    )
    assert winner["task"]["outcome"] == "approved"
    rows = task_rows(app, instance["id"])
    assert [row for row in rows if row[0] == review.next] == [(review.next, 1, "open")]
    assert move_events(app, task["id"]) == ["task.approved"]


def test_a_simultaneous_approval_and_return_give_one_winner(app, api, runner, users):
    """Do an approval and a return of the same review sent at once leave exactly one of them?"""
    instance = runner.start()
    review = next(step for step in DEFINITION.steps if step.is_decision)
    for _ in range(3):
        task = runner.walk_to(instance["id"], review.no)
        runner.attach_outputs(task)
        path = f"/api/v1/tasks/{task['id']}/decision"
        token = api.token(two_users(review.no, users)[0])
        winner = one_winner(
            race(
                app,
                [
                    (token, path, {"decision": "approve"}),
                    (token, path, {"decision": "return", "note": "Perbaiki"}),
                ],
            )
        )
        outcome = winner["task"]["outcome"]
        expected_next = review.next if outcome == "approved" else review.on_return
        (following,) = winner["next_tasks"]
        assert following["step_no"] == expected_next
        open_rows = [row for row in task_rows(app, instance["id"]) if row[2] == "open"]
        assert open_rows == [(expected_next, following["iteration"], "open")]
        assert move_events(app, task["id"]) == [f"task.{outcome}"]
        detail = api.get(f"/api/v1/instances/{instance['id']}").get_json()
        assert detail["returns"] == sum(1 for t in detail["tasks"] if t["outcome"] == "returned")
        if outcome == "approved":
            break
        # Returned: walk the corrected draft back up to the review and race again.


def test_simultaneous_starts_of_a_period_give_one_measurement(app, api, users):
    """Do two simultaneous starts of one period give one 201, one 409 and one measurement?"""
    for period in ("2026-Q1", "2026-Q2", "2026"):
        body = {"sop": DEFINITION.code, "period": period}
        results = race(
            app,
            [
                (api.token("camat"), "/api/v1/instances", body),
                (api.token("admin"), "/api/v1/instances", body),
            ],
        )
        assert sorted(status for status, _ in results) == [201, 409], results
        loser = next(body for status, body in results if status == 409)
        assert loser["error"]["code"] == "duplicate_instance"
        listed = api.get(f"/api/v1/instances?period={period}").get_json()
        assert listed["total"] == 1
        (instance,) = listed["items"]
        assert len(task_rows(app, instance["id"])) == 1
