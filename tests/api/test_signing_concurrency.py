"""Signing holds the write lock only to store (app/services/signing.py, app/database.py):
the password's hash and the PDF's render and signature come first, so a move does not wait
for a render; and what changed in between is refused, never signed unseen."""

import hashlib
import io
import sqlite3
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from app.extensions import db
from app.models import AuditEvent, Document, SignedReport, Task
from app.services import accounts, documents, pades, reports, routing
from tests.api import test_signing as signing_tests
from tests.api.test_signing_paper import SCAN
from tests.helpers import PASSWORD
from tests.write_locks import LOCK, WriteLocks, takes_lock

office = signing_tests.office
measured = signing_tests.measured
signing_task = signing_tests.signing_task
error_of = signing_tests.error_of
SIGNED_KIND = signing_tests.SIGNED_KIND
PERIOD = signing_tests.PERIOD

# How long one thread of a test waits for another before the test fails.
WAIT = 20


def in_thread(function, *args):
    """Run `function(*args)` in a thread of its own (its own request contexts), and answer
    what it returned; fail when it does not finish in time."""
    outcome: dict = {}

    def run():
        try:
            outcome["value"] = function(*args)
        except Exception as error:  # re-raised below, in the test's thread
            outcome["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=WAIT)
    assert not thread.is_alive(), f"{function.__name__} did not finish in {WAIT} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def sign_request(app, api, task: dict, password: str = PASSWORD):
    """POST the signing with a client of its own (safe in another thread)."""
    return app.test_client().post(
        f"/api/v1/tasks/{task['id']}/sign",
        json={"password": password},
        headers=api.headers("camat"),
    )


def wrap(monkeypatch, owner, name: str, before):
    """Replace `owner.name` by a function calling `before()` and then the original."""
    original = getattr(owner, name)

    def wrapper(*args, **kwargs):
        before()
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, wrapper)


def lock_is_free(app, task_id: int) -> bool:
    """Can another connection take the lock a move takes, this instant, without waiting?"""
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        other = sqlite3.connect(url.database, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            return True
        except sqlite3.OperationalError:
            return False
        finally:
            other.close()
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.select(Task.id).where(Task.id == task_id).with_for_update(nowait=True)
            )
        return True
    except sa.exc.OperationalError:
        return False
    finally:
        engine.dispose()


def signed_reports(app) -> list[SignedReport]:
    with app.app_context():
        found = db.session.scalars(sa.select(SignedReport)).all()
        db.session.expunge_all()
        return found


def watch_the_signing(app, monkeypatch, task_id: int) -> tuple[WriteLocks, list[bool]]:
    """Record when a signing of task `task_id` checks the password, signs the PDF and has
    written it to the store, among its lock events, and whether, while the PDF is signed
    and once it is stored, another connection could take the lock at once (appended to the
    list answered)."""
    free = []
    with app.app_context():
        locks = WriteLocks(db.engine)
    wrap(monkeypatch, accounts, "password_matches", lambda: locks.mark("password"))
    wrap(
        monkeypatch,
        pades,
        "sign_pdf",
        lambda: (locks.mark("render"), free.append(lock_is_free(app, task_id))),
    )
    put = documents.BlobStore.put

    def put_and_look(store, *args, **kwargs):
        written = put(store, *args, **kwargs)
        locks.mark("stored")
        free.append(lock_is_free(app, task_id))
        return written

    monkeypatch.setattr(documents.BlobStore, "put", put_and_look)
    return locks, free


def stored_files(app) -> set[str]:
    """Every file in the document store, as a path relative to it."""
    root = Path(app.config["STORAGE_DIR"])
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}


def test_the_password_and_the_render_come_before_the_write_lock(
    app, api, signing_task, monkeypatch
):
    """The signing request checks the password, renders and signs the PDF and writes it to
    the store before its transaction takes the write lock (SQLite) or the task's row lock
    (PostgreSQL): while the PDF is signed, and once it is stored, another connection takes
    that lock at once."""
    api.headers("camat")
    locks, free = watch_the_signing(app, monkeypatch, signing_task["id"])
    with locks:
        response = sign_request(app, api, signing_task)
    assert response.status_code == 200, response.get_json()
    assert free == [True, True]
    assert locks.log[:3] == ["password", "render", "stored"]
    assert set(locks.log[3:]) == {LOCK}
    # Written before the lock, and kept: the read transaction's end did not take it back.
    file_sha256 = response.get_json()["report"]["file_sha256"]
    assert f"{file_sha256[:2]}/{file_sha256[2:]}" in stored_files(app)


def test_a_wrong_password_takes_the_write_lock_only_to_count_it(
    app, api, signing_task, monkeypatch
):
    """A wrong password is checked before any write lock, renders nothing, and is then
    counted and audited in a write transaction of its own."""
    api.headers("camat")
    with app.app_context():
        locks = WriteLocks(db.engine)
    wrap(monkeypatch, accounts, "password_matches", lambda: locks.mark("password"))
    wrap(monkeypatch, reports, "report_pdf", lambda: locks.mark("render"))
    with locks:
        response = sign_request(app, api, signing_task, password="salah")
    error_of(response, 422, "invalid_password")
    assert locks.log[0] == "password"
    assert set(locks.log[1:]) == {LOCK}
    with app.app_context():
        failed = db.session.scalar(
            sa.select(sa.func.count()).where(AuditEvent.action == "report.sign_failed")
        )
    assert failed == 1


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_a_move_completes_while_a_signing_renders(app, api, runner, signing_task, monkeypatch):
    """On a SQLite file, a move of another measurement sent while a signing is rendering its
    PDF is answered before that render ends, and both go through."""
    other = runner.open_task(runner.start("2026-Q2")["id"])
    runner.attach_outputs(other)
    mover = runner.actor_of(other["step_no"])
    move_headers = api.headers(mover)
    api.headers("camat")
    rendering, moved = threading.Event(), threading.Event()
    moved_during_render = []

    def hold_the_render():
        rendering.set()
        moved_during_render.append(moved.wait(WAIT))

    wrap(monkeypatch, reports, "report_pdf", hold_the_render)
    signing = threading.Thread(
        target=lambda: moved_during_render.append(sign_request(app, api, signing_task))
    )
    signing.start()
    try:
        assert rendering.wait(WAIT), "the signing never rendered"
        move = app.test_client().post(
            f"/api/v1/tasks/{other['id']}/complete", json={}, headers=move_headers
        )
        moved.set()
    finally:
        moved.set()
        signing.join(timeout=WAIT)
    assert move.status_code == 200, move.get_json()
    waited, signed = moved_during_render
    assert waited, "the move waited for the render"
    assert signed.status_code == 200, signed.get_json()
    assert [report.instance_id for report in signed_reports(app)] == [signing_task["instance_id"]]


def test_figures_changed_during_the_render_are_refused(app, api, signing_task, monkeypatch):
    """A realisation saved while the report is being rendered: the signing is 409
    report_changed and keeps nothing, not even the file it stored before the lock; signed
    again, the report states the new figure."""
    headers = api.headers("anggota")
    api.headers("camat")

    def change_the_figures():
        response = app.test_client().put(
            f"/api/v1/indicators/PEM-01/values/{PERIOD}", json={"realization": 75}, headers=headers
        )
        assert response.status_code == 200, response.get_json()

    wrap(monkeypatch, pades, "sign_pdf", lambda: in_thread(change_the_figures))
    before = stored_files(app)
    error_of(sign_request(app, api, signing_task), 409, "report_changed")
    assert stored_files(app) == before, "the refused report's file was left in the store"
    task = api.get(f"/api/v1/tasks/{signing_task['id']}").get_json()
    assert (task["status"], task["version"]) == ("open", signing_task["version"])
    assert signed_reports(app) == []
    with app.app_context():
        assert db.session.scalar(sa.select(Document).filter_by(task_id=task["id"])) is None
    monkeypatch.undo()
    assert sign_request(app, api, signing_task).status_code == 200
    (report,) = signed_reports(app)
    (section,) = report.content["measurement"]["sections"]
    assert section["indicators"][0]["realization"] == "75"


def test_a_paper_signature_recorded_during_the_render_wins(app, api, signing_task, monkeypatch):
    """The scan of the ink-signed report recorded and step 12 completed while the signing
    renders: the signing is 409 task_not_open, and the paper report is the one kept (its
    scan the only file added to the store)."""
    headers = api.headers("camat")

    def sign_on_paper():
        client = app.test_client()
        upload = client.post(
            f"/api/v1/tasks/{signing_task['id']}/documents",
            data={
                "kind": SIGNED_KIND,
                "file": (io.BytesIO(SCAN), "pindaian.pdf"),
                "signed_on_paper": "true",
            },
            headers=headers,
            content_type="multipart/form-data",
        )
        assert upload.status_code == 201, upload.get_json()
        done = client.post(f"/api/v1/tasks/{signing_task['id']}/complete", json={}, headers=headers)
        assert done.status_code == 200, done.get_json()

    wrap(monkeypatch, pades, "sign_pdf", lambda: in_thread(sign_on_paper))
    before = stored_files(app)
    error_of(sign_request(app, api, signing_task), 409, "task_not_open")
    (report,) = signed_reports(app)
    assert report.signed_on_paper
    scan = hashlib.sha256(SCAN).hexdigest()
    assert stored_files(app) == before | {f"{scan[:2]}/{scan[2:]}"}
    with app.app_context():
        kinds = db.session.scalars(
            sa.select(Document.signed_on_paper).filter_by(task_id=signing_task["id"])
        ).all()
    assert kinds == [True]


@pytest.mark.parametrize("failing", ["lock_task", "complete_task"])
def test_a_signing_failing_after_storing_its_file_leaves_no_file(
    app, api, signing_task, monkeypatch, failing
):
    """A signing that fails once its PDF is in the store, before its transaction's first
    statement (taking the task's lock) or after its rows are written (the move), answers
    500 and leaves neither a row nor the file behind."""
    api.headers("camat")

    def fail(*args, **kwargs):
        raise RuntimeError(f"{failing} failed")

    monkeypatch.setattr(routing, failing, fail)
    before = stored_files(app)
    assert sign_request(app, api, signing_task).status_code == 500
    assert stored_files(app) == before
    assert signed_reports(app) == []
    with app.app_context():
        assert lock_is_free(app, signing_task["id"])  # before this test's own read takes it
        assert db.session.scalar(sa.select(Document).filter_by(task_id=signing_task["id"])) is None


def test_a_signing_under_the_lock_sends_few_statements(app, api, signing_task):
    """From taking the lock to its commit a signing sends at most 18 statements (26 when it
    stated the report again and stored the file under the lock), and reads the indicators
    and their figures once, in the fingerprint of the report's sources."""
    api.headers("camat")
    with app.app_context():
        engine = db.engine
    under_lock: list[str] = []
    state = {"locked": False}

    def note(connection, cursor, statement, parameters, context, executemany):
        if takes_lock(statement):
            state["locked"] = True
        if state["locked"] and not statement.startswith("BEGIN"):
            under_lock.append(" ".join(statement.split()))

    def unlock(connection):
        state["locked"] = False

    event.listen(engine, "before_cursor_execute", note)
    event.listen(engine, "commit", unlock)
    try:
        response = sign_request(app, api, signing_task)
    finally:
        event.remove(engine, "before_cursor_execute", note)
        event.remove(engine, "commit", unlock)
    assert response.status_code == 200, response.get_json()
    assert len(under_lock) <= 18, "\n".join(under_lock)
    (figures,) = [s for s in under_lock if "indicator" in s]
    assert figures.startswith("SELECT 'office_profile' AS source")
