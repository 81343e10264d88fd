"""The checkpoint journal: the chain's keyed head, appended to a file outside the database.

A wiped table or a cut-off tail (with the head row moved back) leaves nothing in the
database to compare with; the journal remembers which event the chain had reached. It lives
beside the document store, which every host shares, and is appended to after a commit that
recorded events, at most once per AUDIT_CHECKPOINT_SECONDS per process (a timer writes the
last one of a busy interval, so every interval that saw events ends with a checkpoint).
"""

import atexit
import json
import logging
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.services.audit.keys import current_key, mac

DIRTY = "audit_head_moved"
JOURNAL = "audit-checkpoints.jsonl"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Checkpoint:
    at: str
    event_id: int
    hash: str

    def as_dict(self) -> dict:
        return {"at": self.at, "event_id": self.event_id, "hash": self.hash}


def journal_path(config) -> Path:
    """AUDIT_JOURNAL, by default `audit-checkpoints.jsonl` beside the document store (in the
    folder that holds STORAGE_DIR, so the store keeps only content-addressed files)."""
    configured = config.get("AUDIT_JOURNAL")
    return Path(configured) if configured else Path(config["STORAGE_DIR"]).parent / JOURNAL


def _checkpoint_mac(key: bytes, checkpoint: Checkpoint) -> str:
    return mac(key, f"checkpoint:{checkpoint.event_id}:{checkpoint.hash}:{checkpoint.at}".encode())


def append(path: Path, key: bytes, event_id: int, event_hash: str) -> Checkpoint:
    """Append one keyed checkpoint line (one write, so concurrent writers never interleave)."""
    checkpoint = Checkpoint(datetime.now(UTC).isoformat(timespec="seconds"), event_id, event_hash)
    line = json.dumps({**checkpoint.as_dict(), "mac": _checkpoint_mac(key, checkpoint)}) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, line.encode())
    finally:
        os.close(descriptor)
    return checkpoint


def read(path: Path, key: bytes) -> Iterator[Checkpoint | None]:
    """Yield the journal's checkpoints, oldest first, one line at a time; None for a line
    whose MAC does not hold (written without the key, or damaged)."""
    try:
        handle = path.open(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return
    with handle:
        for line in handle:
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                checkpoint = Checkpoint(str(data["at"]), int(data["event_id"]), str(data["hash"]))
                genuine = data["mac"] == _checkpoint_mac(key, checkpoint)
            except (ValueError, KeyError, TypeError):
                genuine = False
            yield checkpoint if genuine else None


def write_now(engine: Engine, path: Path, key: bytes) -> Checkpoint | None:
    """Read the chain's committed head on a connection of its own and append it. A failure is
    logged, never raised: the events are committed already, and the next checkpoint covers
    them."""
    try:
        return _write(engine, path, key)
    except (OSError, sa.exc.SQLAlchemyError):
        log.exception("could not append the audit checkpoint to %s", path)
        return None


def _write(engine: Engine, path: Path, key: bytes) -> Checkpoint | None:
    with engine.connect() as connection:
        row = connection.execute(
            sa.text("SELECT last_event_id, last_hash FROM audit_head WHERE id = 1")
        ).first()
    if row is None or row.last_event_id is None:
        return None
    return append(path, key, row.last_event_id, row.last_hash)


class _Writer:
    """Per process and journal: when the last checkpoint was written, and a pending timer."""

    def __init__(self):
        self.lock = threading.Lock()
        self.last_written: dict[Path, float] = {}
        self.timers: dict[Path, threading.Timer] = {}

    def head_moved(self, engine: Engine, path: Path, key: bytes, interval: float) -> None:
        with self.lock:
            wait = self.last_written.get(path, -interval) + interval - time.monotonic()
            if wait > 0:
                if path not in self.timers:
                    timer = threading.Timer(wait, self._flush, (engine, path, key))
                    timer.daemon = True
                    self.timers[path] = timer
                    timer.start()
                return
            self.last_written[path] = time.monotonic()
        write_now(engine, path, key)

    def _flush(self, engine: Engine, path: Path, key: bytes) -> None:
        with self.lock:
            self.timers.pop(path, None)
            self.last_written[path] = time.monotonic()
        write_now(engine, path, key)

    def flush_pending(self) -> None:
        """Write at once every checkpoint a timer still waits for (at the process's exit, so
        a short-lived process such as a CLI command leaves its last events checkpointed)."""
        with self.lock:
            timers, self.timers = self.timers, {}
        for timer in timers.values():
            timer.cancel()
            write_now(*timer.args)


_writer = _Writer()
atexit.register(_writer.flush_pending)


def flush_pending() -> None:
    """Write now every checkpoint this process still waits to write: for a caller about to
    remove the journal's folder (a benchmark's temporary one), whose timers would otherwise
    write into it while it is being deleted."""
    _writer.flush_pending()


def note_new_head(session: Session, event_id: int, event_hash: str) -> None:
    """Remember that this transaction moved the head, and where its journal is."""
    config = current_app.config
    session.info[DIRTY] = (
        journal_path(config),
        current_key(),
        float(config.get("AUDIT_CHECKPOINT_SECONDS", 60)),
    )


@sa.event.listens_for(Session, "after_commit")
def _checkpoint_after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: the events are not committed until the outer transaction is
    pending = session.info.pop(DIRTY, None)
    if pending is not None:
        path, key, interval = pending
        _writer.head_moved(session.get_bind(), path, key, interval)


@sa.event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(DIRTY, None)
