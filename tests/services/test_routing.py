"""Tests for the routing service (app/services/routing.py): legal moves, the mutu baku clock
stored on tasks, and the audit event each move writes."""

import io
from datetime import datetime, timedelta
from itertools import count
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import current_app

from app.demo import demo_pdf
from app.errors import DomainError
from app.extensions import db
from app.models import AuditEvent, InstanceStatus, Task, TaskStatus, User
from app.services import audit, routing, signing
from app.services.accounts import create_user
from app.services.documents import BlobStore, upload_document
from tests.helpers import PASSWORD

JAKARTA = ZoneInfo("Asia/Jakarta")
SOP = "pengukuran-kinerja"


def wib(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """Build an aware datetime in Asia/Jakarta (WIB)."""
    return datetime(year, month, day, hour, minute, tzinfo=JAKARTA)


# March 2026: Mon 2, Thu 5, Fri 6, Sat 7, Mon 9, Fri 13, Mon 16, Tue 17. Wed 18 to Tue 24 are
# days off (cuti bersama Nyepi, Nyepi, cuti bersama and Idulfitri, the weekend, cuti bersama);
# Wed 25 is the first working day after them.


@pytest.fixture
def people(app_ctx, users) -> dict[str, User]:
    """The test users by username, loaded in the test's session."""
    return {name: db.session.get(User, user_id) for name, user_id in users.items()}


@pytest.fixture
def periods():
    """Fresh periods, so each measurement a test starts is its own (no duplicate_instance)."""
    return (str(year) for year in count(2030))


def start(people, at: datetime, period: str = "2026-Q1"):
    """Start a measurement as the camat at `at`."""
    return routing.start_instance(sop_code=SOP, period=period, actor=people["camat"], now=at)


def open_task(instance) -> Task:
    (task,) = db.session.scalars(
        sa.select(Task).filter_by(instance_id=instance.id, status=TaskStatus.OPEN)
    ).all()
    return task


def actor_of(task: Task, people) -> User:
    return people[routing.step_of(task).actors[0]]


def attach_outputs(task: Task, actor: User) -> None:
    """Upload every required output of the task's step, as `actor` (but the one signing makes)."""
    store = BlobStore(current_app.config["STORAGE_DIR"])
    step = routing.step_of(task)
    for kind in step.required_outputs:
        if kind in step.signed_outputs:
            continue
        upload_document(
            task,
            kind=kind,
            filename="dokumen.pdf",
            stream=io.BytesIO(demo_pdf(kind, ["uji"])),
            actor=actor,
            store=store,
            limit=current_app.config["MAX_CONTENT_LENGTH"],
        )


def move(task: Task, people, at: datetime, decision: str = "approve", **kwargs):
    """Do the task's move as its step's first actor, at `at`, uploading outputs first."""
    step = routing.step_of(task)
    actor = actor_of(task, people)
    if step.is_decision:
        if decision == "approve":
            attach_outputs(task, actor)
        note = "Perbaiki sesuai arahan" if decision == "return" else None
        return routing.decide(task, actor=actor, decision=decision, note=note, now=at, **kwargs)
    attach_outputs(task, actor)
    if step.signed_outputs:
        return signing.sign_report(
            task,
            actor=actor,
            password=PASSWORD,
            store=BlobStore(current_app.config["STORAGE_DIR"]),
            limit=current_app.config["MAX_CONTENT_LENGTH"],
            base_url=current_app.config["BASE_URL"],
            now=at,
            **kwargs,
        ).move
    return routing.complete_task(task, actor=actor, now=at, **kwargs)


def walk_to(instance, step_no: int, people, at: datetime) -> Task:
    """Move the instance forward, every move at `at`, until step `step_no` is open."""
    task = open_task(instance)
    while task.step_no != step_no:
        (task,) = move(task, people, at).next_tasks
    return task


def task_opened_at(people, periods, step_no: int, at: datetime) -> Task:
    """Open step `step_no` of a new measurement at `at`."""
    return walk_to(start(people, at, next(periods)), step_no, people, at)


# --- allowed actions -----------------------------------------------------------------------


def expected_actions(step, user: User) -> tuple[str, ...]:
    if not user.has_role(*step.actors):
        return ()
    if step.is_decision:
        moves = ("approve", "return")
    else:
        moves = ("sign",) if step.signed_outputs else ("complete",)
    uploadable = [kind for kind in step.outputs if kind not in step.signed_outputs]
    return moves + (("upload",) if uploadable else ())


def test_allowed_actions_per_role_and_step(people):
    """Does each role see exactly its step's moves, and every other role (admin, viewer) none?"""
    instance = start(people, wib(2026, 3, 2, 7, 30))
    definition = routing.definition_for(instance)
    task = open_task(instance)
    seen_steps = []
    while task is not None:
        step = routing.step_of(task)
        seen_steps.append(step.no)
        for user in people.values():
            actions = routing.allowed_actions(task, user)
            assert actions == expected_actions(step, user), (step.no, user.username)
            if actions:
                routing.ensure_can_act(task, step, user, version=None)
            else:
                with pytest.raises(DomainError) as refused:
                    routing.ensure_can_act(task, step, user, version=None)
                assert (refused.value.status, refused.value.code) == (403, "forbidden_role")
        assert routing.allowed_actions(task, people["admin"]) == ()
        assert routing.allowed_actions(task, people["viewer"]) == ()
        done = task
        result = move(task, people, wib(2026, 3, 2, 8))
        # A finished task offers nothing to anyone, its own actors included.
        assert all(routing.allowed_actions(done, user) == () for user in people.values())
        task = result.next_tasks[0] if result.next_tasks else None
    assert seen_steps == [step.no for step in definition.steps]
    assert instance.status == InstanceStatus.COMPLETED


def test_allowed_actions_on_shared_steps_and_inactive_measurements(people, periods):
    """Do shared steps offer each lane its move, reviews only the reviewer, cancelled runs none?"""
    at = wib(2026, 3, 2, 8)
    plan = task_opened_at(people, periods, 5, at)
    assert routing.allowed_actions(plan, people["anggota"]) == ("complete", "upload")
    assert routing.allowed_actions(plan, people["sekcam"]) == ("complete", "upload")
    assert routing.allowed_actions(plan, people["kasi"]) == ()
    report = task_opened_at(people, periods, 9, at)
    for username in ("anggota", "anggota2", "kasi", "kasi2"):
        assert routing.allowed_actions(report, people[username]) == ("complete", "upload")
    assert routing.allowed_actions(report, people["camat"]) == ()
    both = create_user(
        username="kasi_anggota",
        full_name="Kasi dan Anggota",
        password="rahasia",
        roles=["kasi", "anggota"],
        actor="test",
    )
    assert routing.allowed_actions(report, both) == ("complete", "upload")
    review = task_opened_at(people, periods, 10, at)
    assert routing.allowed_actions(review, people["sekcam"]) == ("approve", "return", "upload")
    assert routing.allowed_actions(review, people["camat"]) == ()
    signing = task_opened_at(people, periods, 12, at)
    # Signing finishes step 12; its only output is the signed report, which no upload makes.
    assert routing.allowed_actions(signing, people["camat"]) == ("sign",)
    assert routing.allowed_actions(signing, people["admin"]) == ()
    signing.instance.status = InstanceStatus.CANCELLED
    db.session.flush()
    assert routing.allowed_actions(signing, people["camat"]) == ()


# --- the mutu baku clock -------------------------------------------------------------------


# (step, opened, due) on the shipped SOP's standards.
DUE_TIMES = [
    # 15 minutes from the opening bell.
    (1, wib(2026, 3, 2, 7, 30), wib(2026, 3, 2, 7, 45)),
    # Opened before office hours: counts from 07:30.
    (1, wib(2026, 3, 2, 6, 0), wib(2026, 3, 2, 7, 45)),
    # 30 minutes from Thu 15:50: 10 on Thursday, 20 on Friday morning.
    (3, wib(2026, 3, 5, 15, 50), wib(2026, 3, 6, 7, 50)),
    # 120 minutes from Mon 11:00 skip the 12:00-12:30 lunch break.
    (5, wib(2026, 3, 2, 11, 0), wib(2026, 3, 2, 13, 30)),
    # 60 minutes from Fri 11:00: the Friday break runs 11:30-13:00.
    (10, wib(2026, 3, 6, 11, 0), wib(2026, 3, 6, 13, 30)),
    # 60 minutes from Tue 17 Mar 15:30: 30 that day, 30 after the Idulfitri days off.
    (10, wib(2026, 3, 17, 15, 30), wib(2026, 3, 25, 8, 0)),
    # 2 working days from Fri 13 Mar 10:00 (outside the holidays): Mon 16, Tue 17.
    (7, wib(2026, 3, 13, 10, 0), wib(2026, 3, 17, 10, 0)),
    # 2 working days from Tue 17 Mar 10:00, across 18-24 Mar: Wed 25, Thu 26.
    (7, wib(2026, 3, 17, 10, 0), wib(2026, 3, 26, 10, 0)),
    # Opened on a Saturday: counts from Monday 07:30.
    (7, wib(2026, 3, 7, 9, 0), wib(2026, 3, 11, 7, 30)),
    # 1 working day from Thu 15:00 lands on Friday, which closes at 14:30.
    (12, wib(2026, 3, 5, 15, 0), wib(2026, 3, 6, 14, 30)),
]


def test_due_time_stored_on_the_task(people, periods):
    """Is a task's due time its standard counted in working time from its opening?"""
    opened_tasks = []
    for step_no, opened, due in DUE_TIMES:
        task = task_opened_at(people, periods, step_no, opened)
        assert (task.opened_at, task.due_at) == (opened, due), (step_no, opened)
        opened_tasks.append(task.id)
    db.session.commit()
    db.session.expire_all()
    stored = [db.session.get(Task, task_id) for task_id in opened_tasks]
    assert [(t.step_no, t.opened_at, t.due_at) for t in stored] == DUE_TIMES


def closed(task: Task, people, at: datetime) -> Task:
    """Finish `task` at `at`; answer it, re-read from the database."""
    move(task, people, at)
    db.session.commit()
    db.session.expire_all()
    return db.session.get(Task, task.id)


def test_working_and_elapsed_minutes_across_the_lunch_break(people, periods):
    """Does a task open 11:00-13:30 count 150 elapsed, 120 working minutes, on time at its due?"""
    plan = task_opened_at(people, periods, 5, wib(2026, 3, 2, 11, 0))
    assert plan.due_at == wib(2026, 3, 2, 13, 30)
    plan = closed(plan, people, wib(2026, 3, 2, 13, 30))
    assert (plan.elapsed_minutes, plan.working_minutes, plan.late) == (150, 120, False)
    assert plan.closed_at == wib(2026, 3, 2, 13, 30)
    memo = open_task(plan.instance)
    assert memo.opened_at == wib(2026, 3, 2, 13, 30)
    assert memo.due_at == wib(2026, 3, 2, 14, 0)
    memo = closed(memo, people, wib(2026, 3, 2, 14, 1))
    assert (memo.elapsed_minutes, memo.working_minutes, memo.late) == (31, 31, True)


def test_working_and_elapsed_minutes_across_days_off(people, periods):
    """Do weekends, Idulfitri days off and closed hours count as elapsed but not working time?"""
    # Fri 14:20 to Mon 07:40: 10 minutes on Friday, 10 on Monday; due Mon 07:35.
    order = task_opened_at(people, periods, 1, wib(2026, 3, 6, 14, 20))
    assert order.due_at == wib(2026, 3, 9, 7, 35)
    order = closed(order, people, wib(2026, 3, 9, 7, 40))
    assert (order.elapsed_minutes, order.working_minutes, order.late) == (3920, 20, True)
    # Tue 17 Mar 15:50 to Wed 25 Mar 07:40, over the 18-24 Mar days off.
    order = task_opened_at(people, periods, 1, wib(2026, 3, 17, 15, 50))
    assert order.due_at == wib(2026, 3, 25, 7, 35)
    order = closed(order, people, wib(2026, 3, 25, 7, 40))
    assert order.elapsed_minutes == 8 * 24 * 60 - (8 * 60 + 10)
    assert (order.working_minutes, order.late) == (20, True)
    # Fri 14:25 to Sat 10:00: only the 5 minutes before Friday's 14:30 closing count.
    order = task_opened_at(people, periods, 1, wib(2026, 3, 6, 14, 25))
    order = closed(order, people, wib(2026, 3, 7, 10, 0))
    assert (order.working_minutes, order.elapsed_minutes, order.late) == (5, 1175, False)


def test_a_back_dated_move_is_timed_at_occurred_at(people):
    """Is a move recorded later timed at occurred_at, and marked back-dated with its event?"""
    instance = start(people, wib(2026, 3, 2, 7, 30))
    task = open_task(instance)
    result = routing.complete_task(
        task,
        actor=people["camat"],
        occurred_at=wib(2026, 3, 2, 7, 40),
        now=wib(2026, 3, 2, 12, 0),
    )
    assert task.closed_at == wib(2026, 3, 2, 7, 40)
    assert (task.working_minutes, task.elapsed_minutes, task.late) == (10, 10, False)
    assert task.backdated is True
    (following,) = result.next_tasks
    assert following.opened_at == wib(2026, 3, 2, 7, 40)
    assert following.due_at == wib(2026, 3, 2, 7, 55)
    (event,) = audit.events_for("task", task.id)
    assert event.backdated is True


def test_occurred_at_bounds(people, periods):
    """Is occurred_at accepted from the task's opening to now + 60 s, and refused 422 outside?"""
    opened, now = wib(2026, 3, 2, 7, 30), wib(2026, 3, 2, 12, 0)
    cases = [
        (now + timedelta(seconds=60), True),
        (now + timedelta(seconds=61), False),
        (opened, True),
        (opened - timedelta(seconds=1), False),
        (datetime(2026, 3, 2, 8, 0), False),
    ]
    for occurred_at, accepted in cases:
        task = open_task(start(people, opened, next(periods)))
        if accepted:
            routing.complete_task(task, actor=people["camat"], occurred_at=occurred_at, now=now)
            assert task.closed_at == occurred_at
            continue
        with pytest.raises(DomainError) as refused:
            routing.complete_task(task, actor=people["camat"], occurred_at=occurred_at, now=now)
        assert (refused.value.status, refused.value.code) == (422, "invalid_occurred_at")
        assert task.status == TaskStatus.OPEN


# --- audit ---------------------------------------------------------------------------------


def event_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))


def last_event() -> AuditEvent:
    return db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()


def run_measurement_with_returns(people) -> list[tuple[str, int]]:
    """Run a whole measurement, returning once at each review; answer (action, task id) per
    move, after checking that each move wrote exactly one event."""
    instance = start(people, wib(2026, 3, 2, 7, 30))
    definition = routing.definition_for(instance)
    returned_at = set()
    moves = []
    task = open_task(instance)
    at = wib(2026, 3, 2, 7, 30)
    while task is not None:
        at += timedelta(minutes=5)
        step = routing.step_of(task)
        decision = "return" if step.is_decision and step.no not in returned_at else "approve"
        if decision == "return":
            returned_at.add(step.no)
        actor = actor_of(task, people)
        if decision == "approve":
            attach_outputs(task, actor)
        before = event_count()
        if step.signed_outputs:
            result = move(task, people, at)
            # Signing also stores the signed report and records the signature: three events.
            assert event_count() == before + 3
            assert last_event().action == "report.signed"
            event = db.session.scalars(
                sa.select(AuditEvent).filter_by(object_type="task").order_by(AuditEvent.id.desc())
            ).first()
        else:
            if step.is_decision:
                note = "Perbaiki sesuai arahan" if decision == "return" else None
                result = routing.decide(task, actor=actor, decision=decision, note=note, now=at)
            else:
                result = routing.complete_task(task, actor=actor, now=at)
            assert event_count() == before + 1
            event = last_event()
        if not step.is_decision:
            assert event.action == "task.completed"
        else:
            assert event.action == {"approve": "task.approved", "return": "task.returned"}[decision]
        assert (event.object_type, event.object_id) == ("task", str(task.id))
        assert event.actor == actor.username
        assert event.data["step_no"] == step.no
        assert event.data["iteration"] == task.iteration
        assert event.data["next_tasks"] == [t.id for t in result.next_tasks]
        assert event.data["instance_completed"] == (not result.next_tasks)
        assert event.backdated is False
        moves.append((event.action, task.id))
        task = result.next_tasks[0] if result.next_tasks else None
    reviews = [step.no for step in definition.steps if step.is_decision]
    assert returned_at == set(reviews)
    assert instance.status == InstanceStatus.COMPLETED
    assert instance.returns == len(reviews)
    return moves


def test_every_move_writes_one_audit_event_and_the_chain_verifies(people):
    """Does each move write exactly one audit event with its action, and the chain verify?"""
    moves = run_measurement_with_returns(people)
    actions = [action for action, _ in moves]
    assert actions.count("task.returned") == 2
    assert set(actions) == {"task.completed", "task.approved", "task.returned"}
    db.session.commit()
    db.session.expire_all()
    check = audit.verify_chain()
    assert check.ok, check
    assert check.events == event_count()
    for action, task_id in moves:
        assert [e.action for e in audit.events_for("task", task_id)] == [action]


def test_tampering_with_an_event_is_detected(people):
    """Does changing one stored event's summary make the chain verification name that event?"""
    moves = run_measurement_with_returns(people)
    db.session.commit()
    (tampered,) = audit.events_for("task", next(t for a, t in moves if a == "task.returned"))
    db.session.execute(
        sa.text("UPDATE audit_event SET summary = :summary WHERE id = :id"),
        {"summary": "Tidak pernah dikembalikan", "id": tampered.id},
    )
    db.session.commit()
    db.session.expire_all()
    check = audit.verify_chain()
    assert check.ok is False
    assert check.first_bad_event == tampered.id
    assert check.events == db.session.scalar(
        sa.select(sa.func.count()).where(AuditEvent.id < tampered.id)
    )
