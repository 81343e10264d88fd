"""Tests for the audit chain (app/services/audit/): record and verify, and tampering."""

import os
import shutil
import subprocess
import sys
import threading
import time

import pytest
import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models import AuditEvent, AuditHead
from app.services import audit
from app.services.audit import journal


@pytest.fixture
def chain(app_ctx) -> list[int]:
    """Five committed events on a fresh chain; answer their ids, oldest first."""
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0
    ids = []
    for i in range(5):
        event = audit.record(
            "test.event",
            actor="penguji" if i % 2 else None,
            summary=f"Peristiwa uji ke-{i} — “kutipan” é",
            object_type="instance",
            object_id=i,
            data={"i": i, "nested": {"list": [1, 2.5, None, "ü"], "flag": True}},
            ip="10.0.0.1",
            backdated=i == 3,
        )
        ids.append(event.id)
    db.session.commit()
    db.session.expire_all()
    return ids


def tamper(statement) -> None:
    """Change the audit table behind the service's back, as an intruder with SQL would."""
    db.session.execute(statement)
    db.session.commit()
    db.session.expire_all()


def test_chain_verifies_after_several_events(chain):
    """A chain of untouched events verifies, counting every event."""
    check = audit.verify_chain()
    assert (check.ok, check.events, check.first_bad_event) == (True, 5, None)


def test_chain_verifies_across_batches(chain):
    """Verification reads the chain in batches without losing the links between them."""
    assert audit.verify_chain(batch=2).ok


def test_events_link_to_their_predecessor(chain):
    """Each event's prev_hash is the previous event's hash; the first links to genesis."""
    events = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()
    assert events[0].prev_hash == audit.GENESIS_HASH
    for previous, event in zip(events, events[1:], strict=False):
        assert event.prev_hash == previous.hash
    head = db.session.get(AuditHead, 1)
    assert (head.last_event_id, head.last_hash) == (events[-1].id, events[-1].hash)


def test_empty_chain_verifies(app_ctx):
    """A database with no events verifies with zero events."""
    check = audit.verify_chain()
    assert (check.ok, check.events) == (True, 0)


def test_deleting_the_middle_event_is_detected(chain):
    """Deleting an event breaks the link of the event after it: reason "deleted"."""
    tamper(sa.delete(AuditEvent).where(AuditEvent.id == chain[2]))
    check = audit.verify_chain()
    assert (check.ok, check.first_bad_event, check.events) == (False, chain[3], 2)
    assert check.reason == "deleted"


def test_deleting_the_first_event_is_detected(chain):
    """Deleting the oldest event makes the next one fail to link to genesis."""
    tamper(sa.delete(AuditEvent).where(AuditEvent.id == chain[0]))
    check = audit.verify_chain()
    assert (check.ok, check.first_bad_event) == (False, chain[1])


def test_editing_data_is_detected(chain):
    """Editing an event's data makes that event fail to verify."""
    tamper(sa.update(AuditEvent).where(AuditEvent.id == chain[1]).values(data={"i": 99}))
    check = audit.verify_chain()
    assert (check.ok, check.first_bad_event, check.events) == (False, chain[1], 1)
    assert check.reason == "edited"


@pytest.mark.parametrize(
    "values",
    [
        {"actor": "orang-lain"},
        {"summary": "Ringkasan yang diubah"},
        {"backdated": False},
        {"object_id": "999"},
        {"ip": None},
    ],
    ids=["actor", "summary", "backdated", "object_id", "ip"],
)
def test_editing_any_field_is_detected(chain, values):
    """Editing any recorded field of an event makes that event fail to verify."""
    tamper(sa.update(AuditEvent).where(AuditEvent.id == chain[3]).values(**values))
    check = audit.verify_chain()
    assert (check.ok, check.first_bad_event) == (False, chain[3])


def _rows_from(first_id: int) -> list[dict]:
    return [dict(row) for row in audit.iter_rows() if row["id"] >= first_id]


def test_edit_with_the_chain_recomputed_without_the_key_is_caught(chain):
    """Rewriting an event and re-linking every later one with plain SHA-256, as an intruder
    without the office's key can, is caught at the edited event."""
    previous = db.session.get(AuditEvent, chain[0]).hash
    for row in _rows_from(chain[1]):
        if row["id"] == chain[1]:
            row["data"] = {"i": 99}
        row["prev_hash"] = previous
        row["hash"] = previous = audit.unkeyed_hash(row)
        tamper(
            sa.update(AuditEvent)
            .where(AuditEvent.id == row["id"])
            .values(data=row["data"], prev_hash=row["prev_hash"], hash=row["hash"])
        )
    tamper(sa.update(AuditHead).values(last_hash=previous))
    check = audit.verify_chain()
    assert (check.ok, check.reason, check.first_bad_event) == (False, "edited", chain[1])


def test_a_chain_made_with_another_key_does_not_verify(chain):
    """Re-linking the chain under a guessed key is still an edit."""
    previous = audit.GENESIS_HASH
    for row in _rows_from(chain[0]):
        row["prev_hash"] = previous
        row["hash"] = previous = audit.event_hash(row, b"a-key-the-intruder-guessed")
        tamper(
            sa.update(AuditEvent)
            .where(AuditEvent.id == row["id"])
            .values(prev_hash=row["prev_hash"], hash=row["hash"])
        )
    check = audit.verify_chain()
    assert (check.ok, check.reason, check.first_bad_event) == (False, "edited", chain[0])


def test_reordered_events_are_detected(chain):
    """Swapping two events' places (their ids) is "reordered", at the first moved event."""
    spare = chain[-1] + 100
    tamper(sa.update(AuditEvent).where(AuditEvent.id == chain[1]).values(id=spare))
    tamper(sa.update(AuditEvent).where(AuditEvent.id == chain[2]).values(id=chain[1]))
    tamper(sa.update(AuditEvent).where(AuditEvent.id == spare).values(id=chain[2]))
    check = audit.verify_chain()
    assert (check.ok, check.reason, check.first_bad_event) == (False, "reordered", chain[1])


def test_deleting_the_newest_event_is_detected(chain):
    """Deleting the newest event is caught by the chain's head, naming the deleted event."""
    tamper(sa.delete(AuditEvent).where(AuditEvent.id == chain[-1]))
    check = audit.verify_chain()
    assert (check.ok, check.first_bad_event, check.events) == (False, chain[-1], 4)
    assert check.reason == "truncated"


def test_deleting_every_event_is_detected(chain):
    """Emptying the audit table is caught by the head."""
    tamper(sa.delete(AuditEvent))
    check = audit.verify_chain()
    assert (check.ok, check.reason, check.first_bad_event) == (False, "emptied", chain[-1])


def _move_head_to(event_id: int | None) -> None:
    last_hash = (
        db.session.get(AuditEvent, event_id).hash if event_id is not None else audit.GENESIS_HASH
    )
    tamper(sa.update(AuditHead).values(last_event_id=event_id, last_hash=last_hash))


def test_a_cut_off_tail_with_the_head_moved_back_is_caught_by_the_journal(chain):
    """Deleting the newest events and moving the head back leaves a consistent chain, but
    the checkpoint journal remembers the last event: reason "truncated", naming it."""
    newest = db.session.get(AuditEvent, chain[-1])
    expected = {"event_id": newest.id, "hash": newest.hash}
    tamper(sa.delete(AuditEvent).where(AuditEvent.id >= chain[3]))
    _move_head_to(chain[2])
    check = audit.verify_chain()
    assert (check.ok, check.reason, check.first_bad_event) == (False, "truncated", chain[-1])
    assert {k: check.expected[k] for k in expected} == expected
    assert check.events == 3


def test_a_cut_tail_stays_caught_after_new_events(chain):
    """New events recorded after the cut do not hide it: every checkpoint must still hold."""
    tamper(sa.delete(AuditEvent).where(AuditEvent.id >= chain[3]))
    _move_head_to(chain[2])
    for i in range(3):
        audit.record("test.after", actor=None, summary=f"setelah pemotongan {i}")
        db.session.commit()
    check = audit.verify_chain()
    assert (check.ok, check.reason) == (False, "truncated")


def test_an_emptied_table_with_the_head_reset_is_caught_by_the_journal(chain):
    """Wiping every event and resetting the head to genesis is "emptied", with the last
    checkpoint it expected."""
    newest_hash = db.session.get(AuditEvent, chain[-1]).hash
    tamper(sa.delete(AuditEvent))
    _move_head_to(None)
    check = audit.verify_chain()
    assert (check.ok, check.reason, check.events) == (False, "emptied", 0)
    assert check.expected["hash"] == newest_hash
    assert check.as_dict()["expected"]["event_id"] == chain[-1]


def test_a_checkpoint_written_without_the_key_is_not_trusted(chain):
    """A line appended to the journal by someone without the key is counted as forged and
    does not vouch for anything."""
    path = journal.journal_path(current_app.config)
    with path.open("a") as handle:
        handle.write(
            '{"at": "2026-01-01T00:00:00+00:00", "event_id": 1, "hash": "x", "mac": "y"}\n'
        )
        handle.write("not even json\n")
    check = audit.verify_chain()
    assert check.ok
    assert (check.checkpoints, check.forged_checkpoints) == (1, 2)  # the fixture commits once


def test_verification_answers_the_api_shape(chain):
    """A good chain answers ok, the number of events and the head's hash."""
    newest_hash = db.session.get(AuditEvent, chain[-1]).hash
    assert audit.verify_chain().as_dict() == {"ok": True, "events": 5, "head": newest_hash}


def test_recording_continues_the_chain_after_verification(chain):
    """Events recorded after a verification extend the same chain."""
    assert audit.verify_chain().ok
    audit.record("test.event", actor=None, summary="lagi")
    db.session.commit()
    check = audit.verify_chain()
    assert (check.ok, check.events) == (True, 6)


@pytest.mark.parametrize("engine_name", ["postgres"])  # SQLite's writers never overlap
def test_simultaneous_writers_of_one_head_chain_one_after_the_other(app):
    """When two transactions chain to the head they both read, and the second waits on the
    first's uncommitted event (PostgreSQL's row lock on the head), is the second chained
    after the first once it commits, in id order, so that the chain never forks?"""
    with app.app_context():
        audit.record("test.first", actor=None, summary="pertama")
        db.session.commit()
        head = db.session.scalar(sa.select(AuditHead.last_hash))
    second = []

    def record_second():
        with app.app_context():
            audit.expect_head(head)
            event = audit.record("test.second", actor=None, summary="kedua")
            db.session.commit()
            second.append((event.id, event.prev_hash))

    with app.app_context():
        audit.expect_head(head)
        first = audit.record("test.first_waited_on", actor=None, summary="ditunggu")
        writer = threading.Thread(target=record_second)
        writer.start()
        with db.engine.connect() as watcher:
            waiting = (
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            deadline = time.monotonic() + 10
            while not watcher.scalar(sa.text(waiting)) and time.monotonic() < deadline:
                time.sleep(0.02)
            assert watcher.scalar(sa.text(waiting)), "the second writer did not wait"
        db.session.commit()
        writer.join(10)
        assert second == [(second[0][0], first.hash)] and second[0][0] > first.id
        check = audit.verify_chain()
        assert check.ok, check


def test_a_busy_interval_ends_with_a_checkpoint(app_ctx):
    """With checkpoints at most every interval, the last events of a busy interval are
    still checkpointed when it ends (by a timer), not only at the next commit."""
    current_app.config["AUDIT_CHECKPOINT_SECONDS"] = 0.3
    path = journal.journal_path(current_app.config)
    key = audit.keys.current_key()
    ids = []
    for i in range(3):
        ids.append(audit.record("test.busy", actor=None, summary=f"sibuk {i}").id)
        db.session.commit()
    written = [c.event_id for c in journal.read(path, key)]
    assert written[-1] != ids[-1]  # the later commits came too soon
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and written[-1] != ids[-1]:
        time.sleep(0.05)
        written = [c.event_id for c in journal.read(path, key)]
    assert written == [ids[0], ids[-1]]


def test_a_rolled_back_event_writes_no_checkpoint(app_ctx):
    """An event whose transaction rolls back is never named by the journal."""
    path = journal.journal_path(current_app.config)
    audit.record("test.gone", actor=None, summary="dibatalkan")
    db.session.rollback()
    db.session.commit()
    assert list(journal.read(path, audit.keys.current_key())) == []


def test_an_unkeyed_chain_of_an_older_installation_is_keyed_once(app_ctx):
    """A chain recorded with plain SHA-256 links (before the key) is checked whole and
    re-linked under the key; after that it verifies."""
    previous = audit.GENESIS_HASH
    for i in range(3):
        event = audit.record("test.old", actor=None, summary=f"lama {i}")
        db.session.flush()
        row = {c: getattr(event, c) for c in audit.chain.HASHED_FIELDS}
        row["prev_hash"] = previous
        previous = audit.unkeyed_hash(row)
        event.prev_hash, event.hash = row["prev_hash"], previous
    db.session.get(AuditHead, 1).last_hash = previous
    db.session.commit()
    path = journal.journal_path(current_app.config)
    path.unlink()  # an older installation had no journal
    assert audit.verify_chain().reason == "edited"
    assert audit.key_unkeyed_chain(journal_has_checkpoints=False) == 3
    db.session.commit()
    assert audit.verify_chain().ok
    assert audit.key_unkeyed_chain(journal_has_checkpoints=True) == 0


def test_an_unkeyed_chain_is_refused_once_the_chain_was_keyed(app_ctx):
    """When the journal shows the chain was keyed, an unkeyed chain is a forgery."""
    event = audit.record("test.forged", actor=None, summary="palsu")
    db.session.flush()
    event.hash = audit.unkeyed_hash(event)
    db.session.commit()
    with pytest.raises(audit.UnkeyedChainError):
        audit.key_unkeyed_chain(journal_has_checkpoints=True)


@pytest.mark.slow  # a process of its own, started and stopped
def test_a_process_that_exits_leaves_its_last_events_checkpointed(sqlite_template, tmp_path):
    """A short-lived process (a CLI command) whose last commits came within the interval
    still writes their checkpoint when it exits."""
    database = tmp_path / "exit.db"
    shutil.copy(sqlite_template, database)
    script = """
from app import create_app
from app.cli import load_reference_data
from app.extensions import db
from app.services import audit
app = create_app()
with app.app_context():
    load_reference_data()
    for i in range(3):
        event = audit.record("test.exit", actor=None, summary=f"keluar {i}")
        db.session.commit()
    print(event.id)
"""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "STORAGE_DIR": str(tmp_path / "blobs"),
        "AUDIT_KEY": "a-key-for-the-exit-test-only",
        "AUDIT_CHECKPOINT_SECONDS": "3600",
    }
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))),
    )
    assert done.returncode == 0, done.stderr
    last_id = int(done.stdout.split()[-1])
    path = tmp_path / journal.JOURNAL
    written = [c.event_id for c in journal.read(path, b"a-key-for-the-exit-test-only")]
    assert written[-1] == last_id
