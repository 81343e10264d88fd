"""What a move costs the database: at most ten SQL statements, and none after its commit.

A move (app/services/routing.py through app/api/tasks.py) locks the task with everything it
judges from in one read, flushes once, chains its audit event to the head that read brought,
and builds its answer before the request's edge commits; the caller's identity is one
statement. These tests count the statements of the costliest moves, each of which opens a
step that notifies someone: a plain step finished into a review, a review approved into the
next review, a review returned for correction.
"""

import re
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import AuditEvent, Notification
from app.services import audit
from app.services.audit import journal
from tests.helpers import PASSWORD

MOST_STATEMENTS = 10
# The last plain step before the reviews, and the first review (tests/helpers walks to them).
DRAFT_STEP, FIRST_REVIEW = 9, 10


@pytest.fixture(autouse=True)
def no_checkpoint_journal(monkeypatch):
    """Leave out the audit checkpoint journal: it reads the committed head on a connection of
    its own, at most once a minute in production (AUDIT_CHECKPOINT_SECONDS, 0 in the tests),
    and is no part of a move."""
    monkeypatch.setattr(journal._writer, "head_moved", lambda *args: None)


@contextmanager
def statements(app):
    """Collect the SQL sent while the block runs, as (before the commit, after the commit)."""
    before: list[str] = []
    after: list[str] = []
    committed = []
    with app.app_context():
        engine = db.engine

    def seen(conn, cursor, statement, parameters, context, executemany):
        (after if committed else before).append(" ".join(statement.split()))

    def commit(session):
        committed.append(True)

    sa.event.listen(engine, "before_cursor_execute", seen)
    sa.event.listen(Session, "after_commit", commit)
    try:
        yield before, after
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)
        sa.event.remove(Session, "after_commit", commit)


def move(app, api, task: dict, path: str, body: dict, as_: str) -> tuple[dict, list, list]:
    """Make one move; answer its body and its statements before and after the commit."""
    api.token(as_)  # signing in is not part of the move
    with statements(app) as (before, after):
        response = api.post(f"/api/v1/tasks/{task['id']}/{path}", json=body, as_=as_)
    assert response.status_code == 200, response.get_json()
    return response.get_json(), before, after


def test_completing_a_step_into_a_review_sends_ten_statements_at_most(app, api, runner):
    """Does finishing the draft (step 9, opening the review and notifying the reviewer) stay
    within ten statements, none after the commit?"""
    instance = runner.start()
    task = runner.walk_to(instance["id"], DRAFT_STEP)
    runner.attach_outputs(task)
    body, before, after = move(app, api, task, "complete", {}, runner.actor_of(DRAFT_STEP))
    assert body["task"]["status"] == "done"
    assert body["next_tasks"][0]["step_no"] == FIRST_REVIEW
    assert len(before) <= MOST_STATEMENTS, before
    assert after == []


def test_approving_a_review_sends_ten_statements_at_most(app, api, runner):
    """Does approving the first review (judged for self-review, opening the next review and
    notifying its reviewer) stay within ten statements, none after the commit?"""
    instance = runner.start()
    task = runner.walk_to(instance["id"], FIRST_REVIEW)
    body, before, after = move(
        app, api, task, "decision", {"decision": "approve"}, runner.actor_of(FIRST_REVIEW)
    )
    assert body["task"]["outcome"] == "approved"
    assert body["next_tasks"][0]["step_no"] == FIRST_REVIEW + 1
    assert len(before) <= MOST_STATEMENTS, before
    assert after == []


def test_returning_a_review_sends_ten_statements_at_most(app, api, runner):
    """Does returning the first review (the draft opened again as its second round, the
    drafter notified) stay within ten statements, none after the commit?"""
    instance = runner.start()
    task = runner.walk_to(instance["id"], FIRST_REVIEW)
    decision = {"decision": "return", "note": "Lengkapi capaian seksi"}
    body, before, after = move(app, api, task, "decision", decision, runner.actor_of(FIRST_REVIEW))
    (redo,) = body["next_tasks"]
    assert (redo["step_no"], redo["iteration"]) == (DRAFT_STEP, 2)
    assert len(before) <= MOST_STATEMENTS, before
    assert after == []
    with app.app_context():
        returned = db.session.scalar(sa.select(Notification).filter_by(task_id=redo["id"]))
        assert returned is not None and returned.kind == "returned"
        assert audit.verify_chain().ok


def test_a_move_reads_the_days_off_version_with_its_lock(app, api, runner):
    """Does the move's locked read bring the days off's version, so that timing the move
    sends no statement of its own for it?"""
    instance = runner.start()
    task = runner.open_task(instance["id"])
    runner.attach_outputs(task)
    _, before, _ = move(app, api, task, "complete", {}, runner.actor_of(task["step_no"]))
    (reading,) = [sql for sql in before if "calendar_state" in sql]
    assert reading.startswith("SELECT task.id") and "audit_head" in reading, reading


def test_the_caller_of_a_move_is_known_from_one_statement(app, api, runner):
    """Is the bearer token, its user and his roles one statement per move, although the gate
    and the view both ask who is calling?"""
    instance = runner.start()
    task = runner.open_task(instance["id"])
    _, before, _ = move(app, api, task, "complete", {}, runner.actor_of(task["step_no"]))
    assert sum("api_token" in sql for sql in before) == 1, before
    assert not any(sql.startswith("SELECT user_role") for sql in before), before


def test_a_browser_session_and_its_user_are_one_statement(app, users, client):
    """Does a signed-in page read the session row, its user and his roles in one statement?"""
    form = client.get("/login").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    credentials = {"username": "camat", "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=credentials).status_code == 302
    with statements(app) as (before, _):
        assert client.get("/").status_code == 200
    assert sum("FROM user_session" in sql for sql in before) == 1, before
    assert not any(sql.startswith("SELECT user_role") for sql in before), before


def test_an_event_chained_to_a_head_that_moved_is_chained_again_after_it(app_ctx):
    """When the head a transaction read has moved before its event is recorded (another
    writer on PostgreSQL), is the event chained after the newer head, in id order?"""
    first = audit.record("test.first", actor=None, summary="pertama")
    db.session.commit()
    audit.expect_head("f" * 64)  # a head read before another writer moved it
    second = audit.record("test.second", actor=None, summary="kedua")
    db.session.commit()
    assert second.prev_hash == first.hash
    assert second.id > first.id
    check = audit.verify_chain()
    assert check.ok, check
    last = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert last.hash == check.head == second.hash
