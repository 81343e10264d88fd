"""The reminders the clock makes: due soon (NEAR_LIMIT_SHARE of the standard used), overdue,
and escalated when overdue by the whole standard again, once per level of the
definition's `escalates_to:` chain (the Sekcam, then the Camat)."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from app.extensions import db
from app.models import Instance, InstanceStatus, NotificationKind, Task, TaskStatus
from app.services import routing, task_views
from app.services.deadlines import is_near_limit
from app.services.reminders import messages
from app.services.reminders.recording import recipients, record
from app.services.sop_definitions import SopDefinition


@dataclass(frozen=True)
class Due:
    """One reminder the clock says is due: its kind, level and the roles it goes to."""

    kind: NotificationKind
    roles: tuple[str, ...]
    level: int = 0


def escalation_chain(definition: SopDefinition, actors: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The roles of each escalation level of a step done by `actors`: level 1 is whom their
    `escalates_to:` names, level 2 whom those name, and so on; a role already reached (the
    step's own actors included) ends the chain, so the Camat's late task goes to the Sekcam
    and no further."""
    seen, frontier, levels = set(actors), actors, []
    while True:
        targets = []
        for code in frontier:
            actor = definition.actor(code)
            target = actor.escalates_to if actor else None
            if target and target not in seen and target not in targets:
                targets.append(target)
        if not targets:
            return levels
        levels.append(tuple(targets))
        seen.update(targets)
        frontier = tuple(targets)


def due_reminders(view: task_views.TaskView, definition: SopDefinition) -> list[Due]:
    """What the clock says is due for an open task described by `view`."""
    actors = view.step.actors
    if not view.overdue:
        near = is_near_limit(view.working_minutes, view.standard_minutes)
        return [Due(NotificationKind.DUE_SOON, actors)] if near else []
    found = [Due(NotificationKind.OVERDUE, actors)]
    standard = view.standard_minutes
    for level, roles in enumerate(escalation_chain(definition, actors), start=1):
        if standard <= 0 or view.working_minutes < (level + 1) * standard:
            break
        found.append(Due(NotificationKind.ESCALATED, roles, level))
    return found


def _open_tasks() -> list[Task]:
    return list(
        db.session.scalars(
            sa.select(Task)
            .join(Instance, Task.instance_id == Instance.id)
            .where(Task.status == TaskStatus.OPEN, Instance.status == InstanceStatus.ACTIVE)
            .order_by(Task.id)
        )
    )


def record_due_reminders(now: datetime) -> int:
    """Record every reminder the clock makes due by `now` for the open tasks (those already
    recorded stay as they are); answer how many rows are new. The caller commits."""
    new = 0
    for view in task_views.describe_tasks(_open_tasks(), now):
        task = view.task
        definition = routing.definition_for(task.instance)
        for due in due_reminders(view, definition):
            actors = ", ".join(definition.actor_names(view.step.actors))
            message = messages.line(due.kind, task, view.step, actors=actors, level=str(due.level))
            # Escalation goes to the reviewers above, whoever did the round before.
            redo = task if due.kind != NotificationKind.ESCALATED else None
            new += record(
                task, due.kind, message, recipients(due.roles, redo_of=redo), now, due.level
            )
    return new
