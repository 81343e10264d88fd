"""Writing a backup archive while the app runs.

The journal is copied first (so it names no event the snapshot lacks), then the database is
read in one consistent snapshot (SQLite's online backup API; one repeatable-read, read-only
transaction on PostgreSQL), then the store (a blob is stored before the row naming it
commits, so every document of the snapshot has its file).
"""

import hashlib
import io
import json
import os
import re
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from app.services import audit
from app.services.backup.tables import data_tables, dump_table, schema_revision

FORMAT = "sakip-backup/1"
MANIFEST = "manifest.json"
JOURNAL_MEMBER = "audit/audit-checkpoints.jsonl"
MEMBER_NAME = re.compile(
    r"database/\d{3}-[A-Za-z0-9_]{1,63}\.jsonl|blobs/[0-9a-f]{2}/[0-9a-f]{62}|"
    + re.escape(JOURNAL_MEMBER)
)
BLOB_NAME = re.compile(r"[0-9a-f]{2}/[0-9a-f]{62}")
KEY_NOTE = (
    "Not included: the audit key (AUDIT_KEY or the file AUDIT_KEY_FILE) lives outside the "
    "database and is never part of a backup. Keep a copy of it apart; restoring and "
    "verifying this audit trail needs the same key."
)
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup that cannot be made, or an archive that cannot be restored, and why."""


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    sha256: str
    size: int
    tables: int
    rows: int
    blobs: int
    events: int


class _HashingReader:
    """A file read through, counting and hashing what tarfile copies."""

    def __init__(self, handle: IO[bytes]):
        self.handle = handle
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self.handle.read(size)
        self.digest.update(chunk)
        self.size += len(chunk)
        return chunk


def _add_file(tar: tarfile.TarFile, member: str, path: Path) -> dict:
    info = tarfile.TarInfo(member)
    info.size = path.stat().st_size
    info.mode = 0o600
    info.mtime = int(path.stat().st_mtime)
    with path.open("rb") as handle:
        reader = _HashingReader(handle)
        tar.addfile(info, reader)
    if reader.size != info.size:
        raise BackupError(f"{path} changed while it was being backed up")
    return {"sha256": reader.digest.hexdigest(), "size": reader.size}


def _add_bytes(tar: tarfile.TarFile, member: str, content: bytes) -> None:
    info = tarfile.TarInfo(member)
    info.size = len(content)
    info.mode = 0o600
    info.mtime = int(datetime.now(UTC).timestamp())
    tar.addfile(info, io.BytesIO(content))


def _copy_journal(journal: Path, work: Path) -> tuple[Path | None, int]:
    """Copy the journal's whole lines (a line being appended right now waits for the next
    backup); answer the copy and its number of checkpoints."""
    try:
        content = journal.read_bytes()
    except FileNotFoundError:
        return None, 0
    content = content[: content.rfind(b"\n") + 1]
    if not content:
        return None, 0
    copy = work / "journal.jsonl"
    copy.write_bytes(content)
    return copy, sum(1 for line in content.splitlines() if line.strip())


@contextmanager
def _snapshot(engine: Engine, work: Path) -> Iterator[Connection]:
    """A connection that sees one consistent state of the database while writers go on."""
    if engine.dialect.name == "sqlite":
        copy = work / "snapshot.sqlite"
        raw = engine.raw_connection()
        try:
            target = sqlite3.connect(copy)
            try:
                raw.driver_connection.backup(target)
            finally:
                target.close()
        finally:
            raw.close()
        snapshot = sa.create_engine(f"sqlite:///{copy}")
        try:
            with snapshot.connect() as connection:
                yield connection
        finally:
            snapshot.dispose()
        return
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            connection.execute(sa.text("SET TRANSACTION READ ONLY"))
            yield connection


def _audit_state(connection: Connection) -> dict:
    events = connection.execute(sa.text("SELECT COUNT(*) FROM audit_event")).scalar()
    head = connection.execute(
        sa.text("SELECT last_event_id, last_hash FROM audit_head WHERE id = 1")
    ).first()
    return {
        "events": events,
        "head_event_id": head.last_event_id if head else None,
        "head_hash": head.last_hash if head else None,
    }


def _dump_database(connection: Connection, work: Path) -> tuple[list[dict], list[tuple]]:
    """Dump every table to a file of `work`; answer the manifest's tables and the files."""
    tables, files = [], []
    for number, table in enumerate(data_tables(connection), start=1):
        member = f"database/{number:03d}-{table.name}.jsonl"
        path = work / f"{number:03d}.jsonl"
        with path.open("w", encoding="utf-8") as out:
            dump = dump_table(connection, table, out)
        tables.append(
            {"name": dump.name, "file": member, "columns": dump.columns, "rows": dump.rows}
        )
        files.append((member, path))
    return tables, files


def _blobs(store: Path) -> Iterator[tuple[str, Path]]:
    if not store.is_dir():
        return
    for path in sorted(store.glob("??/*")):
        relative = path.relative_to(store).as_posix()
        if path.is_file() and BLOB_NAME.fullmatch(relative):
            yield f"blobs/{relative}", path


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def create_backup(
    output: Path, *, engine: Engine, store: Path, journal: Path, actor: str = "cli"
) -> BackupSummary:
    """Write the archive `output` (refusing to overwrite a file) and record the backup in the
    audit trail (the caller commits)."""
    output = Path(output)
    if output.exists():
        raise BackupError(f"{output} already exists: name a new file.")
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    mode = "w:gz" if output.name.endswith((".tar.gz", ".tgz")) else "w"
    with tempfile.TemporaryDirectory(prefix="sakip-backup-") as folder:
        work = Path(folder)
        journal_copy, checkpoints = _copy_journal(journal, work)
        with _snapshot(engine, work) as connection:
            revision = schema_revision(connection)
            if revision is None:
                raise BackupError("The database has no schema yet: nothing to back up.")
            tables, table_files = _dump_database(connection, work)
            audit_state = _audit_state(connection)
        files: dict[str, dict] = {}
        try:
            with tarfile.open(partial, mode) as tar:
                for member, path in table_files:
                    files[member] = _add_file(tar, member, path)
                if journal_copy is not None:
                    files[JOURNAL_MEMBER] = _add_file(tar, JOURNAL_MEMBER, journal_copy)
                blobs = 0
                for member, path in _blobs(store):
                    files[member] = _add_file(tar, member, path)
                    blobs += 1
                manifest = {
                    "format": FORMAT,
                    "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "engine": engine.dialect.name,
                    "schema_revision": revision,
                    "tables": tables,
                    "blobs": blobs,
                    "audit": {
                        **audit_state,
                        "journal": JOURNAL_MEMBER if journal_copy else None,
                        "checkpoints": checkpoints,
                    },
                    "audit_key": KEY_NOTE,
                    "files": files,
                }
                content = json.dumps(manifest, indent=1, ensure_ascii=False).encode()
                _add_bytes(tar, MANIFEST, content)
            os.replace(partial, output)
        finally:
            partial.unlink(missing_ok=True)
    summary = BackupSummary(
        path=output,
        sha256=_file_sha256(output),
        size=output.stat().st_size,
        tables=len(tables),
        rows=sum(t["rows"] for t in tables),
        blobs=blobs,
        events=audit_state["events"],
    )
    audit.record(
        "backup.created",
        actor=actor,
        summary=f"Cadangan dibuat: {output.name} ({summary.rows} baris, {blobs} berkas)",
        data={
            "file": output.name,
            "sha256": summary.sha256,
            "size": summary.size,
            "tables": summary.tables,
            "rows": summary.rows,
            "blobs": blobs,
            "audit_events": summary.events,
            "schema_revision": revision,
        },
    )
    return summary
