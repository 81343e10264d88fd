"""The kanban board: every open task of every active measurement, in its actor's lane."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditHead, Instance, InstanceStatus, Task, TaskStatus, User, utcnow
from app.services.deadlines import TimeState, time_state, used_share
from app.services.duties import conflicts_of, self_review_notice
from app.services.routing import (
    Action,
    TaskView,
    allowed_actions,
    describe_tasks,
    tasks_of_actor,
)
from app.services.sop_definitions import Actor


@dataclass(frozen=True)
class BoardFilters:
    mine: bool = False
    instance_id: int | None = None
    overdue_only: bool = False


@dataclass(frozen=True)
class Card:
    view: TaskView
    actions: tuple[Action, ...]
    # Why a holder of the step's role may not decide this review (separation of duties).
    self_review: str | None = None

    @property
    def used_share(self) -> float:
        """How much of the mutu baku is used, 0..1 (capped for drawing)."""
        return used_share(self.view.working_minutes, self.view.standard_minutes)

    @property
    def urgency(self) -> TimeState:
        """ "late", "near" or "ok": the colour of the card's time bar."""
        return time_state(
            self.view.working_minutes, self.view.standard_minutes, late=self.view.overdue
        )


@dataclass
class Column:
    actor: Actor
    cards: list[Card] = field(default_factory=list)


@dataclass
class Board:
    columns: list[Column]
    instances: list[Instance]
    filters: BoardFilters
    total_open: int


def change_marker() -> int:
    """A number that changes whenever anything on any board may have changed: the id of the
    newest audit event (every state change writes one)."""
    return db.session.scalar(sa.select(AuditHead.last_event_id)) or 0


def build_board(
    user: User,
    actors: Sequence[Actor],
    filters: BoardFilters,
    now: datetime | None = None,
) -> Board:
    """Lay out the open tasks of active measurements in the lanes of `actors`."""
    now = now or utcnow()
    active = list(
        db.session.scalars(
            sa.select(Instance)
            .where(Instance.status == InstanceStatus.ACTIVE)
            .order_by(Instance.period, Instance.id)
        )
    )
    query = (
        sa.select(Task)
        .join(Task.instance)
        .where(Task.status == TaskStatus.OPEN, Instance.status == InstanceStatus.ACTIVE)
        .order_by(Task.due_at, Task.id)
    )
    if filters.instance_id is not None:
        query = query.where(Task.instance_id == filters.instance_id)
    if filters.overdue_only:
        query = query.where(Task.due_at < now)
    if filters.mine:
        query = query.where(sa.or_(*(tasks_of_actor(role) for role in sorted(user.roles))))
    views = describe_tasks(db.session.scalars(query).unique().all(), now)
    columns = [Column(actor) for actor in actors]
    by_code = {column.actor.code: column for column in columns}
    conflicts = conflicts_of([view.task for view in views], user)
    for view in views:
        lane = by_code.get(view.step.actors[0])
        if lane is None:
            # A step of another SOP version whose actor this board has no lane for.
            lane = columns[-1]
        conflict = conflicts.get(view.task.id)
        lane.cards.append(
            Card(
                view=view,
                actions=allowed_actions(view.task, user, conflicts),
                self_review=conflict and self_review_notice(view.task, view.step, conflict),
            )
        )
    return Board(columns=columns, instances=active, filters=filters, total_open=len(views))
