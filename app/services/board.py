"""The kanban board: every open task of every active measurement, in its actor's lane."""

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

import sqlalchemy as sa

from app.extensions import db
from app.models import (
    AuditHead,
    Document,
    Instance,
    InstanceStatus,
    Task,
    TaskOutcome,
    TaskStatus,
    User,
    utcnow,
)
from app.services.deadlines import TimeState, time_state, used_share
from app.services.duties import conflicts_of, self_review_notice
from app.services.routing import Action, allowed_actions, definition_for, step_of, tasks_of_actor
from app.services.sop_definitions import Actor
from app.services.task_views import TaskView, describe_tasks


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
    # The latest return of the measurement before this round opened: its note is the arahan
    # (who returned it, when, from which review). None on a first round.
    arahan: Task | None = None
    # A review's document under review: the latest version of each output of the step the
    # definition says it reviews.
    reviewed_documents: tuple[sa.Row, ...] = ()
    # The latest version of each of the step's inputs the measurement already holds.
    input_documents: dict[str, sa.Row] = field(default_factory=dict)

    # Each counted once a card: the template reads them more than once.
    @cached_property
    def missing_uploads(self) -> list[str]:
        """The missing outputs someone must still provide (upload or generate)."""
        signed = self.view.step.signed_outputs
        return [kind for kind in self.view.missing_outputs if kind not in signed]

    @cached_property
    def made_by_signing(self) -> list[str]:
        """The missing outputs that signing the step makes: not missing, only not yet made."""
        signed = self.view.step.signed_outputs
        return [kind for kind in self.view.missing_outputs if kind in signed]

    @cached_property
    def used_share(self) -> float:
        """How much of the mutu baku is used, 0..1 (capped for drawing)."""
        return used_share(self.view.working_minutes, self.view.standard_minutes)

    @cached_property
    def meter_now(self) -> int:
        """The time bar's value: the working minutes used, at most the mutu baku."""
        return min(self.view.working_minutes, self.view.standard_minutes)

    @cached_property
    def fill_width(self) -> int:
        """The bar's width in steps of 5 % (a class: the CSP allows no style attribute)."""
        return round(self.used_share * 20) * 5

    @cached_property
    def urgency(self) -> TimeState:
        """ "late", "near" or "ok": the colour of the card's time bar."""
        return time_state(
            self.view.working_minutes, self.view.standard_minutes, late=self.view.overdue
        )


@dataclass
class Column:
    actor: Actor
    # The cards shown: the first `lane_cap` of the lane unless the lane is expanded.
    cards: list[Card] = field(default_factory=list)
    # Every open task of the lane under the filters, shown or not (the lane header's count).
    total: int = 0
    shown_tasks: list[Task] = field(default_factory=list, repr=False)

    @property
    def hidden(self) -> int:
        """How many of the lane's cards wait behind its *show more*."""
        return self.total - len(self.cards)


@dataclass
class Board:
    columns: list[Column]
    instances: list[Instance]
    filters: BoardFilters
    total_open: int
    # The earliest due time after the render's "now" among the cards shown: a card turns red
    # then, so a render kept for later is good only until this instant.
    next_due: datetime | None = None


def change_marker() -> str:
    """A text that changes whenever anything on any board may have changed, in one query: the
    id of the newest audit event (every state change writes one) and the start of its chain
    hash, so that a database put back to an earlier state (a restore, a test's fresh copy)
    reaches the same id with another marker; and the open tasks' count and summed versions,
    which an edit of a task outside the services (a repair script, a test) changes too."""
    is_open = Task.status == TaskStatus.OPEN
    event_id, event_hash, count, versions = db.session.execute(
        sa.select(
            sa.select(AuditHead.last_event_id).where(AuditHead.id == 1).scalar_subquery(),
            sa.select(AuditHead.last_hash).where(AuditHead.id == 1).scalar_subquery(),
            sa.select(sa.func.count(Task.id)).where(is_open).scalar_subquery(),
            sa.select(sa.func.coalesce(sa.func.sum(Task.version), 0))
            .where(is_open)
            .scalar_subquery(),
        )
    ).one()
    return f"{event_id or 0}.{(event_hash or '')[:16]}.{count}.{versions}"


def build_board(
    user: User,
    actors: Sequence[Actor],
    filters: BoardFilters,
    now: datetime | None = None,
    lane_cap: int | None = None,
    expanded: Collection[str] = (),
) -> Board:
    """Lay out the open tasks of active measurements in the lanes of `actors`, at most
    `lane_cap` cards a lane except in the `expanded` lanes (codes; "all" expands every one)."""
    now = now or utcnow()
    active = list(
        db.session.scalars(
            sa.select(Instance)
            .where(Instance.status == InstanceStatus.ACTIVE)
            .order_by(Instance.period, Instance.id)
        )
    )
    tasks = _open_tasks(user, filters, now)
    # The user's own lanes first (on a phone the lanes stack: his work is at the top).
    own = [actor for actor in actors if actor.code in user.roles]
    columns = [Column(actor) for actor in own + [a for a in actors if a not in own]]
    shown = _capped_lanes(tasks, columns, lane_cap, expanded)
    # Only the shown cards are described: the hidden ones cost no clock and no markup.
    views = describe_tasks(shown, now)
    conflicts = conflicts_of(shown, user)
    returns = _returns_by_instance(views)
    documents = _latest_documents(views)
    lanes = {task.id: column for column in columns for task in column.shown_tasks}
    for view in views:
        lane = lanes[view.task.id]
        conflict = conflicts.get(view.task.id)
        held = documents.get(view.task.instance_id, {})
        lane.cards.append(
            Card(
                view=view,
                actions=allowed_actions(view.task, user, conflicts),
                self_review=conflict and self_review_notice(view.task, view.step, conflict),
                arahan=_arahan_of(view.task, returns.get(view.task.instance_id, [])),
                reviewed_documents=tuple(
                    held[kind] for kind in _reviewed_kinds(view) if kind in held
                ),
                input_documents={k: held[k] for k in view.step.inputs if k in held},
            )
        )
    upcoming = [task.due_at for task in shown if task.due_at >= now]
    return Board(
        columns=columns,
        instances=active,
        filters=filters,
        total_open=len(tasks),
        next_due=min(upcoming, default=None),
    )


def _open_tasks(user: User, filters: BoardFilters, now: datetime) -> Sequence[Task]:
    """The open tasks of active measurements under `filters`, the earliest due first."""
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
    return db.session.scalars(query).unique().all()


def _capped_lanes(
    tasks: Sequence[Task], columns: list[Column], cap: int | None, expanded: Collection[str]
) -> list[Task]:
    """Sort `tasks` into their lanes (counting each lane's total) and answer the ones shown,
    in the order they came; each column remembers its shown tasks."""
    by_code = {column.actor.code: column for column in columns}
    shown = []
    for task in tasks:
        lane = by_code.get(step_of(task).actors[0])
        if lane is None:
            # A step of another SOP version whose actor this board has no lane for.
            lane = columns[-1]
        lane.total += 1
        open_lane = cap is None or "all" in expanded or lane.actor.code in expanded
        if open_lane or len(lane.shown_tasks) < cap:
            lane.shown_tasks.append(task)
            shown.append(task)
    return shown


def _reviewed_kinds(view: TaskView) -> tuple[str, ...]:
    """The document kinds a review card reviews: the outputs of the step it `reviews`."""
    if view.step.reviews is None:
        return ()
    definition = definition_for(view.task.instance)
    return definition.step(view.step.reviews).outputs


def _returns_by_instance(views: Sequence[TaskView]) -> dict[int, list[Task]]:
    """Every returned task of the instances of later rounds on the board, oldest first."""
    ids = {view.task.instance_id for view in views if view.task.iteration > 1}
    found: dict[int, list[Task]] = {}
    if not ids:
        return found
    for task in db.session.scalars(
        sa.select(Task)
        .where(Task.instance_id.in_(ids), Task.outcome == TaskOutcome.RETURNED)
        .order_by(Task.id)
    ):
        found.setdefault(task.instance_id, []).append(task)
    return found


def _arahan_of(task: Task, returns: list[Task]) -> Task | None:
    """The return that opened this round: the measurement's latest before the task opened."""
    if task.iteration < 2:
        return None
    earlier = [returned for returned in returns if returned.id < task.id]
    return earlier[-1] if earlier else None


def _latest_documents(views: Sequence[TaskView]) -> dict[int, dict[str, sa.Row]]:
    """The latest version of each document kind the cards link, per instance, in one query:
    only the id, kind and version a card shows (no document object and its uploader)."""
    kinds = {kind for view in views for kind in (*view.step.inputs, *_reviewed_kinds(view))}
    ids = {view.task.instance_id for view in views}
    latest: dict[int, dict[str, sa.Row]] = {}
    if not kinds or not ids:
        return latest
    for document in db.session.execute(
        sa.select(Document.id, Document.instance_id, Document.kind, Document.version)
        .where(Document.instance_id.in_(ids), Document.kind.in_(sorted(kinds)))
        .order_by(Document.instance_id, Document.version, Document.id)
    ):
        latest.setdefault(document.instance_id, {})[document.kind] = document
    return latest
