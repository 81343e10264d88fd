"""Restoring a backup archive into an empty installation.

Nothing is written until the whole archive has been read and every file's SHA-256 and size
agree with the manifest, and the installation is found empty: a database never used (no
schema at all, or one at the archive's revision with neither a user nor an audit event) and
no audit journal. Then the schema is built to the archive's revision if needed, the blobs are put in
the store, every table is loaded in one transaction, and the journal is written last.
"""

import hashlib
import io
import json
import os
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from flask import current_app
from flask_migrate import upgrade
from sqlalchemy.engine import Engine

from app.services.backup.archive import (
    BLOB_NAME,
    CHUNK,
    FORMAT,
    JOURNAL_MEMBER,
    MANIFEST,
    MEMBER_NAME,
    BackupError,
)
from app.services.backup.tables import (
    data_tables,
    load_table,
    reset_sequences,
    row_counts,
    schema_revision,
)

# The tables an installation that has been used holds rows in.
USED_WHEN = ("audit_event", "user_account")
# What a damaged or foreign file raises while it is read as a (possibly gzipped) tar.
UNREADABLE = (tarfile.TarError, EOFError, OSError, zlib.error, UnicodeDecodeError, ValueError)


@dataclass(frozen=True)
class RestoreSummary:
    tables: int
    rows: int
    blobs: int
    checkpoints: int
    schema_revision: str
    created_at: str


def _member_digest(tar: tarfile.TarFile, member: tarfile.TarInfo) -> tuple[str, int]:
    handle = tar.extractfile(member)
    digest, size = hashlib.sha256(), 0
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def _load_manifest(tar: tarfile.TarFile) -> dict:
    try:
        member = tar.getmember(MANIFEST)
        manifest = json.loads(tar.extractfile(member).read())
    except KeyError:
        raise BackupError(
            "The archive has no manifest.json (not a backup, or cut short): nothing was restored."
        ) from None
    except (json.JSONDecodeError, AttributeError):
        raise BackupError("The archive's manifest.json is damaged: nothing was restored.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(
            f"The archive is not a backup of this app ({FORMAT}): nothing was restored."
        )
    tables = manifest.get("tables")
    if (
        not isinstance(manifest.get("files"), dict)
        or not isinstance(tables, list)
        or not all(_is_table_entry(table) for table in tables)
    ):
        raise BackupError("The archive's manifest.json is damaged: nothing was restored.")
    return manifest


def _is_table_entry(table) -> bool:
    return (
        isinstance(table, dict)
        and isinstance(table.get("name"), str)
        and isinstance(table.get("file"), str)
        and isinstance(table.get("columns"), list)
        and isinstance(table.get("rows"), int)
    )


def _check_members(tar: tarfile.TarFile, manifest: dict) -> None:
    """Every file the manifest lists is there with its SHA-256 and size; nothing else is."""
    expected = manifest["files"]
    seen = set()
    problems = []
    for member in tar.getmembers():
        if member.name == MANIFEST:
            continue
        if not member.isfile() or not MEMBER_NAME.fullmatch(member.name):
            problems.append(f"unexpected entry {member.name!r}")
            continue
        if member.name not in expected:
            problems.append(f"{member.name} is not in the manifest")
            continue
        seen.add(member.name)
        sha256, size = _member_digest(tar, member)
        want = expected[member.name]
        if not isinstance(want, dict) or (sha256, size) != (want.get("sha256"), want.get("size")):
            problems.append(f"{member.name} does not match its SHA-256 in the manifest")
    problems += [f"{name} is missing" for name in sorted(set(expected) - seen)]
    files = {table["file"] for table in manifest["tables"]}
    if len(files) != len(manifest["tables"]) or not files <= seen:
        problems.append("the manifest's tables do not match its files")
    if problems:
        shown = "; ".join(problems[:5]) + ("; …" if len(problems) > 5 else "")
        raise BackupError(f"The archive is damaged, nothing was restored: {shown}.")


def read_manifest(archive: Path) -> dict:
    """Read the archive through, check every file against the manifest, answer the manifest."""
    try:
        with tarfile.open(archive, "r:*") as tar:
            manifest = _load_manifest(tar)
            _check_members(tar, manifest)
    except UNREADABLE as error:
        raise BackupError(f"The archive cannot be read ({error}); nothing was restored.") from None
    return manifest


def _check_empty(engine: Engine, journal: Path) -> str | None:
    """Refuse an installation that has been used; answer its schema revision (None: none).

    Every use of the app writes audit events (a user created, a sign-in, a measurement), so a
    database with neither an audit event nor a user holds only what the migrations and
    `flask init-db` load (the SOPs, the calendar, the default scale), which the archive's
    rows replace."""
    with engine.connect() as connection:
        counts = row_counts(connection)
        revision = schema_revision(connection)
    used = {name: counts.get(name, 0) for name in USED_WHEN}
    if any(used.values()):
        listed = ", ".join(f"{name}: {rows} rows" for name, rows in used.items())
        raise BackupError(
            f"The database is not empty ({listed}): restore only into a new database (create "
            "it empty, or with `flask init-db` alone). Nothing was restored."
        )
    if journal.exists() and journal.stat().st_size:
        raise BackupError(
            f"The audit journal {journal} already holds checkpoints of another chain: restore "
            "into an installation without one. Nothing was restored."
        )
    if counts and revision is None:
        raise BackupError("The database has tables but no migration record: use a new one.")
    return revision


def _prepare_schema(current: str | None, wanted: str) -> None:
    """Build the schema at the archive's revision, or check that the empty one is at it."""
    if current == wanted:
        return
    if current is not None:
        raise BackupError(
            f"The empty database is at schema revision {current}, the archive at {wanted}: "
            "restore into a database without tables. Nothing was restored."
        )
    config = current_app.extensions["migrate"].migrate.get_config()
    try:
        ScriptDirectory.from_config(config).get_revision(wanted)
    except CommandError:
        raise BackupError(
            f"The archive's schema revision {wanted} is unknown to this version of the app "
            "(a backup of a newer version?): restore it with that version. Nothing was restored."
        ) from None
    upgrade(revision=wanted)


def _put_blob(tar: tarfile.TarFile, member: str, store: Path, sha256: str) -> None:
    relative = member.removeprefix("blobs/")
    if not BLOB_NAME.fullmatch(relative):
        raise BackupError(f"unexpected blob name {member!r}")
    target = store / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    handle = tar.extractfile(member)
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=".restore-")
    try:
        digest = hashlib.sha256()
        with os.fdopen(descriptor, "wb") as out:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != sha256:
            raise BackupError(f"{member} changed while it was being restored")
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _load_database(tar: tarfile.TarFile, engine: Engine, manifest: dict) -> int:
    """Load every table in one transaction, in dependency order; answer the rows loaded."""
    listed = {table["name"]: table for table in manifest["tables"]}
    rows = 0
    with engine.begin() as connection:
        tables = data_tables(connection)
        names = {table.name for table in tables}
        if names != set(listed):
            raise BackupError(
                "The archive's tables differ from this schema's "
                f"(only in the archive: {sorted(set(listed) - names)}, "
                f"only here: {sorted(names - set(listed))}). Nothing was restored."
            )
        # What the migrations and `flask init-db` seeded gives way to the archive's rows.
        for table in reversed(tables):
            connection.execute(table.delete())
        for table in tables:
            entry = listed[table.name]
            if set(entry["columns"]) != {column.name for column in table.columns}:
                raise BackupError(f"The columns of {table.name} differ from the archive's.")
            with io.TextIOWrapper(tar.extractfile(entry["file"]), encoding="utf-8") as lines:
                loaded = load_table(connection, table, entry["columns"], lines)
            if loaded != entry["rows"]:
                raise BackupError(f"{table.name}: {loaded} rows, the manifest says {entry['rows']}")
            rows += loaded
        reset_sequences(connection, tables)
    return rows


def _write_journal(tar: tarfile.TarFile, journal: Path) -> None:
    journal.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(journal, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(tar.extractfile(JOURNAL_MEMBER).read())


def restore_backup(archive: Path, *, engine: Engine, store: Path, journal: Path) -> RestoreSummary:
    """Restore `archive` into this empty installation (database, store, journal); refuse,
    changing nothing, a damaged archive or an installation that is not empty."""
    manifest = read_manifest(archive)
    revision = manifest.get("schema_revision")
    if not isinstance(revision, str):
        raise BackupError("The archive's manifest names no schema revision.")
    current = _check_empty(engine, journal)
    _prepare_schema(current, revision)
    blobs = {name: entry for name, entry in manifest["files"].items() if name.startswith("blobs/")}
    try:
        with tarfile.open(archive, "r:*") as tar:
            for member, entry in blobs.items():
                _put_blob(tar, member, store, entry["sha256"])
            rows = _load_database(tar, engine, manifest)
            if JOURNAL_MEMBER in manifest["files"]:
                _write_journal(tar, journal)
    except UNREADABLE as error:
        raise BackupError(f"The archive could not be restored ({error}).") from None
    except sa.exc.SQLAlchemyError as error:
        reason = getattr(error, "orig", None) or error
        raise BackupError(f"The database refused the archive's rows ({reason}).") from None
    return RestoreSummary(
        tables=len(manifest["tables"]),
        rows=rows,
        blobs=len(blobs),
        checkpoints=int(manifest.get("audit", {}).get("checkpoints") or 0),
        schema_revision=revision,
        created_at=str(manifest.get("created_at")),
    )
