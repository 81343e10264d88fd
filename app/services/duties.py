"""Separation of duties: nobody decides a review of his own work, nor reviews it twice.

A decision step names the step whose work it reviews (`reviews:` in the definition). In one
round of that work (since its latest completion) the user who finished it, and any user who
already approved an earlier review of it, may not decide this one: a user holding anggota
and sekcam cannot approve his own recap, and one holding sekcam and camat cannot approve it
twice. A return opens the reviewed step again, so the next round is judged afresh. Versions
of a definition without `reviews:` have no such check.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import sqlalchemy as sa

from app.errors import DomainError, Phrase
from app.extensions import db
from app.i18n import N_
from app.models import Task, TaskOutcome, TaskStatus, User
from app.services import audit
from app.services.sop_definitions import SopDefinition, Step, definition_of

Reason = Literal["completed", "approved"]
# The outcomes of work a reviewer may have done himself.
DECIDED = (TaskOutcome.COMPLETED, TaskOutcome.APPROVED)


@dataclass(frozen=True)
class Conflict:
    """Why a user may not decide a review: the task of this round he closed himself."""

    reviewed_step: int
    # The task (or its row: only its id and step number are read) he closed.
    by_task: Task | sa.Row
    reason: Reason

    def error(self, task: Task, step: Step, definition: SopDefinition) -> DomainError:
        """The refusal (403 `self_review`), naming the step he did and who must decide."""
        finished = self.reason == "completed"
        return DomainError(
            403,
            "self_review",
            details={
                "reviewed_step": self.reviewed_step,
                "by_task": self.by_task.id,
                "by_step": self.by_task.step_no,
                "reason": self.reason,
            },
            step=step.no,
            by_step=self.by_task.step_no,
            verb=Phrase(N_("finished") if finished else N_("approved")),
            actors=", ".join(definition.actor_names(step.actors)),
            task=task.id,
        )


def _conflict(task: Task, step: Step, user: User, done: Sequence[Task | sa.Row]) -> Conflict | None:
    """Judge `user` on `task` from the closed tasks `done` of its instance (tasks or rows of
    their id, step number, outcome and closer)."""
    if step.reviews is None:
        return None
    completions = [
        t
        for t in done
        if t.step_no == step.reviews and t.outcome == TaskOutcome.COMPLETED and t.id < task.id
    ]
    if not completions:
        return None
    reviewed = max(completions, key=lambda t: t.id)
    if reviewed.closed_by_id == user.id:
        return Conflict(step.reviews, reviewed, "completed")
    definition = definition_of(task.instance.sop_version)
    siblings = {s.no for s in definition.steps if s.reviews == step.reviews and s.no != step.no}
    earlier = [
        t
        for t in done
        if t.step_no in siblings
        and t.outcome == TaskOutcome.APPROVED
        and t.closed_by_id == user.id
        and reviewed.id < t.id < task.id
    ]
    return Conflict(step.reviews, min(earlier, key=lambda t: t.id), "approved") if earlier else None


# Built once: a board asks it on every render.
_CLOSED_TASKS = sa.select(
    Task.id, Task.instance_id, Task.step_no, Task.outcome, Task.closed_by_id
).where(
    Task.instance_id.in_(sa.bindparam("instances", expanding=True)),
    Task.step_no.in_(sa.bindparam("steps", expanding=True)),
    Task.status == TaskStatus.DONE,
    Task.outcome.in_(DECIDED),
)


def _judged_steps(task: Task, step: Step) -> set[int]:
    """The steps whose closed tasks judge a decision of `step`: the step it reviews and the
    other reviews of that step."""
    definition = definition_of(task.instance.sop_version)
    return {step.reviews, *(s.no for s in definition.steps if s.reviews == step.reviews)}


def _closed_tasks(instance_ids: set[int], steps: set[int]) -> dict[int, list[sa.Row]]:
    """The completed and approved tasks of `steps` of these instances, by instance, in one
    query: as rows of only what a judgement reads (a board's hundreds of instances hold
    thousands of closed tasks; loading each as a Task with its instance and closer cost a
    quarter of the board's render)."""
    by_instance: dict[int, list[sa.Row]] = defaultdict(list)
    bound = {"instances": sorted(instance_ids), "steps": sorted(steps)}
    for task in db.session.execute(_CLOSED_TASKS, bound):
        by_instance[task.instance_id].append(task)
    return by_instance


def conflict_of(
    task: Task, step: Step, user: User, history: Sequence[Task] | None = None
) -> Conflict | None:
    """Say why `user` may not decide `task` (a decision that reviews another step's work),
    or None when he may; `history`, every task of its instance when the caller holds them
    (a move locked them), spares the query."""
    if step.reviews is None:
        return None
    if history is None:
        done = _closed_tasks({task.instance_id}, _judged_steps(task, step))[task.instance_id]
    else:
        done = [t for t in history if t.status == TaskStatus.DONE and t.outcome in DECIDED]
    return _conflict(task, step, user, done)


def conflicts_of(tasks: Sequence[Task], user: User) -> dict[int, Conflict]:
    """The conflicts of `user` on many tasks at once, by task id, with one query (the board)."""
    candidates = []
    for task in tasks:
        step = definition_of(task.instance.sop_version).step(task.step_no)
        if step.reviews is not None and user.has_role(*step.actors):
            candidates.append((task, step))
    if not candidates:
        return {}
    done = _closed_tasks(
        {task.instance_id for task, _ in candidates},
        set().union(*(_judged_steps(task, step) for task, step in candidates)),
    )
    found = {
        task.id: _conflict(task, step, user, done[task.instance_id]) for task, step in candidates
    }
    return {task_id: conflict for task_id, conflict in found.items() if conflict is not None}


def ensure_not_self_review(
    task: Task,
    step: Step,
    actor: User,
    *,
    attempt: str,
    ip: str | None = None,
    history: Sequence[Task] | None = None,
) -> None:
    """Refuse (403 `self_review`) a reviewer who did the work under review in this round,
    keeping an audit event of the attempt although the request fails."""
    conflict = conflict_of(task, step, actor, history)
    if conflict is None:
        return
    definition = definition_of(task.instance.sop_version)
    verb = "menyelesaikan" if conflict.reason == "completed" else "menyetujui"
    audit.record(
        "task.self_review_refused",
        actor=actor,
        object_type="task",
        object_id=task.id,
        summary=f"{actor.full_name} ditolak memutuskan langkah {step.no} (putaran "
        f"{task.iteration}) pada {task.instance.title}: ia sendiri {verb} langkah "
        f"{conflict.by_task.step_no} pada putaran ini",
        data={
            "instance_id": task.instance_id,
            "step_no": step.no,
            "iteration": task.iteration,
            "attempt": attempt,
            "reviewed_step": conflict.reviewed_step,
            "by_task": conflict.by_task.id,
            "by_step": conflict.by_task.step_no,
            "reason": conflict.reason,
        },
        ip=ip,
    )
    error = conflict.error(task, step, definition)
    error.keep_changes = True
    raise error


def self_review_notice(task: Task, step: Step, conflict: Conflict) -> str:
    """The Indonesian sentence a card shows a holder of the step's role who may not decide it."""
    return conflict.error(task, step, definition_of(task.instance.sop_version)).message("id")
