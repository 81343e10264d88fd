"""Locking a task for a move: one statement reads what the move judges from, under the lock.

The loser of two simultaneous moves waits on the lock (a row lock on PostgreSQL; SQLite's
BEGIN IMMEDIATE serialises writers already) and then reads the task closed. What the read
brought is kept for the rest of the transaction (app.services.persistence.transaction_scoped),
so the move does not read it again.
"""

from dataclasses import dataclass
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import lazyload

from app.errors import Phrase, not_found
from app.extensions import db
from app.i18n import N_
from app.models import Document, Task
from app.services import audit
from app.services.office_calendar import days_off_version_columns, expect_days_off_version
from app.services.persistence import transaction_scoped


@dataclass(frozen=True)
class LockedTask:
    """What one statement read of a task locked for a move: every task of its instance (the
    history the separation of duties and the next iteration are judged from) and the kinds
    of document attached to the task."""

    history: list[Task]
    attached: set[str]


LOCKED = "task_locks"
# Joins the attached kinds into one column; no document kind holds this control character.
KIND_SEPARATOR = "\x1f"


@cache
def _locked_read() -> sa.Select:
    """The lock's statement for any task (`task_id` bound at execution), built once per
    process: building a statement and its cache key costs more than its round trip."""
    task_id = sa.bindparam("task_id")
    instance_of = sa.select(Task.instance_id).where(Task.id == task_id).scalar_subquery()
    kinds = (
        sa.select(sa.func.aggregate_strings(Document.kind, KIND_SEPARATOR))
        .where(Document.task_id == task_id)
        .scalar_subquery()
    )
    return (
        sa.select(Task, kinds, audit.head_hash_column(), *days_off_version_columns())
        .where(Task.instance_id == instance_of)
        .order_by(Task.id)
        .options(lazyload(Task.closed_by))
        .with_for_update(of=Task)
        .execution_options(populate_existing=True)
    )


def lock_task(task_id: int) -> Task:
    """Return task `task_id` locked for a move in this transaction, or raise 404.

    One statement: the tasks of its instance (with the instance and its SOP version), locked
    on PostgreSQL (SQLite serialises writers already), re-read over whatever the session
    held, with the task's attached kinds, the audit chain's head and the days off's version
    (the move's calendar). The loser of a race waits here and then sees the task closed."""
    rows = db.session.execute(_locked_read(), {"task_id": task_id}).all()
    task = next((row[0] for row in rows if row[0].id == task_id), None)
    if task is None:
        raise not_found(Phrase(N_("Task {id}"), id=task_id))
    _, joined_kinds, head, days_off_version, days_off_changed = rows[0]
    audit.expect_head(head)
    expect_days_off_version(days_off_version, days_off_changed)
    attached = set(joined_kinds.split(KIND_SEPARATOR)) if joined_kinds else set()
    transaction_scoped(LOCKED)[task_id] = LockedTask([row[0] for row in rows], attached)
    return task


def note_attached(task: Task, kind: str) -> None:
    """Count a document of `kind` just attached to `task` with what its lock read, if this
    transaction locked it (signing stores the signed report between its lock and its move;
    a test may attach after a refused move): the move then sees it without reading again."""
    held = locked(task)
    if held is not None:
        held.attached.add(kind)


def locked(task: Task) -> LockedTask | None:
    """What `lock_task` read of `task` in this transaction, if it locked it."""
    return transaction_scoped(LOCKED).get(task.id)


def forget(task: Task) -> None:
    """Forget what the lock read of `task` once a move changed it: a later move in the same
    transaction (the demo makes many) locks and reads again."""
    transaction_scoped(LOCKED).pop(task.id, None)
