"""Verify the audit chain: every link under the office's key, the head row, and the
checkpoint journal, in constant memory; say what broke and where."""

from dataclasses import dataclass, field
from typing import Literal

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models import AuditEvent, AuditHead
from app.services.audit import journal
from app.services.audit.chain import GENESIS_HASH, event_hash, iter_rows
from app.services.audit.keys import current_key

Reason = Literal["edited", "deleted", "reordered", "truncated", "emptied"]
JOURNAL_BATCH = 1000


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    events: int
    head: str = GENESIS_HASH
    reason: Reason | None = None
    first_bad_event: int | None = None
    expected: dict = field(default_factory=dict)
    checkpoints: int = 0
    forged_checkpoints: int = 0

    def as_dict(self) -> dict:
        """The answer of `GET /api/v1/audit/verify`."""
        if self.ok:
            return {"ok": True, "events": self.events, "head": self.head}
        return {
            "ok": False,
            "reason": self.reason,
            "first_bad_event": self.first_bad_event,
            "expected": self.expected,
            "events": self.events,
        }


def verify_chain(batch: int = 1000) -> ChainCheck:
    """Walk the chain in id order, then hold its end against the head row and every
    checkpoint of the journal; report the first fault found."""
    key = current_key()
    previous, count = GENESIS_HASH, 0
    for event in iter_rows(batch):
        if event_hash(event, key) != event["hash"]:
            return ChainCheck(False, count, reason="edited", first_bad_event=event["id"])
        if event["prev_hash"] != previous:
            moved = db.session.scalar(sa.select(AuditEvent.id).filter_by(hash=event["prev_hash"]))
            return ChainCheck(
                False,
                count,
                reason="reordered" if moved is not None else "deleted",
                first_bad_event=event["id"],
                expected={"prev_hash": previous},
            )
        previous = event["hash"]
        count += 1
    return _check_head(count, previous) or _check_journal(count, previous, key)


def _check_head(count: int, last_hash: str) -> ChainCheck | None:
    """The head row remembers the newest event: the chain must end on it."""
    head = db.session.get(AuditHead, 1)
    if head is None or head.last_hash == last_hash:
        return None
    return _cut_off(count, {"event_id": head.last_event_id, "hash": head.last_hash})


def _check_journal(count: int, last_hash: str, key: bytes) -> ChainCheck:
    """Every checkpoint names an event the chain must still hold, with the same hash."""
    seen = forged = 0
    pending: list[journal.Checkpoint] = []
    for checkpoint in journal.read(journal.journal_path(current_app.config), key):
        if checkpoint is None:
            forged += 1
            continue
        seen += 1
        pending.append(checkpoint)
        if len(pending) >= JOURNAL_BATCH:
            missing = _first_missing(pending)
            if missing:
                return _cut_off(count, missing.as_dict())
            pending = []
    missing = _first_missing(pending)
    if missing:
        return _cut_off(count, missing.as_dict())
    return ChainCheck(True, count, head=last_hash, checkpoints=seen, forged_checkpoints=forged)


def _first_missing(checkpoints: list[journal.Checkpoint]) -> journal.Checkpoint | None:
    if not checkpoints:
        return None
    ids = {c.event_id for c in checkpoints}
    found = dict(
        db.session.execute(
            sa.select(AuditEvent.id, AuditEvent.hash).where(AuditEvent.id.in_(ids))
        ).all()
    )
    return next((c for c in checkpoints if found.get(c.event_id) != c.hash), None)


def _cut_off(count: int, expected: dict) -> ChainCheck:
    """The chain ends before an event the head or a checkpoint remembers."""
    return ChainCheck(
        False,
        count,
        reason="emptied" if count == 0 else "truncated",
        first_bad_event=expected["event_id"],
        expected=expected,
    )
