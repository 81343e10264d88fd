"""The audit trail: one function writes every event, chained to the last by a keyed hash."""

import hashlib
import json
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from app.extensions import db
from app.models import AuditEvent, AuditHead, User, utcnow
from app.services.audit import journal
from app.services.audit.keys import current_key, mac
from app.services.persistence import transaction_scoped

GENESIS_HASH = "0" * 64
# The head this transaction last read or wrote (app.services.persistence.transaction_scoped).
EXPECTED_HEAD = "audit_expected_head"
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
# What an event is inserted with: what its hash covers, and the hash (the id is the database's).
EVENT_COLUMNS = (*HASHED_FIELDS, "hash")


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


def head_hash_column():
    """The chain head's hash as a column another statement can carry, so a unit of work that
    reads its rows anyway learns the head without a statement of its own (`expect_head`)."""
    return sa.select(AuditHead.last_hash).where(AuditHead.id == 1).scalar_subquery()


def expect_head(last_hash: str | None) -> None:
    """Remember the head as a statement of this transaction read it: the next `record`
    chains to it without reading it again, and finds out if another writer moved it since."""
    if last_hash is not None:
        transaction_scoped(EXPECTED_HEAD)["hash"] = last_hash


def _locked_head_hash() -> str:
    """Read the head's hash, locking its row (created if missing) until the transaction
    ends: writers holding it one after another never chain two events to one parent."""
    head = sa.select(AuditHead.last_hash).where(AuditHead.id == 1).with_for_update()
    last_hash = db.session.scalar(head)
    if last_hash is None:
        ensure_head()
        last_hash = GENESIS_HASH
    return last_hash


def _append(content: dict[str, Any], prev_hash: str) -> AuditEvent | None:
    """Insert the event chained to `prev_hash` and move the head to it, if the head is still
    `prev_hash`; answer the event (not yet in the session), or None when the head had moved."""
    event = AuditEvent(**content, prev_hash=prev_hash)
    event.hash = event_hash(event)
    values = {f"event_{name}": getattr(event, name) for name in EVENT_COLUMNS}
    if db.session.get_bind().dialect.name == "postgresql":
        event.id, moved = db.session.execute(_insert_moving_head(), values).one()
    else:
        event.id = db.session.execute(_insert_event(), values).scalar_one()
        moved = db.session.execute(_move_head(), {**values, "event_id": event.id}).rowcount
    if moved:
        return event
    # Another writer moved the head after it was read: take the event back, so that ids keep
    # following the chain when it is inserted again after that writer's.
    events = AuditEvent.__table__
    db.session.execute(sa.delete(events).where(events.c.id == event.id))
    return None


# The append's statements bind every value at execution (`event_<column>`), so each is built
# once per process: building a statement and its cache key cost a move more than sending it.


@cache
def _insert_event() -> sa.Insert:
    """Insert the event; answer its id."""
    events = AuditEvent.__table__
    bound = {
        name: sa.bindparam(f"event_{name}", type_=events.c[name].type) for name in EVENT_COLUMNS
    }
    return sa.insert(events).values(bound).returning(events.c.id)


def _head_moved_to(event_id) -> sa.Update:
    """Move the head to the event `event_id` if it is still the event's `prev_hash`."""
    heads = AuditHead.__table__
    return (
        sa.update(heads)
        .where(heads.c.id == 1, heads.c.last_hash == sa.bindparam("event_prev_hash"))
        .values(last_event_id=event_id, last_hash=sa.bindparam("event_hash"))
    )


@cache
def _move_head() -> sa.Update:
    """Move the head to the event inserted (`event_id`), if it is still its parent."""
    return _head_moved_to(sa.bindparam("event_id"))


@cache
def _insert_moving_head() -> sa.Select:
    """PostgreSQL's form of the two, in one round trip: the insert and the head's move as
    data-modifying parts of one statement (`WITH ... INSERT ... UPDATE`), which both run to
    completion; answer the event's id and how many heads moved (0 or 1)."""
    event = _insert_event().cte("event")
    moved = (
        _head_moved_to(sa.select(event.c.id).scalar_subquery())
        .returning(AuditHead.__table__.c.id)
        .cte("moved")
    )
    return sa.select(event.c.id, sa.select(sa.func.count()).select_from(moved).scalar_subquery())


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
    """Append an event to the chain, in the caller's transaction.

    Two statements (one on PostgreSQL) when this transaction knows the head (it wrote an
    event, or read the head with its own rows: `expect_head`): the event, and the head moved
    to it only if it is still the one known. Otherwise, or when the head had moved, the head
    row is read and locked first, which serialises writers so two transactions never chain
    to one parent."""
    db.session.flush()
    content = {
        "at": utcnow(),
        "actor": _actor_name(actor),
        "action": action,
        "object_type": object_type,
        "object_id": None if object_id is None else str(object_id),
        "summary": summary,
        "data": data or {},
        "ip": ip,
        "backdated": backdated,
    }
    expected = transaction_scoped(EXPECTED_HEAD)
    event = _append(content, expected["hash"]) if "hash" in expected else None
    if event is None:
        event = _append(content, _locked_head_hash())
    expected["hash"] = event.hash
    head = db.session.identity_map.get(Session.identity_key(AuditHead, 1))
    if head is not None:
        # Readers of the head row in this session (the chain's verification) see it moved.
        set_committed_value(head, "last_event_id", event.id)
        set_committed_value(head, "last_hash", event.hash)
    journal.note_new_head(db.session(), event.id, event.hash)
    # Inserted without the unit of work; the caller holds it as a row of the session all the same.
    make_transient_to_detached(event)
    db.session.add(event)
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
