"""The kanban board: every open task of every active measurement, in its actor's lane."""

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa

from app.database import read_rows
from app.extensions import db
from app.models import (
    AuditHead,
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
from app.services.deadlines import TimeState, time_state, used_share
from app.services.duties import conflicts_of, self_review_notice
from app.services.office_calendar import days_off_version_columns, expect_days_off_version
from app.services.routing import Action, allowed_actions, definition_for, step_of, tasks_of_actor
from app.services.sop_definitions import Actor
from app.services.task_views import TaskView, describe_tasks


@dataclass(frozen=True)
class BoardFilters:
    mine: bool = False
    instance_id: int | None = None
    overdue_only: bool = False


@dataclass(slots=True)
class Card:
    """What a card shows of one task, every figure computed once: the template reads plain
    fields (on a board of hundreds of cards a computed property read from Jinja, each time,
    was a large share of the render)."""

    view: TaskView
    actions: tuple[Action, ...]
    # Why a holder of the step's role may not decide this review (separation of duties).
    self_review: str | None
    # The latest return of the measurement before this round opened: its note is the arahan
    # (who returned it, when, from which review). None on a first round.
    arahan: Task | None
    # A review's document under review: the latest version of each output of the step the
    # definition says it reviews.
    reviewed_documents: tuple[sa.Row, ...]
    # The latest version of each of the step's inputs the measurement already holds.
    input_documents: dict[str, sa.Row]
    # The missing outputs someone must still provide (upload or generate).
    missing_uploads: list[str]
    # The missing outputs that signing the step makes: not missing, only not yet made.
    made_by_signing: list[str]
    # The upload form's choices: the missing outputs first, then the step's others (a newer
    # version of one), never one only signing makes.
    upload_kinds: list[str]
    # The time bar: its value (the working minutes used, at most the mutu baku), its width
    # in steps of 5 % (a class: the CSP allows no style attribute) and its colour.
    meter_now: int
    fill_width: int
    urgency: TimeState
    # On a signing card: the newest scan of the report signed in ink, if one is recorded.
    paper_scan: Document | None = None

    @classmethod
    def of(cls, view: TaskView, actions: tuple[Action, ...], **shown) -> "Card":
        """The card of `view`, with the documents, arahan and self-review note `shown`."""
        step = view.step
        signed = step.signed_outputs
        missing = view.missing_outputs
        worked, standard = view.working_minutes, view.standard_minutes
        first = [kind for kind in missing or step.outputs if kind not in signed]
        rest = [kind for kind in step.outputs if kind not in missing and kind not in signed]
        return cls(
            view=view,
            actions=actions,
            missing_uploads=[kind for kind in missing if kind not in signed],
            made_by_signing=[kind for kind in missing if kind in signed],
            upload_kinds=first + rest if missing else first,
            meter_now=min(worked, standard),
            fill_width=round(used_share(worked, standard) * 20) * 5,
            urgency=time_state(worked, standard, late=view.overdue),
            **shown,
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
    # The active measurements (their ids and periods), for the filter.
    instances: "list[BoardInstance] | list[sa.Row]"
    filters: BoardFilters
    total_open: int
    # The earliest due time after the render's "now" among the cards shown: a card turns red
    # then, so a render kept for later is good only until this instant.
    next_due: datetime | None = None


_IS_OPEN = Task.status == TaskStatus.OPEN
# The board's statements, built once: building a select costs more than running it on a
# small board. Each run binds its values.
# What the change marker is made of, as columns of one select: a page that reads more in
# the same statement (the board, with its page round's data) selects these first.
CHANGE_MARKER_COLUMNS = (
    sa.select(AuditHead.last_event_id).where(AuditHead.id == 1).scalar_subquery(),
    sa.select(AuditHead.last_hash).where(AuditHead.id == 1).scalar_subquery(),
    sa.select(sa.func.count(Task.id)).where(_IS_OPEN).scalar_subquery(),
    sa.select(sa.func.coalesce(sa.func.sum(Task.version), 0)).where(_IS_OPEN).scalar_subquery(),
    *days_off_version_columns(),
)
_ACTIVE_INSTANCES = (
    sa.select(Instance.id, Instance.period)
    .where(Instance.status == InstanceStatus.ACTIVE)
    .order_by(Instance.period, Instance.id)
)
_OPEN_TASKS = (
    sa.select(
        Task.id,
        Task.instance_id,
        Task.step_no,
        Task.iteration,
        Task.opened_at,
        Task.due_at,
        Task.standard_minutes,
        Task.version,
        Instance.period,
        Instance.sop_version_id,
        SopVersion.content_sha256,
    )
    .join(Task.instance)
    .join(Instance.sop_version)
    .where(_IS_OPEN, Instance.status == InstanceStatus.ACTIVE)
    .order_by(Task.due_at, Task.id)
)
_RETURNED = (
    sa.select(Task)
    .where(
        Task.instance_id.in_(sa.bindparam("instances", expanding=True)),
        Task.outcome == TaskOutcome.RETURNED,
    )
    .order_by(Task.id)
)
_PAPER_SCANS = (
    sa.select(Document)
    .where(
        Document.task_id.in_(sa.bindparam("tasks", expanding=True)),
        Document.signed_on_paper.is_(True),
    )
    .order_by(Document.task_id, Document.version)
)
_DOCUMENT_ROWS = sa.select(
    Document.id, Document.instance_id, Document.task_id, Document.kind, Document.version
).order_by(Document.instance_id, Document.version, Document.id)
_DOCUMENTS = _DOCUMENT_ROWS.where(
    Document.instance_id.in_(sa.bindparam("instances", expanding=True))
)
# When the board shows every active measurement: the same rows without a bound value per
# measurement (on PostgreSQL, 500 of them cost more to send and plan than the rows to read).
_DOCUMENTS_OF_ACTIVE = _DOCUMENT_ROWS.where(
    Document.instance_id.in_(sa.select(Instance.id).where(Instance.status == InstanceStatus.ACTIVE))
)


def marker_of(values: Sequence) -> str:
    """The change marker of the values of `CHANGE_MARKER_COLUMNS` a statement read (selected
    first): a text that changes whenever anything on any board may have changed: the id of
    the newest audit event (every state change writes one) and the start of its chain hash,
    so that a database put back to an earlier state (a restore, a test's fresh copy) reaches
    the same id with another marker; and the open tasks' count and summed versions, which an
    edit of a task outside the services (a repair script, a test) changes too; and the days
    off's version, which moves every time bar (read here, the board's clock needs no
    statement of its own)."""
    event_id, event_hash, count, versions, days_off, days_off_changed = values[
        : len(CHANGE_MARKER_COLUMNS)
    ]
    expect_days_off_version(days_off, days_off_changed)
    return f"{event_id or 0}.{(event_hash or '')[:16]}.{count}.{versions}.{days_off or '-'}"


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
    tasks = _open_tasks(user, filters, now)
    # The filter's choices: every active measurement (id and period). An active measurement
    # always has its open task, so an unfiltered board has them all among its tasks already.
    if filters == BoardFilters():
        active = sorted(
            {task.instance.id: task.instance for task in tasks}.values(),
            key=lambda instance: (instance.period, instance.id),
        )
    else:
        active = read_rows(_ACTIVE_INSTANCES)
    # The user's own lanes first (on a phone the lanes stack: his work is at the top).
    own = [actor for actor in actors if actor.code in user.roles]
    columns = [Column(actor) for actor in own + [a for a in actors if a not in own]]
    shown = _capped_lanes(tasks, columns, lane_cap, expanded)
    # Only the shown cards are described: the hidden ones cost no clock and no markup.
    attached, documents = _documents_of(shown, every_active=len(active))
    views = describe_tasks(shown, now, attached=attached)
    conflicts = conflicts_of(shown, user)
    returns = _returns_by_instance(views)
    scans = _paper_scans(views)
    lanes = {task.id: column for column in columns for task in column.shown_tasks}
    for view in views:
        lane = lanes[view.task.id]
        conflict = conflicts.get(view.task.id)
        held = documents.get(view.task.instance_id, {})
        lane.cards.append(
            Card.of(
                view,
                allowed_actions(view.task, user, conflicts),
                self_review=conflict and self_review_notice(view.task, view.step, conflict),
                arahan=_arahan_of(view.task, returns.get(view.task.instance_id, [])),
                reviewed_documents=tuple(
                    held[kind] for kind in _reviewed_kinds(view) if kind in held
                ),
                input_documents={k: held[k] for k in view.step.inputs if k in held},
                paper_scan=scans.get(view.task.id),
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


class PinnedVersion(NamedTuple):
    """The SOP version a measurement is pinned to, as `definition_of` reads it: the content
    hash names the parsed definition each process keeps; only a process that has not parsed
    it yet reads the definition itself."""

    id: int
    content_sha256: str

    @property
    def definition(self) -> dict:
        return db.session.get(SopVersion, self.id).definition


class BoardInstance(NamedTuple):
    """What a card reads of its measurement."""

    id: int
    period: str
    status: InstanceStatus
    sop_version: PinnedVersion


class BoardTask(NamedTuple):
    """An open task as a card reads it, from one row: the board answers hundreds of them and
    reads nothing else of each, so it builds no ORM object (loading 500 tasks with their
    measurements as objects was a third of a big board's build; a named tuple is also four
    times cheaper to make than a frozen dataclass). It reads as a Task does for what the
    card's services ask of it (the step, the clock, the moves allowed)."""

    id: int
    instance_id: int
    step_no: int
    iteration: int
    opened_at: datetime
    due_at: datetime
    standard_minutes: int | None
    version: int
    instance: BoardInstance
    status: TaskStatus = TaskStatus.OPEN


def _open_tasks(user: User, filters: BoardFilters, now: datetime) -> list[BoardTask]:
    """The open tasks of active measurements under `filters`, the earliest due first."""
    query = _OPEN_TASKS
    if filters.instance_id is not None:
        query = query.where(Task.instance_id == filters.instance_id)
    if filters.overdue_only:
        query = query.where(Task.due_at < now)
    if filters.mine:
        query = query.where(sa.or_(*(tasks_of_actor(role) for role in sorted(user.roles))))
    rows = read_rows(query)
    versions: dict[int, PinnedVersion] = {}
    instances: dict[int, BoardInstance] = {}
    tasks = []
    for *facts, period, version_id, content_sha256 in rows:
        instance_id = facts[1]
        instance = instances.get(instance_id)
        if instance is None:
            version = versions.get(version_id)
            if version is None:
                version = versions[version_id] = PinnedVersion(version_id, content_sha256)
            instance = instances[instance_id] = BoardInstance(
                instance_id, period, InstanceStatus.ACTIVE, version
            )
        tasks.append(BoardTask(*facts, instance))
    return tasks


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
    for task in db.session.scalars(_RETURNED, {"instances": sorted(ids)}):
        found.setdefault(task.instance_id, []).append(task)
    return found


def _arahan_of(task: Task, returns: list[Task]) -> Task | None:
    """The return that opened this round: the measurement's latest before the task opened."""
    if task.iteration < 2:
        return None
    earlier = [returned for returned in returns if returned.id < task.id]
    return earlier[-1] if earlier else None


def _documents_of(
    tasks: Sequence[BoardTask], every_active: int
) -> tuple[dict[int, set[str]], dict[int, dict[str, sa.Row]]]:
    """In one query, the documents the cards need: the kinds attached to each task (what it
    still misses), and per measurement the latest version of each kind (the inputs and the
    documents under review a card links), as rows of the id, kind and version it shows.
    `every_active` is how many measurements are active: when the tasks are of that many,
    they are all of them, read as such."""
    attached: dict[int, set[str]] = defaultdict(set)
    latest: dict[int, dict[str, sa.Row]] = {}
    if not tasks:
        return attached, latest
    shown = {task.id for task in tasks}
    instances = sorted({task.instance_id for task in tasks})
    if len(instances) == every_active:
        rows = read_rows(_DOCUMENTS_OF_ACTIVE)
    else:
        rows = read_rows(_DOCUMENTS, {"instances": instances})
    for document in rows:
        _, instance_id, task_id, kind, _ = document
        if task_id in shown:
            attached[task_id].add(kind)
        # In order of version, then id: the last one of a kind is its latest.
        latest.setdefault(instance_id, {})[kind] = document
    return attached, latest


def _paper_scans(views: Sequence[TaskView]) -> dict[int, Document]:
    """The newest scan of an ink-signed report on each signing card, in one query (none when
    no card is a signing step's)."""
    signing = [view.task.id for view in views if view.step.signed_outputs]
    if not signing:
        return {}
    return {scan.task_id: scan for scan in db.session.scalars(_PAPER_SCANS, {"tasks": signing})}
