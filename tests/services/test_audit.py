"""Tests for the audit chain (app/services/audit.py): record and verify, and tampering."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, AuditHead
from app.services import audit


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
    """Deleting an event breaks the link of the event after it."""
    tamper(sa.delete(AuditEvent).where(AuditEvent.id == chain[2]))
    check = audit.verify_chain()
    assert (check.ok, check.first_bad_event, check.events) == (False, chain[3], 2)


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


def test_edit_with_recomputed_hash_is_caught_at_the_next_event(chain):
    """Rewriting an event and its own hash is caught by the next event's prev_hash."""
    event = db.session.get(AuditEvent, chain[1])
    event.data = {"i": 99}
    new_hash = audit.event_hash(event)
    db.session.rollback()
    tamper(
        sa.update(AuditEvent).where(AuditEvent.id == chain[1]).values(data={"i": 99}, hash=new_hash)
    )
    check = audit.verify_chain()
    assert (check.ok, check.first_bad_event) == (False, chain[2])


def test_deleting_the_newest_event_is_detected(chain):
    """Deleting the newest event is caught by the chain's head, naming the deleted event."""
    tamper(sa.delete(AuditEvent).where(AuditEvent.id == chain[-1]))
    check = audit.verify_chain()
    assert (check.ok, check.first_bad_event, check.events) == (False, chain[-1], 4)


def test_deleting_every_event_is_detected(chain):
    """Emptying the audit table is caught by the head."""
    tamper(sa.delete(AuditEvent))
    check = audit.verify_chain()
    assert (check.ok, check.first_bad_event) == (False, chain[-1])


def test_recording_continues_the_chain_after_verification(chain):
    """Events recorded after a verification extend the same chain."""
    assert audit.verify_chain().ok
    audit.record("test.event", actor=None, summary="lagi")
    db.session.commit()
    check = audit.verify_chain()
    assert (check.ok, check.events) == (True, 6)
