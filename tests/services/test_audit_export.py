"""Tests for the audit export services (app/services/audit/query.py, export.py)."""

import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent
from app.services import audit
from app.services.audit import export, stream
from app.services.audit.query import TABLE, AuditFilters, chain_end, iter_events, parse_bound
from app.services.office_calendar import office_timezone


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


TRICKY = 'Catatan, "kutipan" dan\nbaris\r\nbaru — “é” \\ tab\there \x01 \u2028 😀'


def _tricky_trail():
    """Events with every kind of field: absent ones, quotes, line breaks, control characters,
    non-ASCII, JSON with quotes, a back-dated one, one at a whole second."""
    audit.record("test.fast", actor=None, summary="kosong")
    audit.record(
        "test.fast",
        actor='pen,"guji"',
        summary=TRICKY,
        object_type="task",
        object_id='a"b',
        data={"x": TRICKY, "n": [1, None, True], "ü": {"k": "v"}},
        ip="10.0.0.1",
        backdated=True,
    )
    whole = audit.record("test.fast", actor="camat", summary="", data={})
    db.session.flush()
    db.session.execute(
        sa.update(AuditEvent)
        .where(AuditEvent.id == whole.id)
        .values(at=datetime(2026, 12, 31, 17, 0, tzinfo=UTC))
    )
    db.session.commit()


def _slow(fmt: str, filters: AuditFilters, upto: int) -> bytes:
    rows = iter_events(filters, upto=upto, raw_data=True)
    chunks = export.csv_chunks(rows) if fmt == "csv" else export.jsonl_chunks(rows)
    return "".join(chunks).encode()


def test_the_fast_path_writes_the_same_bytes_as_the_row_by_row_one(app_ctx):
    """Do the CSV and JSON Lines written by the database equal, byte for byte, what the row
    by row formatting writes, whatever the text (and does the day roll over at 17:00 UTC)?"""
    _tricky_trail()
    upto = chain_end()
    offset = stream.usable(office_timezone())
    assert offset == (420, "+07:00")
    for filters in (AuditFilters(), AuditFilters(action="test.fast", since=date(2026, 1, 1))):
        fast_csv = b"".join(stream.csv_chunks(filters, upto, offset))
        assert fast_csv == _slow("csv", filters, upto)
        assert b"".join(stream.csv_chunks(filters, upto, offset, batch=2)) == fast_csv
        ended = []
        batched = stream.csv_chunks(filters, upto, offset, ended.clear, batch=2)
        assert b"".join(batched) == fast_csv
        fast_jsonl = b"".join(stream.jsonl_chunks(filters, upto, offset))
        assert fast_jsonl == _slow("jsonl", filters, upto)
    lines = fast_jsonl.decode().split("\n")[:-1]
    assert [json.loads(line)["summary"] for line in lines[-3:]] == ["kosong", TRICKY, ""]
    assert ",2027-01-01T00:00:00+07:00," in fast_csv.decode()


def test_the_fast_path_reads_in_batches_and_ends_its_reads(app_ctx):
    """Does the batched reading give every selected event once, in id order, and run
    `after_batch` after every batch read?"""
    ids = [audit.record("test.batch", actor="a", summary=str(n)).id for n in range(5)]
    db.session.commit()
    ended = []
    batches = list(
        stream.batches(
            [TABLE.c.summary],
            AuditFilters(action="test.batch"),
            ids[-1],
            lambda: ended.append(1),
            batch=2,
        )
    )
    assert [[row[0] for row in rows] for rows in batches] == [ids[0:2], ids[2:4], ids[4:]]
    assert [row[1] for rows in batches for row in rows] == ["0", "1", "2", "3", "4"]
    assert len(ended) == 3 and all(isinstance(row, tuple) for row in batches[0])


def test_a_zone_with_summer_time_takes_the_row_by_row_path():
    """Is the offset added in SQL only for a zone that keeps one offset all year?"""
    assert stream.fixed_offset(ZoneInfo("Asia/Jakarta")) == (420, "+07:00")
    assert stream.fixed_offset(ZoneInfo("Asia/Jayapura")) == (540, "+09:00")
    assert stream.fixed_offset(ZoneInfo("Asia/Makassar")) == (480, "+08:00")
    assert stream.fixed_offset(ZoneInfo("Europe/Berlin")) is None
