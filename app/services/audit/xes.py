"""The SOP's moves as an IEEE 1849 (XES) event log for process-mining tools: one trace per
measurement, one event per audited move of its tasks, streamed one measurement at a time."""

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any
from xml.sax.saxutils import quoteattr

import sqlalchemy as sa

from app.extensions import db
from app.models import Instance, SopVersion, Task
from app.services.audit.query import TABLE, AuditFilters
from app.services.office_calendar import office_timezone
from app.services.sop_definitions import definition_of

# The events of the log: what happened to a measurement or one of its tasks.
MOVES = (
    sa.or_(
        sa.and_(TABLE.c.object_type == "instance", TABLE.c.action.like("instance.%")),
        sa.and_(TABLE.c.object_type == "task", TABLE.c.action.like("task.%")),
    ),
)
INSTANCE_ACTIVITIES = {"instance.started": "Pengukuran dimulai"}
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
  </global>
  <classifier name="Activity" keys="concept:name"/>
  <classifier name="Activity and resource" keys="concept:name org:resource"/>
  <string key="concept:name" value="Jejak audit: langkah SOP per pengukuran"/>
"""
FOOTER = "</log>\n"


def _attribute(kind: str, key: str, value: Any) -> str:
    return f"<{kind} key={quoteattr(key)} value={quoteattr(str(value))}/>"


def _timestamp(value: datetime) -> str:
    return value.astimezone(office_timezone()).isoformat(timespec="milliseconds")


def _moment(event: Mapping[str, Any]) -> datetime:
    """When the move happened: its `occurred_at` (a back-dated paper trail), else when it was
    recorded."""
    occurred = (event["data"] or {}).get("occurred_at")
    try:
        return datetime.fromisoformat(occurred) if occurred else event["at"]
    except (TypeError, ValueError):
        return event["at"]


def _event_xml(event: Mapping[str, Any], activity: str, task: tuple | None) -> str:
    parts = [
        _attribute("string", "concept:name", activity),
        _attribute("date", "time:timestamp", _timestamp(_moment(event))),
        _attribute("string", "lifecycle:transition", "complete"),
        _attribute("string", "sakip:action", event["action"]),
        _attribute("int", "sakip:audit_id", event["id"]),
        _attribute("boolean", "sakip:backdated", "true" if event["backdated"] else "false"),
    ]
    if event["actor"]:
        parts.insert(2, _attribute("string", "org:resource", event["actor"]))
    if task is not None:
        parts.append(_attribute("int", "sakip:step_no", task[0]))
        parts.append(_attribute("int", "sakip:iteration", task[1]))
    return "    <event>" + "".join(parts) + "</event>\n"


class _StepNames:
    """The steps' names of each SOP version met so far (a handful per office)."""

    def __init__(self):
        self.names: dict[int, dict[int, str]] = {}

    def of(self, sop_version_id: int, step_no: int) -> str:
        if sop_version_id not in self.names:
            definition = definition_of(db.session.get(SopVersion, sop_version_id))
            self.names[sop_version_id] = {s.no: s.name for s in definition.steps}
        name = self.names[sop_version_id].get(step_no)
        return f"{step_no}. {name}" if name else f"Langkah {step_no}"


def _trace(instance, filters: AuditFilters, upto: int, steps: _StepNames) -> str:
    """One measurement's trace, or "" when none of its moves is selected."""
    tasks = {
        str(row.id): (row.step_no, row.iteration)
        for row in db.session.execute(
            sa.select(Task.id, Task.step_no, Task.iteration).where(Task.instance_id == instance.id)
        )
    }
    about = sa.or_(
        sa.and_(TABLE.c.object_type == "instance", TABLE.c.object_id == str(instance.id)),
        sa.and_(TABLE.c.object_type == "task", TABLE.c.object_id.in_(list(tasks) or ["-"])),
    )
    events = db.session.execute(
        sa.select(TABLE)
        .where(about, *MOVES, *filters.conditions(), TABLE.c.id <= upto)
        .order_by(TABLE.c.id)
    ).mappings()
    lines = []
    for event in events:
        task = tasks.get(event["object_id"]) if event["object_type"] == "task" else None
        if task is not None:
            activity = steps.of(instance.sop_version_id, task[0])
        else:
            activity = INSTANCE_ACTIVITIES.get(event["action"], event["action"])
        lines.append(_event_xml(event, activity, task))
    if not lines:
        return ""
    head = [
        _attribute(
            "string", "concept:name", f"{instance.sop_code} {instance.period} #{instance.id}"
        ),
        _attribute("string", "sakip:title", instance.title),
        _attribute("string", "sakip:period", instance.period),
        _attribute("string", "sakip:sop", instance.sop_code),
        _attribute("int", "sakip:instance_id", instance.id),
    ]
    return "  <trace>" + "".join(head) + "\n" + "".join(lines) + "  </trace>\n"


def xes_chunks(
    filters: AuditFilters, upto: int, after_batch: Callable[[], None] | None = None
) -> Iterator[str]:
    """The XES log of the selected moves up to event `upto`: measurements read a batch at a
    time, each trace written once its events are read."""
    yield HEADER
    steps = _StepNames()
    columns = (
        Instance.id,
        Instance.sop_version_id,
        Instance.sop_code,
        Instance.period,
        Instance.title,
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
        chunk = "".join(_trace(instance, filters, upto, steps) for instance in instances)
        if after_batch is not None:
            after_batch()
        yield chunk
        last_id = instances[-1].id
    yield FOOTER
