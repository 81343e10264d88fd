"""The fast path of the streamed exports: the database writes the text of each event (its
CSV record, or the time and flag of its JSON line) in C, and for CSV also joins a batch of
records into one value, so Python handles one value per few thousand events. Row by row,
SQLAlchemy's typed rows, aware datetimes and Python's quoting took eight times as long as
the engine's own CSV dump (bench/audit_export.py; bench/README.md has the figures).

It holds when the office's zone keeps one offset (WIB, WITA and WIT have no summer time):
the offset is then added in SQL. For another zone `fixed_offset` answers None and the export
formats each row in Python (`export.csv_line`), the same bytes more slowly."""

import json
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.services.audit.query import FIELDS, TABLE, AuditFilters

# Rows read (and written as one chunk) per keyset batch: a few MB of text.
BATCH = 5000
ENGINES = ("sqlite", "postgresql")
_quote_json = json.encoder.encode_basestring  # what json.dumps(ensure_ascii=False) calls
_quote_json_ascii = json.encoder.encode_basestring_ascii


def fixed_offset(zone) -> tuple[int, str] | None:
    """The zone's offset in minutes and as ISO 8601 ("+07:00") when it is the same at every
    season of 1970-2100 and whole minutes, else None."""
    offsets = {
        datetime(year, month, 1, 12, tzinfo=zone).utcoffset()
        for year in range(1970, 2101)
        for month in (1, 4, 7, 10)
    }
    if len(offsets) != 1:
        return None
    (offset,) = offsets
    if offset % timedelta(minutes=1):
        return None
    return int(offset / timedelta(minutes=1)), datetime(2000, 1, 1, tzinfo=zone).isoformat()[-6:]


def usable(zone) -> tuple[int, str] | None:
    """The offset when this database and zone can take the fast path, else None."""
    if db.engine.dialect.name not in ENGINES:
        return None
    return fixed_offset(zone)


def _text(expression) -> sa.ColumnElement:
    return sa.type_coerce(expression, sa.Text)


def local_time(offset: tuple[int, str]) -> sa.ColumnElement:
    """`at` as `datetime.isoformat()` writes it in the office's zone: the microseconds only
    when not zero, then the offset."""
    minutes, suffix = offset
    if db.engine.dialect.name == "sqlite":
        return _text(_sqlite_seconds(minutes)) + _text(_sqlite_fraction()) + suffix
    shifted = TABLE.c.at + sa.literal_column(f"interval '{minutes:d} minutes'")
    seconds = sa.func.to_char(shifted, 'YYYY-MM-DD"T"HH24:MI:SS')
    micro = sa.func.to_char(TABLE.c.at, "US", type_=sa.Text)
    fraction = sa.case((micro == "000000", ""), else_="." + micro)
    return _text(seconds) + _text(fraction) + suffix


def _sqlite_seconds(minutes: int) -> sa.ColumnElement:
    # Stored as "2026-01-02 01:00:00.000000" (SQLAlchemy's format): date, time, fraction.
    return sa.func.strftime("%Y-%m-%dT%H:%M:%S", _text(TABLE.c.at), f"{minutes:+d} minutes")


def _sqlite_fraction() -> sa.ColumnElement:
    """ ".123456", or NULL for a whole second (which printf's %s and || turn into nothing)."""
    return sa.func.coalesce(
        sa.func.nullif(sa.func.substr(_text(TABLE.c.at), 20, type_=sa.Text), ".000000"), ""
    )


def _flag(expression) -> sa.ColumnElement:
    return sa.case((expression, "true"), else_="false")


def _quoted(column) -> sa.ColumnElement:
    """A text field always quoted, inner quotes doubled; NULL is empty (as export._quoted)."""
    return sa.func.coalesce(
        '"' + sa.func.replace(column, '"', '""', type_=sa.Text) + '"', "", type_=sa.Text
    )


def _data() -> sa.ColumnElement:
    """The JSON column as the text stored ("{}" when none)."""
    return sa.func.coalesce(sa.func.nullif(sa.cast(TABLE.c.data, sa.Text), ""), "{}")


def _sqlite_record(offset: tuple[int, str]) -> sa.ColumnElement:
    """SQLite's printf writes the whole record in one call: `%w` doubles the quotes of a
    quoted field, and a field that may be absent gets `%s` when it is (NULL prints as
    nothing) — the template chosen by CASE, which costs no function call."""
    c = TABLE.c

    def maybe(name):
        return sa.case((c[name].is_(None), "%s"), else_='"%w"')

    template = (
        sa.literal("%d,%s%s" + offset[1] + ",", sa.Text)
        + maybe("actor")
        + ',"%w",'
        + maybe("object_type")
        + ","
        + maybe("object_id")
        + ',"%w","%w",'
        + maybe("ip")
        + ",%s,%s,%s\r\n"
    )
    return sa.func.printf(
        template,
        c.id,
        _sqlite_seconds(offset[0]),
        sa.func.nullif(sa.func.substr(_text(c.at), 20), ".000000"),
        c.actor,
        c.action,
        c.object_type,
        c.object_id,
        c.summary,
        _data(),
        c.ip,
        _flag(c.backdated),
        c.prev_hash,
        c.hash,
        type_=sa.Text,
    )


def csv_record(offset: tuple[int, str]) -> sa.ColumnElement:
    """One event's CSV record, CRLF included, byte for byte as `export.csv_line` writes it."""
    if db.engine.dialect.name == "sqlite":
        return _sqlite_record(offset)
    c = TABLE.c
    parts = [
        sa.cast(c.id, sa.Text),
        local_time(offset),
        *(_quoted(c[name]) for name in ("actor", "action", "object_type", "object_id")),
        _quoted(c.summary),
        _quoted(_data()),
        _quoted(c.ip),
        _flag(c.backdated),
        _text(c.prev_hash),
        _text(c.hash),
    ]
    record = parts[0]
    for part in parts[1:]:
        record = record + "," + part
    return record + "\r\n"


def _selected(filters: AuditFilters, upto: int):
    return (TABLE.c.id <= upto, *filters.conditions())


def csv_batch_query(filters: AuditFilters, upto: int, offset: tuple[int, str], batch: int):
    """The next `batch` selected events after `:after` as one row: the last id, the count,
    and their records joined by the database (no Python object per event). SQLite's
    group_concat keeps the order of the ordered subquery it reads; PostgreSQL is told."""
    page = (
        sa.select(TABLE.c.id, csv_record(offset).label("record"))
        .where(*_selected(filters, upto), TABLE.c.id > sa.bindparam("after"))
        .order_by(TABLE.c.id)
        .limit(batch)
        .subquery()
    )
    if db.engine.dialect.name == "sqlite":
        joined = sa.cast(sa.func.group_concat(page.c.record, ""), sa.LargeBinary)
    else:
        from sqlalchemy.dialects.postgresql import aggregate_order_by

        joined = sa.func.string_agg(
            page.c.record, aggregate_order_by(sa.literal_column("''"), page.c.id)
        )
    return sa.select(sa.func.max(page.c.id), sa.func.count(), joined)


def csv_chunks(
    filters: AuditFilters, upto: int, offset: tuple[int, str], after_batch=None, batch=BATCH
) -> Iterator[bytes]:
    """The events as CSV: the header, then one chunk a batch of `batch` records."""
    yield (",".join(FIELDS) + "\r\n").encode()
    query = csv_batch_query(filters, upto, offset, batch)
    last_id = 0
    while True:
        result = db.session.connection().execute(query, {"after": last_id})
        last_id, count, records = result.cursor.fetchone()  # the DB-API's tuple, unprocessed
        result.close()
        if after_batch is not None:
            after_batch()
        if not count:
            return
        yield records if isinstance(records, bytes) else records.encode()
        if count < batch:
            return


def batches(
    columns: list,
    filters: AuditFilters,
    upto: int,
    after_batch: Callable[[], None] | None = None,
    batch: int = BATCH,
) -> Iterator[list[tuple]]:
    """The selected events' `columns` (the event's id first) as plain tuples, `batch` rows at
    a time by keyset paging (constant memory); `after_batch` runs between batches."""
    query = (
        sa.select(TABLE.c.id, *columns)
        .where(*_selected(filters, upto), TABLE.c.id > sa.bindparam("after"))
        .order_by(TABLE.c.id)
        .limit(batch)
    )
    last_id = 0
    while True:
        result = db.session.connection().execute(query, {"after": last_id})
        # The DB-API's own tuples: no Row objects, no type processing (every column is text).
        rows = result.cursor.fetchall()
        result.close()
        if after_batch is not None:
            after_batch()
        if not rows:
            return
        yield rows
        if len(rows) < batch:
            return
        last_id = rows[-1][0]


def jsonl_columns(offset: tuple[int, str]) -> list:
    c = TABLE.c
    texts = ("actor", "action", "object_type", "object_id", "summary")
    return [
        local_time(offset),
        *(c[name] for name in texts),
        _data(),
        c.ip,
        _flag(c.backdated),
        c.prev_hash,
        c.hash,
    ]


def _json_text(value: str | None) -> str:
    return "null" if value is None else _quote_json(value)


def jsonl_line(row: tuple) -> str:
    """One event as `export.jsonl_line` writes it (json.dumps's separators and escapes)."""
    j = _json_text
    a = _quote_json_ascii
    ip = "null" if row[8] is None else a(row[8])
    return (
        f'{{"id": {row[0]}, "at": "{row[1]}", "actor": {j(row[2])}, "action": {j(row[3])}, '
        f'"object_type": {j(row[4])}, "object_id": {j(row[5])}, "summary": {j(row[6])}, '
        f'"data": {row[7]}, "ip": {ip}, "backdated": {row[9]}, '
        f'"prev_hash": {a(row[10])}, "hash": {a(row[11])}}}\n'
    )


def jsonl_chunks(
    filters: AuditFilters, upto: int, offset: tuple[int, str], after_batch=None
) -> Iterator[bytes]:
    """The events as JSON Lines, one chunk a batch; SQL writes the time and the flag."""
    for rows in batches(jsonl_columns(offset), filters, upto, after_batch):
        yield "".join([jsonl_line(row) for row in rows]).encode()
