"""The audit trail: one function writes every event, chained to the last by a keyed hash."""

import hashlib
import json
from collections.abc import Iterator, Mapping
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, AuditHead, User, utcnow
from app.services.audit import journal
from app.services.audit.keys import current_key, mac

GENESIS_HASH = "0" * 64
HASHED_FIELDS = (
    "at",
    "actor",
    "action",
    "object_type",
    "object_id",
    "summary",
    "data",
    "ip",
    "backdated",
    "prev_hash",
)


def _actor_name(actor: User | str | None) -> str | None:
    if actor is None or isinstance(actor, str):
        return actor
    return actor.username


def canonical_content(event: Mapping[str, Any] | AuditEvent) -> bytes:
    """The event's recorded fields as canonical JSON, the text its hash covers."""

    def get(name: str) -> Any:
        return event[name] if isinstance(event, Mapping) else getattr(event, name)

    content = {name: get(name) for name in HASHED_FIELDS}
    content["at"] = content["at"].isoformat(timespec="microseconds")
    content["backdated"] = bool(content["backdated"])
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def event_hash(event: Mapping[str, Any] | AuditEvent, key: bytes | None = None) -> str:
    """The event's link: HMAC-SHA-256 under the office's audit key of its content, which
    includes the previous event's hash. Without the key nobody can compute it."""
    return mac(current_key() if key is None else key, canonical_content(event))


def unkeyed_hash(event: Mapping[str, Any] | AuditEvent) -> str:
    """The plain SHA-256 link that chains recorded before the audit key used."""
    return hashlib.sha256(canonical_content(event)).hexdigest()


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
    journal.note_new_head(db.session(), event.id, event.hash)
    return event


def record_change(
    action: str,
    *,
    actor: User | str | None,
    summary: str,
    object_type: str,
    object_id: Any,
    before: dict[str, Any],
    after: dict[str, Any],
    ip: str | None = None,
) -> AuditEvent:
    """Record an admin's change of an object with its old and new values; the summary ends
    with the fields that changed ("(name, unit)") or "(tanpa perubahan)"."""
    changed = sorted(k for k in before if before[k] != after.get(k))
    return record(
        action,
        actor=actor,
        object_type=object_type,
        object_id=object_id,
        summary=summary + (f" ({', '.join(changed)})" if changed else " (tanpa perubahan)"),
        data={"before": before, "after": after, "changed": changed},
        ip=ip,
    )


def events_for(object_type: str, object_id: Any) -> list[AuditEvent]:
    """Return the events about one object, oldest first."""
    return list(
        db.session.scalars(
            sa.select(AuditEvent)
            .filter_by(object_type=object_type, object_id=str(object_id))
            .order_by(AuditEvent.id)
        )
    )


def iter_rows(batch: int = 1000) -> Iterator[Mapping[str, Any]]:
    """Every event as a plain mapping, in id order, `batch` rows at a time (constant memory)."""
    table = AuditEvent.__table__
    last_id = 0
    while True:
        rows = (
            db.session.execute(
                sa.select(table).where(table.c.id > last_id).order_by(table.c.id).limit(batch)
            )
            .mappings()
            .all()
        )
        if not rows:
            return
        yield from rows
        last_id = rows[-1]["id"]


class UnkeyedChainError(RuntimeError):
    """A chain without the key cannot be adopted: it is broken, or it was keyed before."""


def key_unkeyed_chain(journal_has_checkpoints: bool, batch: int = 1000) -> int:
    """Re-link, under the office's key, a chain recorded before the chain was keyed (plain
    SHA-256 links), after checking that whole chain; answer how many events were re-linked
    (0 for an empty or keyed chain). Refused when the checkpoint journal shows the chain was
    keyed already: an unkeyed chain then is a forgery, not an old installation."""
    first = next(iter_rows(1), None)
    if first is None or first["hash"] != unkeyed_hash(first):
        return 0
    if journal_has_checkpoints:
        raise UnkeyedChainError("the journal holds keyed checkpoints, so this chain was forged")
    previous = GENESIS_HASH
    for row in iter_rows(batch):
        if row["prev_hash"] != previous or unkeyed_hash(row) != row["hash"]:
            raise UnkeyedChainError(f"the unkeyed chain is broken at event {row['id']}")
        previous = row["hash"]
    table = AuditEvent.__table__
    previous, count, last_id = GENESIS_HASH, 0, None
    for row in iter_rows(batch):
        linked = event_hash({**row, "prev_hash": previous})
        db.session.execute(
            sa.update(table).where(table.c.id == row["id"]).values(prev_hash=previous, hash=linked)
        )
        previous, count, last_id = linked, count + 1, row["id"]
    head = db.session.get(AuditHead, 1)
    head.last_event_id, head.last_hash = last_id, previous
    db.session.flush()
    journal.note_new_head(db.session(), last_id, previous)
    return count
