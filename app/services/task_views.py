"""What readers see of tasks: the stored facts plus what the definition and the clock say
(the board, the API's task and instance answers, the timeline, the reports, reminders)."""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from app.extensions import db
from app.models import Document, Instance, Task, TaskStatus, utcnow
from app.services.calendar import WorkingCalendar
from app.services.office_calendar import days_off_changed_at, office_calendar
from app.services.routing import (
    CLOCK_SKEW,
    MoveResult,
    counted_standard,
    definition_for,
    missing_outputs,
)
from app.services.sop_definitions import Step


@dataclass(slots=True)
class TaskView:
    """A task as readers see it: the stored facts plus what the definition and clock say.
    Not frozen, though nobody changes one: a frozen dataclass costs four times as much to
    make, and a board makes hundreds."""

    task: Task
    step: Step
    actor_names: list[str]
    missing_outputs: list[str]
    working_minutes: int
    elapsed_minutes: int
    # The mutu baku as working minutes from the opening (a day standard varies with the calendar).
    standard_minutes: int
    overdue: bool
    # Years without a holiday list between the opening and the due time: the due time was
    # counted as if they had no days off.
    calendar_unknown_years: tuple[int, ...] = ()

    @property
    def closed_by(self) -> str | None:
        return self.task.closed_by.username if self.task.closed_by else None

    @property
    def late(self) -> bool | None:
        return self.task.late


def _standard_minutes(
    task: Task, step: Step, calendar: WorkingCalendar, days_off_changed: datetime | None
) -> int:
    """The mutu baku in working minutes: a minute standard is itself; a day standard is the
    working time to the stored due time (a day off added since then shortens it). The count
    stored at the opening stands while the holiday lists are unchanged since
    (`days_off_changed`: when they last changed); a change (or one within the clock skew an
    opening may claim) counts it again, as every reader did."""
    if step.standard.unit == "minute":
        return step.standard.value
    stored = task.standard_minutes
    if stored is not None and (
        days_off_changed is None or days_off_changed < task.opened_at - CLOCK_SKEW
    ):
        return stored
    return counted_standard(step, calendar, task.opened_at, task.due_at)


# Built once: the board asks it on every render.
_ATTACHED = sa.select(Document.task_id, Document.kind).where(
    Document.task_id.in_(sa.bindparam("tasks", expanding=True))
)


_NONE: frozenset[str] = frozenset()


def _attached_kinds(tasks: Sequence[Task]) -> dict[int, set[str]]:
    """The document kinds attached to each open task of `tasks`, in one query."""
    open_ids = [t.id for t in tasks if t.status == TaskStatus.OPEN]
    attached: dict[int, set[str]] = defaultdict(set)
    if open_ids:
        for task_id, kind in db.session.execute(_ATTACHED, {"tasks": open_ids}):
            attached[task_id].add(kind)
    return attached


def describe_tasks(
    tasks: Sequence[Task],
    now: datetime | None = None,
    *,
    calendar: WorkingCalendar | None = None,
    attached: Mapping[int, set[str]] | None = None,
) -> list[TaskView]:
    """Describe tasks for display with a fixed number of queries, however many there are
    (none when the caller has the `calendar` and the open tasks' `attached` kinds, by task
    id: read already, or none for tasks it knows are new)."""
    now = now or utcnow()
    if attached is None:
        attached = _attached_kinds(tasks)
    calendar = calendar or office_calendar()
    # Read once for all the tasks (it is this transaction's, and free once read).
    days_off_changed = days_off_changed_at() if tasks else None
    views = []
    for task in tasks:
        definition = definition_for(task.instance)
        step = definition.step(task.step_no)
        is_open = task.status == TaskStatus.OPEN
        views.append(
            TaskView(
                task=task,
                step=step,
                actor_names=definition.actor_names(step.actors),
                missing_outputs=(
                    missing_outputs(task, step, attached.get(task.id, _NONE)) if is_open else []
                ),
                working_minutes=(
                    calendar.working_minutes_between(task.opened_at, now)
                    if is_open
                    else task.working_minutes or 0
                ),
                standard_minutes=_standard_minutes(task, step, calendar, days_off_changed),
                elapsed_minutes=(
                    max(0, int((now - task.opened_at).total_seconds() // 60))
                    if is_open
                    else task.elapsed_minutes or 0
                ),
                overdue=is_open and now > task.due_at,
                calendar_unknown_years=calendar.unknown_years(task.opened_at, task.due_at),
            )
        )
    return views


def describe_move(result: MoveResult, now: datetime | None = None) -> list[TaskView]:
    """Describe a move's closed task and the tasks it opened, from what the move holds: the
    tasks it opened are new, so no document is attached to them yet."""
    return describe_tasks(
        [result.task, *result.next_tasks], now, calendar=result.calendar, attached={}
    )


@dataclass(frozen=True)
class InstanceDetail:
    """An instance with its whole task history described for readers."""

    instance: Instance
    tasks: list[TaskView]

    def __getattr__(self, name: str):
        return getattr(self.instance, name)

    @property
    def open_tasks(self) -> list[TaskView]:
        return [view for view in self.tasks if view.task.status == TaskStatus.OPEN]


def instance_detail(instance: Instance, now: datetime | None = None) -> InstanceDetail:
    """Describe an instance with every task it has had, oldest first."""
    return InstanceDetail(instance=instance, tasks=describe_tasks(instance.tasks, now))


def timeline(instance: Instance, now: datetime | None = None) -> dict:
    """Compare each task's working time with its mutu baku, and total them."""
    rows = []
    for view in describe_tasks(instance.tasks, now):
        task = view.task
        rows.append(
            {
                "task_id": task.id,
                "step_no": task.step_no,
                "step_name": view.step.name,
                "iteration": task.iteration,
                "outcome": task.outcome,
                "standard": view.step.standard,
                "standard_minutes": view.standard_minutes,
                "working_minutes": view.working_minutes,
                "elapsed_minutes": view.elapsed_minutes,
                "opened_at": task.opened_at,
                "closed_at": task.closed_at,
                "due_at": task.due_at,
                "late": task.late,
                "overdue": view.overdue,
            }
        )
    totals = {
        "standard_minutes": sum(r["standard_minutes"] for r in rows),
        "working_minutes": sum(r["working_minutes"] for r in rows),
        "elapsed_minutes": sum(r["elapsed_minutes"] for r in rows),
        "returns": instance.returns,
        "late_tasks": sum(1 for r in rows if r["late"] or r["overdue"]),
    }
    return {"instance_id": instance.id, "rows": rows, "totals": totals}
