"""Tests for backups and restores (app/services/backup/, `flask backup` and `flask restore`): a
round trip keeps every row, every blob and a verifying audit chain; a damaged archive and a
used installation are refused with nothing changed."""

import hashlib
import io
import json
import tarfile
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import create_app
from app.config import TestConfig
from app.extensions import db
from app.services import audit
from app.services.accounts import create_user
from app.services.audit import journal
from app.services.backup.tables import data_tables, schema_revision
from tests.conftest import POSTGRES_SERVER, _config
from tests.helpers import ApiClient, SopRunner, make_users

MANIFEST = "manifest.json"


def table_rows(app) -> dict[str, list[tuple]]:
    """Every row of every table of `app`'s database, in primary key order."""
    with app.app_context(), db.engine.connect() as connection:
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(
                    sa.select(table).order_by(*(table.primary_key.columns or table.columns))
                )
            ]
            for table in data_tables(connection)
        }


def blob_hashes(app) -> dict[str, str]:
    """Every file of `app`'s document store by its path in the store, with its SHA-256."""
    root = Path(app.config["STORAGE_DIR"])
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def journal_of(app) -> Path:
    return journal.journal_path(app.config)


@contextmanager
def fresh_database(engine_name: str, folder: Path):
    """A URI of a new database with no tables, on the engine under test."""
    if engine_name == "sqlite":
        yield f"sqlite:///{folder / 'restored.db'}"
        return
    name = f"sakip_restore_{uuid.uuid4().hex[:8]}"
    server = sa.create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(POSTGRES_SERVER).set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


@pytest.fixture
def target(engine_name, tmp_path):
    """An empty installation (no tables, no store, no journal) with the same audit key."""
    folder = tmp_path / "target"
    folder.mkdir()
    with fresh_database(engine_name, folder) as uri:
        app = create_app(_config(uri, folder / "blobs"))
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def walked(app, api, runner):
    """A finished measurement (with one return and a signed report) and a running one."""
    first = runner.start("2026-Q1")
    step10 = runner.walk_to(first["id"], 10)
    runner.advance(step10, decision="return", note="Lengkapi data dukung.")
    runner.advance(runner.walk_to(first["id"], 12))
    runner.walk_to(runner.start("2026-Q2")["id"], 8)
    return app


@pytest.fixture
def used(app, api, runner):
    """A measurement at step 4, with the documents of step 3."""
    runner.walk_to(runner.start("2026-Q1")["id"], 4)
    return app


def back_up(app, path: Path):
    result = app.test_cli_runner().invoke(args=["backup", "--output", str(path)])
    assert result.exit_code == 0, result.output
    return result


def restore(app, path: Path):
    return app.test_cli_runner().invoke(args=["restore", str(path)])


def rewrite(source: Path, target: Path, change) -> None:
    """Copy the archive `source` to `target`, passing each member's bytes through `change`."""
    with tarfile.open(source) as old, tarfile.open(target, "w") as new:
        for member in old.getmembers():
            content = change(member.name, old.extractfile(member).read())
            info = tarfile.TarInfo(member.name)
            info.size = len(content)
            new.addfile(info, io.BytesIO(content))


def test_round_trip_keeps_every_row_blob_and_the_chain(walked, target, tmp_path):
    """Does a restore into an empty installation bring back every row of every table and
    every blob, with an audit chain (and journal) that verifies under the same key?"""
    source = walked
    rows_before, blobs_before = table_rows(source), blob_hashes(source)
    assert rows_before["document"] and rows_before["signed_report"]
    archive = tmp_path / "cadangan.tar"
    output = back_up(source, archive).output
    assert "The audit key is not in it" in output

    result = restore(target, archive)
    assert result.exit_code == 0, result.output
    assert '"ok": true' in result.output

    rows_after = table_rows(target)
    assert set(rows_after) == set(rows_before)
    for name in rows_before:
        if name not in ("audit_event", "audit_head"):
            assert rows_after[name] == rows_before[name], name
    # The restore is itself an audit event, chained after the restored ones.
    assert rows_after["audit_event"][:-1] == rows_before["audit_event"]
    with target.app_context():
        events = list(audit.iter_rows(1000))
        assert events[-1]["action"] == "backup.restored"
        check = audit.verify_chain()
        assert check.ok and check.checkpoints > 0, check.as_dict()
        # New rows get new ids (PostgreSQL's sequences were moved past the restored rows).
        create_user(username="baru", full_name="Baru", password="x" * 12, roles=["viewer"])
        db.session.commit()
    assert blob_hashes(target) == blobs_before


def test_manifest_lists_every_file_and_not_the_key(used, tmp_path):
    """Does the manifest hold each file's SHA-256, the schema revision and a word on the key,
    while the archive holds no trace of the audit key?"""
    archive = tmp_path / "cadangan.tar"
    back_up(used, archive)
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile(MANIFEST).read())
        for member in tar.getmembers():
            if member.name != MANIFEST:
                content = tar.extractfile(member).read()
                assert (
                    manifest["files"][member.name]["sha256"] == hashlib.sha256(content).hexdigest()
                )
        names = set(tar.getnames())
    with used.app_context(), db.engine.connect() as connection:
        assert manifest["schema_revision"] == schema_revision(connection)
    blobs = {name for name in names if name.startswith("blobs/")}
    assert len(blobs) == manifest["blobs"] == len(blob_hashes(used))
    assert "audit/audit-checkpoints.jsonl" in names
    assert "audit key" in manifest["audit_key"]
    assert TestConfig.AUDIT_KEY.encode() not in archive.read_bytes()


def test_backup_is_an_audit_event(used, tmp_path):
    """Is each backup recorded in the audit trail with the archive's SHA-256?"""
    back_up(used, tmp_path / "cadangan.tar")
    with used.app_context():
        (event,) = [e for e in audit.iter_rows(1000) if e["action"] == "backup.created"]
        digest = hashlib.sha256((tmp_path / "cadangan.tar").read_bytes()).hexdigest()
        assert event["data"]["sha256"] == digest
        assert audit.verify_chain().ok


def test_backup_refuses_to_overwrite(used, tmp_path):
    """Is an existing file never overwritten by a backup?"""
    archive = tmp_path / "ada.tar"
    archive.write_bytes(b"lama")
    result = used.test_cli_runner().invoke(args=["backup", "--output", str(archive)])
    assert result.exit_code != 0
    assert "already exists" in result.output
    assert archive.read_bytes() == b"lama"


def assert_nothing_restored(target) -> None:
    with target.app_context(), db.engine.connect() as connection:
        assert sa.inspect(connection).get_table_names() == []
    assert blob_hashes(target) == {}
    assert not journal_of(target).exists()


def test_damaged_blob_is_refused_before_anything_is_written(used, target, tmp_path):
    """Is an archive with one changed byte in a document refused, with nothing written?"""
    archive, damaged = tmp_path / "cadangan.tar", tmp_path / "rusak.tar"
    back_up(used, archive)
    flipped = []

    def flip_one_blob(name: str, content: bytes) -> bytes:
        if name.startswith("blobs/") and not flipped:
            flipped.append(name)
            return content[:-1] + bytes([content[-1] ^ 1])
        return content

    rewrite(archive, damaged, flip_one_blob)
    result = restore(target, damaged)
    assert result.exit_code != 0
    assert f"{flipped[0]} does not match its SHA-256" in result.output
    assert_nothing_restored(target)


def test_damaged_table_and_truncated_archive_are_refused(used, target, tmp_path):
    """Are a table file edited after the backup and an archive cut short both refused?"""
    archive, edited, cut = tmp_path / "cadangan.tar", tmp_path / "ubah.tar", tmp_path / "potong.tar"
    back_up(used, archive)

    def edit_users(name: str, content: bytes) -> bytes:
        return (
            content.replace(b"Pengguna Camat", b"Pengguna Palsu")
            if "user_account" in name
            else content
        )

    rewrite(archive, edited, edit_users)
    result = restore(target, edited)
    assert result.exit_code != 0 and "user_account" in result.output
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    result = restore(target, cut)
    assert result.exit_code != 0
    assert "nothing was restored" in result.output.lower()
    assert "Traceback" not in result.output
    assert_nothing_restored(target)


def test_restore_into_a_used_installation_is_refused(used, tmp_path):
    """Is a restore into a database that holds data refused, changing nothing?"""
    archive = tmp_path / "cadangan.tar"
    back_up(used, archive)
    before = table_rows(used)
    result = restore(used, archive)
    assert result.exit_code != 0
    assert "not empty" in result.output
    assert table_rows(used) == before


def test_restore_with_another_key_does_not_verify(used, engine_name, tmp_path):
    """Does a restore under another audit key say the chain does not verify (exit 1)?"""
    archive = tmp_path / "cadangan.tar"
    back_up(used, archive)
    folder = tmp_path / "other"
    folder.mkdir()
    with fresh_database(engine_name, folder) as uri:
        other = create_app(
            {**_config(uri, folder / "blobs"), "AUDIT_KEY": "another-key-0123456789"}
        )
        result = restore(other, archive)
        with other.app_context():
            db.session.remove()
            db.engine.dispose()
    assert result.exit_code == 1
    assert '"ok": false' in result.output
    assert "AUDIT_KEY" in result.output


def test_restore_after_init_db_alone(app, runner, target, tmp_path):
    """Is a database that `flask init-db` prepared but nobody used also accepted, its
    reference rows replaced by the archive's (here from a compressed archive)?"""
    runner.walk_to(runner.start("2026-Q1")["id"], 4)
    archive = tmp_path / "cadangan.tar.gz"
    back_up(app, archive)
    assert archive.read_bytes()[:2] == b"\x1f\x8b"  # gzip
    assert target.test_cli_runner().invoke(args=["init-db"]).exit_code == 0
    result = restore(target, archive)
    assert result.exit_code == 0, result.output
    restored, original = table_rows(target), table_rows(app)
    for name in ("task", "sop_version", "holiday", "category_band", "user_account"):
        assert restored[name] == original[name], name


def test_backup_while_the_app_writes(used, target, tmp_path):
    """Is a backup taken while events are being committed a consistent one: its chain and its
    journal verify after the restore?"""
    stop, written = threading.Event(), []

    def keep_writing():
        with used.app_context():
            while not stop.is_set() and len(written) < 500:
                audit.record("test.busy", actor="test", summary=f"sibuk {len(written)}")
                db.session.commit()
                written.append(1)
            db.session.remove()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        while len(written) < 5:
            time.sleep(0.01)
        back_up(used, tmp_path / "cadangan.tar")
    finally:
        stop.set()
        writer.join()
    result = restore(target, tmp_path / "cadangan.tar")
    assert result.exit_code == 0, result.output
    with target.app_context():
        busy = [e for e in audit.iter_rows(1000) if e["action"] == "test.busy"]
        assert 5 <= len(busy) <= len(written)
        assert audit.verify_chain().ok


def test_sqlite_archive_restores_into_postgres(sqlite_app, tmp_path, request):
    """Does an office moving from SQLite to PostgreSQL carry everything over with a backup?"""
    request.getfixturevalue("postgres_database")  # skips when no PostgreSQL is there
    with sqlite_app.app_context():
        make_users()
    client = ApiClient(sqlite_app.test_client())
    runner = SopRunner(client)
    runner.walk_to(runner.start("2026-Q1")["id"], 9)
    before = table_rows(sqlite_app)
    back_up(sqlite_app, tmp_path / "cadangan.tar")
    folder = tmp_path / "pg"
    folder.mkdir()
    with fresh_database("postgres", folder) as uri:
        moved = create_app(_config(uri, folder / "blobs"))
        result = restore(moved, tmp_path / "cadangan.tar")
        assert result.exit_code == 0, result.output
        after = table_rows(moved)
        with moved.app_context():
            db.session.remove()
            db.engine.dispose()
    for name in before:
        if name not in ("audit_event", "audit_head"):
            assert after[name] == before[name], name
    assert after["audit_event"][: len(before["audit_event"])] == before["audit_event"]
