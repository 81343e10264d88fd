"""Blob hygiene: the store keeps no file that no row refers to, for long.

The store writes a blob before the row that refers to it commits (the bytes must be safe
on disk first). Two things can then leave a file behind:

- the transaction rolls back (a refusal, a lost race, a failed commit): `track_new_blob`
  remembered each blob this transaction created, and the `after_transaction_end` hook below
  deletes it again when the transaction ends without committing, unless a committed row
  refers to the same SHA-256 (two documents can share the same bytes) or another upload has
  touched it since (it is about to commit a row of its own). A blob may be written before
  the transaction's first statement, so before it takes the write lock (signing stores its
  PDF so): `track_new_blob` begins the session's transaction, which holds no connection, so
  no lock, until that statement, and its end sees the blob all the same. Written in a
  transaction that ends before the rows are (a `reads_first` request's read phase,
  app/database.py), the blob would be taken back with it;
- the process dies between writing and committing (a worker killed, the power cut): no
  hook runs, so `collect_garbage` (`flask blobs gc`) removes, later, every content-addressed
  file and `.upload-*` temporary file that no row refers to.

What keeps an upload in flight safe from the collector is the grace period: a file is a
candidate only when it was last written or touched more than `grace` seconds ago. An
upload writes its temporary file continuously, moves it into place (or touches the blob
already there, when the same bytes are stored) and then commits its row within moments;
the collector reads which blobs rows refer to once, at its start, so a blob whose row
commits after that read is one it saw being written within the grace period and leaves
alone. Hence the default hour (`BLOB_GC_GRACE_SECONDS`), far above any upload's time from
writing to commit; 0 is only for a store nobody writes to at that moment.

Deleting a blob and reusing it (`BlobStore.put` finding the same bytes) take a lock file
beside the store (`blobs.lock` for `blobs/`, fcntl.flock), so a rollback or the collector
never deletes a blob that an upload has just decided to reuse; two collectors may run at
once (a deletion the other made first is simply done). Only `<root>/ab/cdef…` (the 2 + 62
hex digits of a SHA-256) and `<root>/.upload-*` are ever candidates: any other file in the
store is left alone.
"""

import fcntl
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.models import Document

# The columns whose SHA-256 values name the blobs rows refer to (a signed report is a
# Document too). A new kind of stored file adds its column here.
BLOB_COLUMNS = (Document.sha256,)

TRACKED = "sakip.new_blobs"
LOCK_SUFFIX = ".lock"
TEMP_PREFIX = ".upload-"
_FOLDER = re.compile(r"[0-9a-f]{2}")
_REST = re.compile(r"[0-9a-f]{62}")


@contextmanager
def store_lock(root: Path) -> Iterator[None]:
    """Hold the store's lock: between deciding to delete a blob and deleting it, or between
    finding a blob to reuse and touching it."""
    root.mkdir(parents=True, exist_ok=True)
    # Beside the store, not in it: the store holds only its blobs (backups copy it whole).
    with open(root.with_name(root.name + LOCK_SUFFIX), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def track_new_blob(session: Session, root: Path, sha256: str, mtime_ns: int) -> None:
    """Remember that this transaction created the blob `sha256` (written at `mtime_ns`), to
    delete it if the transaction rolls back."""
    if not session.in_transaction():
        session.begin()  # so that its end, commit or not, is an event that sees the blob
    session.info.setdefault(TRACKED, []).append((root, sha256, mtime_ns))


def referenced(connection: sa.Connection, sha256: str) -> bool:
    """Does a committed row refer to the blob `sha256`?"""
    return any(
        connection.execute(sa.select(sa.literal(1)).where(column == sha256).limit(1)).first()
        for column in BLOB_COLUMNS
    )


def referenced_blobs(connection: sa.Connection) -> set[str]:
    """Return the SHA-256 of every blob a row refers to."""
    found: set[str] = set()
    for column in BLOB_COLUMNS:
        found.update(connection.execute(sa.select(column).distinct()).scalars())
    return found


def _unlink_if(path: Path, keep) -> bool:
    """Delete `path` unless `keep(stat)` says otherwise; tolerate its being gone already."""
    try:
        if keep(path.stat()):
            return False
        path.unlink()
        return True
    except FileNotFoundError:
        return False


@event.listens_for(Session, "after_commit")
def _forget_committed(session: Session) -> None:
    """A committed transaction's blobs are its rows' now (a savepoint's release is not yet)."""
    if not session.in_nested_transaction():
        session.info.pop(TRACKED, None)


@event.listens_for(Session, "after_transaction_end")
def _remove_uncommitted(session: Session, transaction) -> None:
    """When the outer transaction ends without committing (rolled back, or closed), delete
    the blobs it created, unless a committed row refers to the same bytes or another upload
    touched them since. (A savepoint's end waits for the outer transaction: its blob may
    still be wanted, and a committed outer transaction has already forgotten its list.)"""
    if transaction.parent is not None:
        return
    created = session.info.pop(TRACKED, None)
    if not created:
        return
    with session.get_bind().connect() as connection:
        for root, sha256, mtime_ns in created:
            if referenced(connection, sha256):
                continue
            path = root / sha256[:2] / sha256[2:]
            with store_lock(root):
                _unlink_if(path, lambda stat, written=mtime_ns: stat.st_mtime_ns != written)


@dataclass
class Collection:
    """What one run of the collector did."""

    removed: list[str] = field(default_factory=list)
    temporary_removed: list[str] = field(default_factory=list)
    kept_young: int = 0
    referenced: int = 0

    def as_dict(self) -> dict:
        return {
            "removed": len(self.removed),
            "temporary_removed": len(self.temporary_removed),
            "kept_referenced": self.referenced,
            "kept_young": self.kept_young,
        }


def candidates(root: Path) -> Iterator[tuple[Path, str | None]]:
    """Yield the store's content-addressed files (with their SHA-256) and its temporary
    upload files (with None); nothing else."""
    if not root.is_dir():
        return
    for entry in root.iterdir():
        if entry.is_file() and entry.name.startswith(TEMP_PREFIX):
            yield entry, None
        elif entry.is_dir() and _FOLDER.fullmatch(entry.name):
            for blob in entry.iterdir():
                if blob.is_file() and _REST.fullmatch(blob.name):
                    yield blob, entry.name + blob.name


def collect_garbage(connection: sa.Connection, root: Path, grace: float) -> Collection:
    """Remove the blobs no row refers to and the temporary upload files, of those last
    written more than `grace` seconds ago (see the module's docstring for why)."""
    cutoff_ns = time.time_ns() - int(grace * 1e9)
    wanted = referenced_blobs(connection)
    result = Collection()
    for path, sha256 in candidates(root):
        if sha256 in wanted:
            result.referenced += 1
            continue
        with store_lock(root):
            removed = _unlink_if(path, lambda stat: stat.st_mtime_ns > cutoff_ns)
        if removed:
            (result.removed if sha256 else result.temporary_removed).append(path.name)
        elif path.exists():
            result.kept_young += 1
    return result


def touch_or_place(root: Path, tmp_name: str, target: Path) -> int | None:
    """Put the upload `tmp_name` at `target`: reuse (touch) the blob already there, else move
    the file into place. Answer the new blob's mtime (ns), or None when it was reused."""
    with store_lock(root):
        try:
            # Touching says "an upload wants these bytes": neither a rollback's clean-up nor
            # the collector's grace period will take them now.
            os.utime(target)
        except FileNotFoundError:
            target.parent.mkdir(parents=True, exist_ok=True)
            # Atomic: a reader sees the whole file or none of it.
            os.replace(tmp_name, target)
            return target.stat().st_mtime_ns
    os.unlink(tmp_name)
    return None
