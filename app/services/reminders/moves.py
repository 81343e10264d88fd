"""The reminders a move makes: returned to whoever redoes the step, a review waiting for
its reviewer. One INSERT … SELECT per move, in the move's transaction."""

from datetime import datetime

from app.models import NotificationKind, Task, TaskOutcome, User
from app.services.reminders import messages
from app.services.reminders.recording import recipients, record
from app.services.sop_definitions import definition_of


def notify_move(
    task: Task, outcome: TaskOutcome, next_tasks: list[Task], actor: User, at: datetime
) -> None:
    """Tell the people of the task a move opened what waits for them (nothing after the last
    step, nor for a plain step opened forward: the board and the clock's reminders do)."""
    if not next_tasks:
        return
    (opened,) = next_tasks
    step = definition_of(opened.instance.sop_version).step(opened.step_no)
    if outcome == TaskOutcome.RETURNED:
        kind = NotificationKind.RETURNED
    elif step.is_decision:
        kind = NotificationKind.REVIEW_WAITING
    else:
        return
    message = messages.line(kind, opened, step, note=task.note or "")
    who = recipients(step.actors, redo_of=opened, exclude=actor.id)
    record(opened, kind, message, who, at)
