"""The routing service: the SOP as a state machine over instances and their tasks.

Every move is one unit of work in the caller's transaction: close the task, open the
next, write the audit event. The caller (a request edge) commits once. Two moves of
the same task race on the task's `version`; the loser gets a 409, never a double move.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.errors import DomainError, Phrase, not_found
from app.extensions import db
from app.i18n import N_
from app.models import (
    ADMIN,
    Document,
    Instance,
    InstanceStatus,
    SopVersion,
    Task,
    TaskOutcome,
    TaskStatus,
    User,
    utcnow,
)
from app.services import audit, duties, task_locks
from app.services.calendar import WorkingCalendar
from app.services.office_calendar import office_calendar
from app.services.periods import validate_period
from app.services.persistence import add_or_conflict
from app.services.reminders.moves import notify_move
from app.services.sop_definitions import (
    SopDefinition,
    Step,
    definition_of,
    latest_version,
    list_latest_versions,
)
from app.services.task_locks import LockedTask, lock_task, locked

# A client's clock may run a little ahead of ours; beyond this, a time is "in the future".
CLOCK_SKEW = timedelta(seconds=60)
# No paper trail reaches before the first year a period can name. Older times cannot always
# be stored (year 1 at +14:00 is year 0 in UTC), and centuries of working time are slow to count.
EARLIEST_TIME = datetime(2000, 1, 1, tzinfo=UTC)

Action = Literal["complete", "approve", "return", "upload", "sign"]


@dataclass(frozen=True)
class MoveResult:
    task: Task
    next_tasks: list[Task]
    # The calendar the move was timed with, so describing its tasks needs no second read.
    calendar: WorkingCalendar | None = None


def definition_for(instance: Instance) -> SopDefinition:
    """Return the definition version the instance is pinned to."""
    return definition_of(instance.sop_version)


def step_of(task: Task) -> Step:
    """Return the definition step a task is an opening of."""
    return definition_for(task.instance).step(task.step_no)


def start_roles(definition: SopDefinition) -> tuple[str, ...]:
    """The roles that may start a run of `definition`: its starters, and the admin."""
    return (*definition.starters, ADMIN)


def may_start(user: User, definition: SopDefinition) -> bool:
    """Say whether `user` may start a run of `definition`."""
    return user.has_role(*start_roles(definition))


def startable_versions(user: User) -> list[SopVersion]:
    """Return the newest version of every SOP that `user` may start a run of."""
    return [v for v in list_latest_versions() if may_start(user, definition_of(v))]


def check_past(at: datetime, now: datetime, code: str, earliest: datetime | None) -> None:
    """Refuse (422 `code`) a paper-trail time in the future, before 2000 or before `earliest`."""
    if at.tzinfo is None:
        raise DomainError(422, code, reason=Phrase(N_("a time zone offset is required")))
    if at > now + CLOCK_SKEW:
        raise DomainError(422, code, reason=Phrase(N_("it lies in the future")))
    if at < EARLIEST_TIME:
        raise DomainError(422, code, reason=Phrase(N_("it lies before the year 2000")))
    if earliest is not None and at < earliest:
        raise DomainError(
            422,
            code,
            reason=Phrase(
                N_("it is before the task was opened ({opened})"), opened=earliest.isoformat()
            ),
        )


def _open_task(
    instance: Instance,
    step: Step,
    at: datetime,
    calendar: WorkingCalendar,
    previous: int | None = None,
) -> Task:
    """Open `step` again in `instance`: `previous` is its latest iteration when the caller
    knows it (0 for a new instance, the locked history for a move), else it is read."""
    if previous is None:
        previous = db.session.scalar(
            sa.select(sa.func.max(Task.iteration)).filter_by(
                instance_id=instance.id, step_no=step.no
            )
        )
    task = Task(
        instance=instance,
        step_no=step.no,
        iteration=(previous or 0) + 1,
        status=TaskStatus.OPEN,
        opened_at=at,
        due_at=calendar.due_at(at, step.standard.value, step.standard.unit),
    )
    task.standard_minutes = counted_standard(step, calendar, at, task.due_at)
    db.session.add(task)
    return task


def start_instance(
    *,
    sop_code: str,
    period: str,
    actor: User,
    title: str | None = None,
    started_at: datetime | None = None,
    ip: str | None = None,
    now: datetime | None = None,
) -> Instance:
    """Start a run of SOP `sop_code` for `period` and open its first step."""
    version = latest_version(sop_code)
    definition = definition_of(version)
    if not may_start(actor, definition):
        raise DomainError(403, "forbidden")
    validate_period(period)
    now = now or utcnow()
    if started_at is not None:
        check_past(started_at, now, "invalid_started_at", earliest=None)
    at = started_at or now
    if db.session.scalar(
        sa.select(Instance.id).filter_by(
            sop_code=sop_code, period=period, status=InstanceStatus.ACTIVE
        )
    ):
        raise DomainError(409, "duplicate_instance", sop=sop_code, period=period)
    instance = Instance(
        sop_version=version,
        sop_code=sop_code,
        period=period,
        title=title or f"{definition.title} — {period}",
        status=InstanceStatus.ACTIVE,
        started_at=at,
        started_by=actor,
        updated_at=at,
    )
    # Someone may have started the same SOP and period a moment ago.
    add_or_conflict(instance, code="duplicate_instance", sop=sop_code, period=period)
    first = _open_task(instance, definition.first_step, at, office_calendar(), previous=0)
    db.session.flush()
    audit.record(
        "instance.started",
        actor=actor,
        object_type="instance",
        object_id=instance.id,
        summary=f"Memulai {instance.title}",
        data={
            "sop": sop_code,
            "sop_version": version.version,
            "period": period,
            "first_task": first.id,
        },
        ip=ip,
        backdated=started_at is not None,
    )
    return instance


def get_task(task_id: int) -> Task:
    """Return task `task_id` or raise 404."""
    task = db.session.get(Task, task_id)
    if task is None:
        raise not_found(Phrase(N_("Task {id}"), id=task_id))
    return task


def get_instance(instance_id: int) -> Instance:
    """Return instance `instance_id` or raise 404."""
    instance = db.session.get(Instance, instance_id)
    if instance is None:
        raise not_found(Phrase(N_("Instance {id}"), id=instance_id))
    return instance


def attached_kinds(task: Task) -> set[str]:
    """Return the document kinds attached to this opening of the step."""
    return set(db.session.scalars(sa.select(Document.kind).filter_by(task_id=task.id)))


def missing_outputs(task: Task, step: Step, attached: set[str] | None = None) -> list[str]:
    """List the step's required outputs not yet attached to this task, in definition order."""
    attached = attached_kinds(task) if attached is None else attached
    return [kind for kind in step.required_outputs if kind not in attached]


def allowed_actions(
    task: Task, user: User, conflicts: dict[int, duties.Conflict] | None = None
) -> tuple[Action, ...]:
    """Say which moves `user` may try on `task` now (the buttons a page may show);
    `conflicts` (duties.conflicts_of) spares a query per card when a board asks for many."""
    if task.status != TaskStatus.OPEN or task.instance.status != InstanceStatus.ACTIVE:
        return ()
    step = step_of(task)
    if not user.has_role(*step.actors):
        return ()
    conflict = duties.conflict_of(task, step, user) if conflicts is None else conflicts.get(task.id)
    if conflict is not None:
        return ()
    signed = step.signed_outputs
    moves: tuple[Action, ...]
    if step.is_decision:
        moves = ("approve", "return")
    elif signed:
        # Signing finishes a step whose output only signing makes (services.signing).
        moves = ("sign",)
    else:
        moves = ("complete",)
    uploadable = any(kind not in signed for kind in step.outputs)
    return moves + (("upload",) if uploadable else ())


def ensure_can_act(
    task: Task,
    step: Step,
    actor: User,
    version: int | None,
    *,
    attempt: str = "move",
    ip: str | None = None,
) -> None:
    """Refuse a move by the wrong role, on a closed task, against a stale version, or by a
    reviewer of his own work (`attempt` names the move for the audit of that refusal)."""
    definition = definition_for(task.instance)
    if not actor.has_role(*step.actors):
        raise DomainError(
            403,
            "forbidden_role",
            details={"actors": list(step.actors)},
            step=step.no,
            step_name=step.name,
            actors=", ".join(definition.actor_names(step.actors)),
        )
    if task.status != TaskStatus.OPEN:
        raise DomainError(409, "task_not_open", task=task.id)
    if task.instance.status != InstanceStatus.ACTIVE:
        raise DomainError(409, "instance_not_active", instance=task.instance_id)
    if version is not None and version != task.version:
        raise DomainError(
            409,
            "stale_version",
            details={"current": task.version, "sent": version},
            current=task.version,
            sent=version,
        )
    held = locked(task)
    duties.ensure_not_self_review(
        task, step, actor, attempt=attempt, ip=ip, history=held.history if held else None
    )


def complete_task(
    task: Task,
    *,
    actor: User,
    note: str | None = None,
    occurred_at: datetime | None = None,
    version: int | None = None,
    ip: str | None = None,
    now: datetime | None = None,
) -> MoveResult:
    """Finish a plain step and open the next one (or complete the instance after the last)."""
    _lock_for_move(task)
    step = step_of(task)
    ensure_can_act(task, step, actor, version)
    if step.is_decision:
        raise DomainError(422, "decision_required", step=step.no)
    result = _move(task, step, TaskOutcome.COMPLETED, actor, note, occurred_at, ip, now)
    if step.signed_outputs:
        # A signing step finished over a scan of the report signed in ink: record it.
        from app.services.paper_signing import record_paper_signature

        record_paper_signature(task, step, actor=actor, ip=ip)
    return result


def decide(
    task: Task,
    *,
    actor: User,
    decision: Literal["approve", "return"],
    note: str | None = None,
    occurred_at: datetime | None = None,
    version: int | None = None,
    ip: str | None = None,
    now: datetime | None = None,
) -> MoveResult:
    """Approve a decision step forward, or return it for correction with the arahan."""
    _lock_for_move(task)
    step = step_of(task)
    ensure_can_act(task, step, actor, version, attempt=decision, ip=ip)
    if not step.is_decision:
        raise DomainError(422, "not_a_decision", step=step.no)
    if decision == "return":
        return return_for_correction(task, step, actor, note, occurred_at, ip, now)
    return _move(task, step, TaskOutcome.APPROVED, actor, note, occurred_at, ip, now)


def return_for_correction(
    task: Task,
    step: Step,
    actor: User,
    note: str | None,
    occurred_at: datetime | None,
    ip: str | None,
    now: datetime | None,
) -> MoveResult:
    """Send a reviewed draft back to the definition's return target, with a required note."""
    if not note or not note.strip():
        raise DomainError(422, "note_required", details={"field": "note"})
    return _move(task, step, TaskOutcome.RETURNED, actor, note, occurred_at, ip, now)


def _move(
    task: Task,
    step: Step,
    outcome: TaskOutcome,
    actor: User,
    note: str | None,
    occurred_at: datetime | None,
    ip: str | None,
    now: datetime | None,
) -> MoveResult:
    now = now or utcnow()
    if occurred_at is not None:
        check_past(occurred_at, now, "invalid_occurred_at", earliest=task.opened_at)
    at = occurred_at or now
    held = _lock_for_move(task)
    if outcome != TaskOutcome.RETURNED:
        missing = missing_outputs(task, step, held.attached)
        if missing:
            raise DomainError(
                422,
                "missing_documents",
                details={"missing": missing},
                step=step.no,
                kinds=", ".join(missing),
            )
    calendar = office_calendar()
    instance = task.instance
    definition = definition_for(instance)

    task.status = TaskStatus.DONE
    task.outcome = outcome
    task.closed_at = at
    task.closed_by = actor
    task.note = note.strip() if note and note.strip() else None
    task.elapsed_minutes = max(0, int((at - task.opened_at).total_seconds() // 60))
    task.working_minutes = calendar.working_minutes_between(task.opened_at, at)
    task.late = at > task.due_at
    task.backdated = occurred_at is not None
    instance.updated_at = at
    if outcome == TaskOutcome.RETURNED:
        instance.returns += 1

    target = step.on_return if outcome == TaskOutcome.RETURNED else step.next
    next_tasks: list[Task] = []
    if target is None:
        instance.status = InstanceStatus.COMPLETED
        instance.completed_at = at
    else:
        # The locked history holds every opening of the step: no other move can add one.
        previous = max((t.iteration for t in held.history if t.step_no == target), default=0)
        next_tasks.append(
            _open_task(instance, definition.step(target), at, calendar, previous=previous)
        )
    # One flush: the closed task, the instance and the opened task.
    _flush_or_conflict(task)
    task_locks.forget(task)
    notify_move(task, outcome, next_tasks, actor, now)

    verb = {"completed": "menyelesaikan", "approved": "menyetujui", "returned": "mengembalikan"}
    audit.record(
        f"task.{outcome.value}",
        actor=actor,
        object_type="task",
        object_id=task.id,
        summary=f"{actor.full_name} {verb[outcome.value]} langkah {step.no} "
        f"(putaran {task.iteration}) pada {instance.title}",
        data={
            "instance_id": instance.id,
            "step_no": step.no,
            "iteration": task.iteration,
            "outcome": outcome.value,
            "note": task.note,
            "occurred_at": at.isoformat(),
            "next_tasks": [t.id for t in next_tasks],
            "instance_completed": target is None,
        },
        ip=ip,
        backdated=task.backdated,
    )
    return MoveResult(task=task, next_tasks=next_tasks, calendar=calendar)


def _lock_for_move(task: Task) -> LockedTask:
    """Wait for any other move of this task to finish and re-read it (`lock_task`), unless
    this transaction locked it already, so the loser of a race sees the task closed."""
    held = locked(task)
    if held is None:
        lock_task(task.id)
        held = locked(task)
    return held


def _flush_or_conflict(task: Task) -> None:
    try:
        db.session.flush()
    except StaleDataError:
        # The optimistic version check caught a move that slipped past the row lock.
        raise DomainError(409, "task_not_open", task=task.id) from None
    except IntegrityError:
        raise DomainError(409, "conflict") from None


def tasks_of_actor(actor: str):
    """A SQL condition matching tasks whose step, in the task's own SOP version, names `actor`
    (the caller joins Task to Instance)."""
    clauses = []
    for version in db.session.scalars(sa.select(SopVersion)):
        numbers = [s.no for s in definition_of(version).steps if actor in s.actors]
        if numbers:
            in_version = Instance.sop_version_id == version.id
            clauses.append(sa.and_(in_version, Task.step_no.in_(numbers)))
    return sa.or_(*clauses) if clauses else sa.false()


def counted_standard(step: Step, calendar: WorkingCalendar, opened: datetime, due: datetime):
    """The mutu baku in working minutes from `opened` to `due`: a minute standard is itself."""
    if step.standard.unit == "minute":
        return step.standard.value
    return calendar.working_minutes_between(opened, due)
