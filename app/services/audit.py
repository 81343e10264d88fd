"""The audit trail: one function writes every event, chained to the last by its hash."""

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, AuditHead, User, utcnow

GENESIS_HASH = "0" * 64


def _actor_name(actor: User | str | None) -> str | None:
    if actor is None or isinstance(actor, str):
        return actor
    return actor.username


def event_hash(event: AuditEvent) -> str:
    """Hash an event's content together with the previous event's hash."""
    content = {
        "at": event.at.isoformat(timespec="microseconds"),
        "actor": event.actor,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "summary": event.summary,
        "data": event.data,
        "ip": event.ip,
        "backdated": bool(event.backdated),
        "prev_hash": event.prev_hash,
    }
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def ensure_head() -> None:
    """Create the chain's head row if this database has none yet."""
    if db.session.get(AuditHead, 1) is None:
        db.session.add(AuditHead(id=1, last_event_id=None, last_hash=GENESIS_HASH))
        db.session.flush()


def record(
    action: str,
    *,
    actor: User | str | None,
    summary: str,
    object_type: str | None = None,
    object_id: Any = None,
    data: dict[str, Any] | None = None,
    ip: str | None = None,
    backdated: bool = False,
) -> AuditEvent:
    """Append an event to the chain, in the caller's transaction."""
    # Locking the head row serialises writers, so two transactions never chain to one parent.
    head = db.session.scalar(sa.select(AuditHead).where(AuditHead.id == 1).with_for_update())
    if head is None:
        ensure_head()
        head = db.session.get(AuditHead, 1)
    event = AuditEvent(
        at=utcnow(),
        actor=_actor_name(actor),
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        summary=summary,
        data=data or {},
        ip=ip,
        backdated=backdated,
        prev_hash=head.last_hash,
    )
    event.hash = event_hash(event)
    db.session.add(event)
    db.session.flush()
    head.last_event_id = event.id
    head.last_hash = event.hash
    db.session.flush()
    return event


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    events: int
    first_bad_event: int | None = None


def verify_chain(batch: int = 1000) -> ChainCheck:
    """Walk the whole chain in id order and report the first event that does not verify."""
    previous = GENESIS_HASH
    count = 0
    for event in _iter_events(batch):
        if event.prev_hash != previous or event_hash(event) != event.hash:
            return ChainCheck(ok=False, events=count, first_bad_event=event.id)
        previous = event.hash
        count += 1
    head = db.session.get(AuditHead, 1)
    if head is not None and head.last_hash != previous:
        # The newest events were removed: the head remembers a hash the chain no longer ends on.
        return ChainCheck(ok=False, events=count, first_bad_event=head.last_event_id)
    return ChainCheck(ok=True, events=count)


def _iter_events(batch: int) -> Iterator[AuditEvent]:
    last_id = 0
    while True:
        rows = db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.id > last_id)
            .order_by(AuditEvent.id)
            .limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id


def events_for(object_type: str, object_id: Any) -> list[AuditEvent]:
    """Return the events about one object, oldest first."""
    return list(
        db.session.scalars(
            sa.select(AuditEvent)
            .filter_by(object_type=object_type, object_id=str(object_id))
            .order_by(AuditEvent.id)
        )
    )
