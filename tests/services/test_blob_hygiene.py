"""Blob hygiene: a rolled-back upload leaves no file; `flask blobs gc` removes orphans only."""

import hashlib
import io
import os
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.demo import demo_pdf
from app.errors import DomainError
from app.extensions import db
from app.models import Document, Task, User
from app.services import documents
from app.services.blob_hygiene import collect_garbage
from app.services.documents import configured_store


def _store_files(root: Path) -> set[str]:
    """Every file in the store, as a path relative to it."""
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def _blob_name(content: bytes) -> str:
    sha = hashlib.sha256(content).hexdigest()
    return f"{sha[:2]}/{sha[2:]}"


def _step3(runner) -> dict:
    """The open step 3 of a new measurement (the Kepala Seksi's uploads)."""
    return runner.walk_to(runner.start()["id"], 3)


def _committed_blobs(app) -> set[str]:
    with app.app_context():
        shas = db.session.scalars(sa.select(Document.sha256)).all()
    return {f"{sha[:2]}/{sha[2:]}" for sha in shas}


def _refuse_after_storing(monkeypatch) -> None:
    """Make every upload fail after its bytes are stored, before its row commits."""

    def refuse(*args, **kwargs):
        raise DomainError(409, "conflict")

    monkeypatch.setattr(documents.audit, "record", refuse)


def test_rolled_back_upload_leaves_no_file(app, api, runner, monkeypatch):
    """Does an upload whose request is refused after the store wrote its bytes leave no
    file behind, while the documents that committed keep theirs?"""
    task = _step3(runner)
    kept = demo_pdf("Nota Dinas", ["disimpan"])
    assert api.upload(task["id"], "Nota Dinas", "kasi", content=kept).status_code == 201
    _refuse_after_storing(monkeypatch)
    lost = demo_pdf("Nota Dinas", ["dibatalkan"])
    assert api.upload(task["id"], "Nota Dinas", "kasi", content=lost).status_code == 409
    root = Path(app.config["STORAGE_DIR"])
    assert _store_files(root) == {_blob_name(kept)}


def test_rollback_keeps_bytes_another_document_shares(app, api, runner, monkeypatch):
    """When a rolled-back upload carries the same bytes as a committed document, is the
    shared blob kept?"""
    task = _step3(runner)
    shared = demo_pdf("Nota Dinas", ["sama"])
    assert api.upload(task["id"], "Nota Dinas", "kasi", content=shared).status_code == 201
    _refuse_after_storing(monkeypatch)
    assert api.upload(task["id"], "Surat Undangan", "kasi", content=shared).status_code == 409
    assert _store_files(Path(app.config["STORAGE_DIR"])) == {_blob_name(shared)}


def test_rollback_keeps_a_blob_a_row_committed_meanwhile(app_ctx, api, runner):
    """If another transaction commits a row referring to the new blob before this one rolls
    back, or another upload touches it, does the rollback leave the blob alone?"""
    task = _step3(runner)
    assert api.upload(task["id"], "Nota Dinas", "kasi").status_code == 201
    store = configured_store()
    content = demo_pdf("Baru", ["x"])
    sha, _ = store.put(content[:16], _stream(content[16:]), 10**6)
    with db.engine.begin() as other:  # another request commits a row with the same bytes
        other.execute(sa.update(Document).values(sha256=sha))
    db.session.rollback()
    assert store.path_of(sha).exists()

    touched = demo_pdf("Disentuh", ["y"])
    sha2, _ = store.put(touched[:16], _stream(touched[16:]), 10**6)
    time.sleep(0.01)
    store.put(touched[:16], _stream(touched[16:]), 10**6)  # a second upload reuses it
    db.session.rollback()
    assert store.path_of(sha2).exists()


def _stream(rest: bytes):
    return io.BytesIO(rest)


def _plant_orphans(root: Path, age_seconds: float) -> dict[str, Path]:
    """Leave what a killed worker leaves (a blob with no row, a half-written `.upload-*`), and
    files the collector must never touch, all `age_seconds` old."""
    orphan = b"%PDF-1.4 orphan of a killed worker"
    sha = hashlib.sha256(orphan).hexdigest()
    planted = {
        "orphan": root / sha[:2] / sha[2:],
        "temporary": root / ".upload-killed123",
        "foreign": root / "README.txt",
        "odd_folder": root / "zz" / ("0" * 62),
        "short_name": root / sha[:2] / "abc",
    }
    for path in planted.values():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(orphan)
        old = time.time() - age_seconds
        os.utime(path, (old, old))
    return planted


def test_gc_leaves_exactly_the_referenced_blobs(app, api, runner, monkeypatch):
    """After a rolled-back upload and a worker killed mid-upload, does `flask blobs gc
    --grace 0` leave exactly the blobs rows refer to, and every file that is not a blob?"""
    task = _step3(runner)
    assert api.upload(task["id"], "Nota Dinas", "kasi").status_code == 201
    root = Path(app.config["STORAGE_DIR"])
    planted = _plant_orphans(root, age_seconds=10)
    with monkeypatch.context() as patch:
        _refuse_after_storing(patch)
        refused = demo_pdf("Surat Undangan", ["ditolak"])
        assert api.upload(task["id"], "Surat Undangan", "kasi", content=refused).status_code == 409

    result = app.test_cli_runner().invoke(args=["blobs", "gc", "--grace", "0"])
    assert result.exit_code == 0, result.output
    assert '"removed": 1' in result.output and '"temporary_removed": 1' in result.output
    untouched = {
        str(planted[name].relative_to(root)) for name in ("foreign", "odd_folder", "short_name")
    }
    assert _store_files(root) == _committed_blobs(app) | untouched
    assert len(_committed_blobs(app)) == 1


# On SQLite an upload's transaction holds the write lock from its start, so a collector
# (which takes it too) waits until the upload has committed: there is nothing to race.
@pytest.mark.parametrize("engine_name", ["postgres"])
def test_gc_spares_an_upload_in_flight(app_ctx, api, runner, engine_name):
    """While an upload has stored its bytes but not yet committed its row, does `flask blobs
    gc` with a grace period leave that blob (removing the old orphans), so that the upload
    commits a document whose file is there?"""
    task = db.session.get(Task, _step3(runner)["id"])
    root = Path(app_ctx.config["STORAGE_DIR"])
    planted = _plant_orphans(root, age_seconds=7200)
    content = demo_pdf("Dalam proses", ["unggah"])
    sha, _ = configured_store().put(content[:16], _stream(content[16:]), 10**6)

    # The bytes are stored, the row not yet written: the collector runs now.
    result = app_ctx.test_cli_runner().invoke(args=["blobs", "gc", "--grace", "3600"])
    assert result.exit_code == 0, result.output
    assert not planted["orphan"].exists() and not planted["temporary"].exists()
    assert planted["foreign"].exists()
    document = documents.upload_document(
        task,
        kind="Nota Dinas",
        filename="nota.pdf",
        stream=io.BytesIO(content),
        actor=db.session.scalar(sa.select(User).filter_by(username="kasi")),
        store=configured_store(),
        limit=10**6,
    )
    db.session.commit()
    assert document.sha256 == sha
    assert configured_store().path_of(sha).read_bytes() == content


def test_gc_default_grace_comes_from_the_config(app_ctx):
    """Does `flask blobs gc` without --grace keep files younger than BLOB_GC_GRACE_SECONDS?"""
    root = Path(app_ctx.config["STORAGE_DIR"])
    planted = _plant_orphans(root, age_seconds=60)
    app_ctx.config["BLOB_GC_GRACE_SECONDS"] = 120
    assert app_ctx.test_cli_runner().invoke(args=["blobs", "gc"]).exit_code == 0
    assert planted["orphan"].exists()
    app_ctx.config["BLOB_GC_GRACE_SECONDS"] = 30
    assert app_ctx.test_cli_runner().invoke(args=["blobs", "gc"]).exit_code == 0
    assert not planted["orphan"].exists()


@pytest.mark.parametrize("runs", [4])
def test_two_collectors_at_once(app_ctx, runs):
    """Do collectors running at the same time all finish, removing each orphan once?"""
    root = Path(app_ctx.config["STORAGE_DIR"])
    for n in range(40):
        content = f"orphan {n}".encode()
        sha = hashlib.sha256(content).hexdigest()
        (root / sha[:2]).mkdir(parents=True, exist_ok=True)
        (root / sha[:2] / sha[2:]).write_bytes(content)
    results, errors = [], []
    engine = db.engine

    def collect():
        try:
            with engine.connect() as connection:
                results.append(collect_garbage(connection, root, grace=0))
        except Exception as error:  # the assertion below names it
            errors.append(error)

    threads = [threading.Thread(target=collect) for _ in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(len(r.removed) for r in results) == 40
    assert _store_files(root) == set()
