"""The SOP's moves as an IEEE 1849 (XES) event log for process-mining tools (ProM, Disco,
pm4py): one trace per measurement, streamed one batch of measurements at a time.

Every event is derived from what is already stored: an audited move closes its task (a
`complete` event: the step, who moved, in which role, the outcome, the task's working
minutes) and opens the next ones (a `start` event each, at the task's opening); the start of
a measurement opens its first step. Nothing is added to a move."""

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any, NamedTuple
from xml.sax.saxutils import quoteattr

import sqlalchemy as sa

from app.extensions import db
from app.models import Instance, SopVersion, Task, User, UserRole
from app.services.audit.query import TABLE, AuditFilters
from app.services.office_calendar import office_timezone
from app.services.sop_definitions import Step, definition_of

# The events of the log: what happened to a measurement or one of its tasks.
MOVES = (
    sa.or_(
        sa.and_(TABLE.c.object_type == "instance", TABLE.c.action.like("instance.%")),
        sa.and_(TABLE.c.object_type == "task", TABLE.c.action.like("task.%")),
    ),
)
INSTANCE_BATCH = 200

HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1849-2016" xes.features="" xmlns="http://www.xes-standard.org/">
  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
  <extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
  <extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
  <extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>
  <global scope="trace">
    <string key="concept:name" value="__INVALID__"/>
  </global>
  <global scope="event">
    <string key="concept:name" value="__INVALID__"/>
    <date key="time:timestamp" value="1970-01-01T00:00:00.000+00:00"/>
    <string key="lifecycle:transition" value="complete"/>
    <int key="sakip:step_no" value="0"/>
  </global>
  <classifier name="Activity" keys="concept:name"/>
  <classifier name="Activity and lifecycle" keys="concept:name lifecycle:transition"/>
  <classifier name="Activity and resource" keys="concept:name org:resource"/>
  <string key="concept:name" value="Langkah SOP per pengukuran (jejak audit)"/>
  <string key="lifecycle:model" value="standard"/>
"""
FOOTER = "</log>\n"


class TaskRow(NamedTuple):
    step_no: int
    iteration: int
    opened_at: datetime
    working_minutes: int | None
    late: bool | None


def _attribute(kind: str, key: str, value: Any) -> str:
    return f"<{kind} key={quoteattr(key)} value={quoteattr(str(value))}/>"


def _timestamp(value: datetime) -> str:
    return value.astimezone(office_timezone()).isoformat(timespec="milliseconds")


def _moment(event: Mapping[str, Any]) -> datetime:
    """When the move happened: its `occurred_at` (a back-dated paper trail), else when it was
    recorded."""
    occurred = (event["data"] or {}).get("occurred_at")
    try:
        moment = datetime.fromisoformat(occurred) if occurred else event["at"]
    except (TypeError, ValueError):
        return event["at"]
    return moment if moment.tzinfo else event["at"]


def _boolean(value: bool) -> str:
    return "true" if value else "false"


class _Lookups:
    """What the events name, read once per export: the steps of each SOP version met (a
    handful per office) and the roles of each user met (a few dozen)."""

    def __init__(self):
        self.steps: dict[int, dict[int, Step]] = {}
        self.roles: dict[str, set[str]] = {}

    def step(self, sop_version_id: int, step_no: int) -> Step | None:
        if sop_version_id not in self.steps:
            definition = definition_of(db.session.get(SopVersion, sop_version_id))
            self.steps[sop_version_id] = {step.no: step for step in definition.steps}
        return self.steps[sop_version_id].get(step_no)

    def role(self, username: str | None, step: Step | None) -> str | None:
        """The role in which `username` moved at `step`: the first of the step's actors he
        holds (one actor: that one; none held any more: the step's actors)."""
        if step is None:
            return None
        if username is not None and username not in self.roles:
            self.roles[username] = set(
                db.session.scalars(
                    sa.select(UserRole.role).join(User).where(User.username == username)
                )
            )
        held = [code for code in step.actors if code in self.roles.get(username, set())]
        return held[0] if held else "+".join(step.actors) or None


def _event(attributes: list[str]) -> str:
    return "    <event>" + "".join(attributes) + "</event>\n"


def _step_attributes(step: Step | None, task: TaskRow) -> list[str]:
    name = step.name if step is not None else f"Langkah {task.step_no}"
    return [
        _attribute("string", "concept:name", name),
        _attribute("int", "sakip:step_no", task.step_no),
        _attribute("int", "sakip:iteration", task.iteration),
    ]


def _audit_attributes(event: Mapping[str, Any]) -> list[str]:
    return [
        _attribute("string", "sakip:action", event["action"]),
        _attribute("int", "sakip:audit_id", event["id"]),
        _attribute("boolean", "sakip:backdated", _boolean(event["backdated"])),
    ]


def start_event(step: Step | None, task: TaskRow, role: str | None, opened_by: Mapping) -> str:
    """A task opening: the step, the role that must do it, when it opened."""
    parts = [
        *_step_attributes(step, task),
        _attribute("date", "time:timestamp", _timestamp(task.opened_at)),
        _attribute("string", "lifecycle:transition", "start"),
    ]
    if role:
        parts.append(_attribute("string", "org:role", role))
    parts.append(_attribute("int", "sakip:opened_by_audit_id", opened_by["id"]))
    return _event(parts)


def complete_event(step: Step | None, task: TaskRow, role: str | None, move: Mapping) -> str:
    """A move closing a task: who, in which role, the outcome, the task's working minutes."""
    outcome = (move["data"] or {}).get("outcome") or move["action"].removeprefix("task.")
    parts = [
        *_step_attributes(step, task),
        _attribute("date", "time:timestamp", _timestamp(_moment(move))),
        _attribute("string", "lifecycle:transition", "complete"),
    ]
    if move["actor"]:
        parts.append(_attribute("string", "org:resource", move["actor"]))
    if role:
        parts.append(_attribute("string", "org:role", role))
    parts.append(_attribute("string", "sakip:outcome", outcome))
    if task.working_minutes is not None:
        parts.append(_attribute("int", "sakip:working_minutes", task.working_minutes))
    if task.late is not None:
        parts.append(_attribute("boolean", "sakip:late", _boolean(task.late)))
    return _event(parts + _audit_attributes(move))


def other_event(move: Mapping[str, Any]) -> str:
    """Any other audited move of a measurement, named by its action."""
    parts = [
        _attribute("string", "concept:name", move["action"]),
        _attribute("date", "time:timestamp", _timestamp(_moment(move))),
        _attribute("string", "lifecycle:transition", "complete"),
        _attribute("int", "sakip:step_no", 0),
    ]
    if move["actor"]:
        parts.append(_attribute("string", "org:resource", move["actor"]))
    return _event(parts + _audit_attributes(move))


def _opened(move: Mapping[str, Any]) -> list:
    """The tasks a move opened, as it recorded them."""
    data = move["data"] or {}
    if move["object_type"] == "instance":
        return [data["first_task"]] if data.get("first_task") is not None else []
    return list(data.get("next_tasks") or [])


def _move_events(move, instance, tasks: dict[str, TaskRow], lookups: _Lookups) -> list[str]:
    """The events of one audited move: the task it closed, then the tasks it opened."""
    lines = []
    task = tasks.get(move["object_id"]) if move["object_type"] == "task" else None
    if task is not None:
        step = lookups.step(instance.sop_version_id, task.step_no)
        lines.append(complete_event(step, task, lookups.role(move["actor"], step), move))
    elif move["action"] != "instance.started":
        lines.append(other_event(move))
    for task_id in _opened(move):
        opened = tasks.get(str(task_id))
        if opened is not None:
            step = lookups.step(instance.sop_version_id, opened.step_no)
            lines.append(start_event(step, opened, lookups.role(None, step), move))
    return lines


def _trace(instance, filters: AuditFilters, upto: int, lookups: _Lookups) -> str:
    """One measurement's trace, or "" when none of its moves is selected."""
    tasks = {
        str(row.id): TaskRow(
            row.step_no, row.iteration, row.opened_at, row.working_minutes, row.late
        )
        for row in db.session.execute(
            sa.select(
                Task.id,
                Task.step_no,
                Task.iteration,
                Task.opened_at,
                Task.working_minutes,
                Task.late,
            ).where(Task.instance_id == instance.id)
        )
    }
    about = sa.or_(
        sa.and_(TABLE.c.object_type == "instance", TABLE.c.object_id == str(instance.id)),
        sa.and_(TABLE.c.object_type == "task", TABLE.c.object_id.in_(list(tasks) or ["-"])),
    )
    moves = db.session.execute(
        sa.select(TABLE)
        .where(about, *MOVES, *filters.conditions(), TABLE.c.id <= upto)
        .order_by(TABLE.c.id)
    ).mappings()
    lines = [line for move in moves for line in _move_events(move, instance, tasks, lookups)]
    if not lines:
        return ""
    head = [
        _attribute(
            "string", "concept:name", f"{instance.sop_code} {instance.period} #{instance.id}"
        ),
        _attribute("int", "sakip:instance_id", instance.id),
        _attribute("string", "sakip:title", instance.title),
        _attribute("string", "sakip:period", instance.period),
        _attribute("string", "sakip:sop", instance.sop_code),
        _attribute("string", "sakip:status", instance.status.value),
        _attribute("int", "sakip:returns", instance.returns),
    ]
    return "  <trace>" + "".join(head) + "\n" + "".join(lines) + "  </trace>\n"


def xes_chunks(
    filters: AuditFilters, upto: int, after_batch: Callable[[], None] | None = None
) -> Iterator[str]:
    """The XES log of the selected moves up to event `upto`: measurements read a batch at a
    time, each trace written once its events are read."""
    yield HEADER
    lookups = _Lookups()
    columns = (
        Instance.id,
        Instance.sop_version_id,
        Instance.sop_code,
        Instance.period,
        Instance.title,
        Instance.status,
        Instance.returns,
    )
    last_id = 0
    while True:
        instances = db.session.execute(
            sa.select(*columns)
            .where(Instance.id > last_id)
            .order_by(Instance.id)
            .limit(INSTANCE_BATCH)
        ).all()
        if not instances:
            break
        chunk = "".join(_trace(instance, filters, upto, lookups) for instance in instances)
        if after_batch is not None:
            after_batch()
        yield chunk
        last_id = instances[-1].id
    yield FOOTER
