"""Tests for the audit export services (app/services/audit/query.py, export.py)."""

from datetime import date, datetime

from app.extensions import db
from app.services import audit
from app.services.audit.query import AuditFilters, iter_events, parse_bound


def test_iter_events_pages_by_id_across_batches(app_ctx):
    """Does the keyset reading give every selected event once, in id order, whatever the batch,
    and end its read between batches when asked?"""
    ids = [
        audit.record("test.batch", actor="a" if n % 3 else "b", summary="x").id for n in range(7)
    ]
    db.session.commit()
    ended = []
    rows = list(iter_events(AuditFilters(actor="a"), batch=2, after_batch=lambda: ended.append(1)))
    assert [row["id"] for row in rows] == [i for n, i in enumerate(ids) if n % 3]
    assert len(ended) == 3
    assert [row["id"] for row in iter_events(AuditFilters(), upto=ids[2], batch=2)] == ids[:3]


def test_parse_bound_reads_dates_and_times():
    """Is a date a date, a time a time, and a bad or far-off one refused in Indonesian?"""
    assert parse_bound("2026-03-31") == date(2026, 3, 31)
    assert parse_bound("2026-03-31T08:00") == datetime(2026, 3, 31, 8, 0)
    for bad in ("31-03-2026", "1999-12-31", "2026-02-30", "x" * 50):
        try:
            parse_bound(bad)
        except ValueError as error:
            assert str(error).startswith(("Gunakan", "Tahun"))
        else:
            raise AssertionError(bad)


def test_export_file_names_name_the_range():
    """Is the file named by its range: `audit-2026-01-01_2026-03-31.csv`, "awal" without since?"""
    today = date(2026, 12, 1)
    both = AuditFilters(since=date(2026, 1, 1), until=datetime(2026, 3, 31, 12, 0))
    assert both.filename("csv", today) == "audit-2026-01-01_2026-03-31.csv"
    assert AuditFilters().filename("xes", today) == "audit-awal_2026-12-01.xes"
