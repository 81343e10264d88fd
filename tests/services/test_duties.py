"""Tests for the separation of duties (app/services/duties.py): nobody decides a review of his
own work in the same round, nor approves it twice; the refusal is named and audited."""

import dataclasses

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Task, User
from app.services import duties, routing
from app.services.accounts import create_user
from tests.helpers import PASSWORD


@pytest.fixture
def doubles(app, users) -> dict[str, int]:
    """Users holding two roles: `pembuat` (anggota and sekcam), `pemeriksa` (sekcam and camat)."""
    with app.app_context():
        ids = {}
        for i, (name, roles) in enumerate(
            {"pembuat": ["anggota", "sekcam"], "pemeriksa": ["sekcam", "camat"]}.items()
        ):
            user = create_user(
                username=name,
                full_name=f"Pengguna {name.title()}",
                nip=f"19900101201001{i:04d}",
                password=PASSWORD,
                roles=roles,
                actor="test",
            )
            ids[name] = user.id
        db.session.commit()
        return ids


def decide(api, task: dict, as_: str, decision: str = "approve", note: str | None = None):
    """Post a decision on `task` as `as_`; answer the response."""
    body = {"decision": decision, "note": note}
    return api.post(f"/api/v1/tasks/{task['id']}/decision", json=body, as_=as_)


def finish_step(runner, api, task: dict, as_: str) -> dict:
    """Upload the step's required outputs and complete it as `as_`; answer the next task."""
    runner.attach_outputs(task, as_=as_)
    response = api.post(f"/api/v1/tasks/{task['id']}/complete", json={}, as_=as_)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["next_tasks"][0]


def approve(runner, api, task: dict, as_: str) -> dict:
    """Attach the decision's outputs and approve it as `as_`; answer the next task."""
    runner.attach_outputs(task, as_=as_)
    response = decide(api, task, as_)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["next_tasks"][0]


def refusals(app) -> list[AuditEvent]:
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(AuditEvent)
                .filter_by(action="task.self_review_refused")
                .order_by(AuditEvent.id)
            )
        )


def test_maker_cannot_approve_his_own_recap(app, api, runner, doubles):
    """Is an anggota+sekcam who finished step 9 refused at step 10 with self_review, while
    another sekcam's approval goes through?"""
    instance = runner.start("2026-Q1")
    step9 = runner.walk_to(instance["id"], 9)
    step10 = finish_step(runner, api, step9, "pembuat")
    assert step10["step_no"] == 10

    refused = decide(api, step10, "pembuat")
    assert refused.status_code == 403
    error = refused.get_json()["error"]
    assert error["code"] == "self_review"
    assert error["details"] == {
        "reviewed_step": 9,
        "by_task": step9["id"],
        "by_step": 9,
        "reason": "completed",
    }
    assert api.get(f"/api/v1/tasks/{step10['id']}").get_json()["status"] == "open"

    step11 = approve(runner, api, step10, "sekcam")
    assert step11["step_no"] == 11


def test_refusal_message_in_both_languages(app, api, runner, doubles):
    """Does the refusal say in Indonesian and in English which step he did and who decides?"""
    step10 = finish_step(runner, api, runner.walk_to(runner.start()["id"], 9), "pembuat")
    indonesian = decide(api, step10, "pembuat").get_json()["error"]["message"]
    assert "Anda sendiri menyelesaikan langkah 9" in indonesian
    assert "tidak dapat memutuskan langkah 10" in indonesian
    english = api.post(
        f"/api/v1/tasks/{step10['id']}/decision",
        json={"decision": "return", "note": "x"},
        as_="pembuat",
        headers={"Accept-Language": "en"},
    ).get_json()["error"]["message"]
    assert "you finished step 9 in this round yourself" in english


def test_refused_attempt_is_kept_in_the_audit(app, api, runner, doubles):
    """Is each refused attempt an audit event that stays although the request failed?"""
    step10 = finish_step(runner, api, runner.walk_to(runner.start()["id"], 9), "pembuat")
    assert decide(api, step10, "pembuat").status_code == 403
    assert decide(api, step10, "pembuat", "return", "Perbaiki").status_code == 403
    events = refusals(app)
    assert [e.data["attempt"] for e in events] == ["approve", "return"]
    assert {e.actor for e in events} == {"pembuat"}
    assert events[0].object_id == str(step10["id"])
    assert events[0].data["reason"] == "completed"
    assert "ditolak memutuskan langkah 10" in events[0].summary
    with app.app_context():
        # Nothing else of the refused move was kept: the task is still open, unclosed.
        task = db.session.get(Task, step10["id"])
        assert task.closed_by_id is None and task.outcome is None


def test_maker_cannot_upload_to_the_review_either(app, api, runner, doubles):
    """Is an upload to the review by the maker of its work refused (and audited) too?"""
    step10 = finish_step(runner, api, runner.walk_to(runner.start()["id"], 9), "pembuat")
    kind = "Draft Laporan Hasil Pengukuran Data Kinerja"
    response = api.upload(step10["id"], kind, "pembuat")
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "self_review"
    assert [e.data["attempt"] for e in refusals(app)] == ["upload"]
    documents = api.get(f"/api/v1/instances/{step10['instance_id']}/documents").get_json()
    items = documents["items"] if isinstance(documents, dict) else documents
    assert [d for d in items if d["step_no"] == 10] == []


def test_reviewer_cannot_approve_twice(app, api, runner, doubles):
    """Is a sekcam+camat who approved step 10 refused at step 11 of the same round?"""
    step9 = runner.walk_to(runner.start()["id"], 9)
    step10 = finish_step(runner, api, step9, "anggota")
    step11 = approve(runner, api, step10, "pemeriksa")
    refused = decide(api, step11, "pemeriksa")
    assert refused.status_code == 403
    error = refused.get_json()["error"]
    assert error["code"] == "self_review"
    assert error["details"]["reason"] == "approved"
    assert error["details"]["by_step"] == 10
    assert "menyetujui langkah 10" in error["message"]
    # The Camat who took no part yet may decide.
    assert decide(api, step11, "camat", "return", "Perbaiki").status_code == 200


def test_next_round_is_judged_afresh(app, api, runner, doubles):
    """After a return, does the next round recompute who may decide (the earlier approver of a
    previous round may decide now, the new maker may not)?"""
    step9 = runner.walk_to(runner.start()["id"], 9)
    step11 = approve(runner, api, finish_step(runner, api, step9, "anggota"), "pemeriksa")
    returned = decide(api, step11, "camat", "return", "Lengkapi data dukung.")
    step9_again = returned.get_json()["next_tasks"][0]
    assert step9_again["step_no"] == 9

    # Round 2: the pembuat finishes step 9, another sekcam approves step 10.
    step10_again = finish_step(runner, api, step9_again, "pembuat")
    assert decide(api, step10_again, "pembuat").get_json()["error"]["code"] == "self_review"
    step11_again = approve(runner, api, step10_again, "sekcam")
    # The pemeriksa approved step 10 only in round 1: he may decide step 11 now.
    runner.attach_outputs(step11_again, as_="pemeriksa")
    assert decide(api, step11_again, "pemeriksa").status_code == 200


def test_allowed_actions_hide_the_decision_from_the_maker(app, api, runner, doubles):
    """Does allowed_actions offer the maker nothing on the review, and another sekcam the
    decision?"""
    step10 = finish_step(runner, api, runner.walk_to(runner.start()["id"], 9), "pembuat")
    with app.app_context():
        task = db.session.get(Task, step10["id"])
        maker = db.session.get(User, doubles["pembuat"])
        other = db.session.scalar(sa.select(User).filter_by(username="sekcam"))
        assert routing.allowed_actions(task, maker) == ()
        assert routing.allowed_actions(task, other)[:2] == ("approve", "return")


def test_definition_without_reviews_has_no_check(app, api, runner, doubles):
    """Is a decision of a definition version without `reviews:` decided by anyone holding its
    role, the maker included?"""
    step10 = finish_step(runner, api, runner.walk_to(runner.start()["id"], 9), "pembuat")
    with app.app_context():
        task = db.session.get(Task, step10["id"])
        maker = db.session.get(User, doubles["pembuat"])
        step = routing.step_of(task)
        assert duties.conflict_of(task, step, maker) is not None
        older = dataclasses.replace(step, reviews=None)
        assert duties.conflict_of(task, older, maker) is None
        duties.ensure_not_self_review(task, older, maker, attempt="approve")
