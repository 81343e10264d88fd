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


def _data() -> sa.ColumnElement:
    """The JSON column as the text stored ("{}" when none)."""
    return sa.func.coalesce(sa.func.nullif(sa.cast(TABLE.c.data, sa.Text), ""), "{}")


def csv_record(offset: tuple[int, str]) -> sa.ColumnElement:
    """One event's CSV record on SQLite, CRLF included, byte for byte as `export.csv_line`
    writes it. SQLite's printf writes the whole record in one call: `%w` doubles the quotes of a
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


def _selected(filters: AuditFilters, upto: int):
    return (TABLE.c.id <= upto, *filters.conditions())


def csv_batch_query(filters: AuditFilters, upto: int, offset: tuple[int, str], batch: int):
    """SQLite: the next `batch` selected events after `:after` as one row: the last id, the
    count, and their records joined by group_concat (no Python object per event), which
    keeps the order of the ordered subquery it reads."""
    page = (
        sa.select(TABLE.c.id, csv_record(offset).label("record"))
        .where(*_selected(filters, upto), TABLE.c.id > sa.bindparam("after"))
        .order_by(TABLE.c.id)
        .limit(batch)
        .subquery()
    )
    joined = sa.cast(sa.func.group_concat(page.c.record, ""), sa.LargeBinary)
    return sa.select(sa.func.max(page.c.id), sa.func.count(), joined)


def csv_chunks(
    filters: AuditFilters, upto: int, offset: tuple[int, str], after_batch=None, batch=BATCH
) -> Iterator[bytes]:
    """The events as CSV: the header, then one chunk a batch of `batch` records."""
    yield (",".join(FIELDS) + "\r\n").encode()
    if db.engine.dialect.name == "postgresql":
        yield from _copied_chunks(filters, upto, offset, after_batch, batch)
        return
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
        yield records
        if count < batch:
            return


# PostgreSQL's COPY writes the CSV itself (string concatenation in SQL takes it twice as
# long): FORCE_QUOTE quotes the texts as csv_line does, NULL stays empty, and only its line
# ends (LF) differ. libpq hands over each row as one block.
QUOTED = ("actor", "action", "object_type", "object_id", "summary", "data", "ip")


def _copy_statement(filters, upto, offset, batch: int | None) -> tuple[str, dict]:
    c = TABLE.c
    query = (
        sa.select(
            c.id,
            local_time(offset).label("at"),
            *(c[name] for name in QUOTED[:5]),
            _data().label("data"),
            c.ip,
            _flag(c.backdated).label("backdated"),
            c.prev_hash,
            c.hash,
        )
        .where(*_selected(filters, upto))
        .order_by(c.id)
    )
    if batch is not None:
        query = query.where(c.id > sa.bindparam("after", type_=sa.Integer)).limit(batch)
    compiled = query.compile(dialect=db.engine.dialect)
    options = f"FORMAT csv, FORCE_QUOTE ({', '.join(QUOTED)})"
    return f"COPY ({compiled}) TO STDOUT ({options})", _processed(compiled)


def _processed(compiled) -> dict:
    """The statement's parameters as the driver must receive them (an aware time as naive
    UTC): COPY takes no server-side parameters, psycopg merges them into the text."""
    params = compiled.construct_params({"after": 0})
    for name, bind in compiled.binds.items():
        processor = bind.type.bind_processor(db.engine.dialect)
        if processor is not None and params.get(name) is not None:
            params[name] = processor(params[name])
    return params


def _copied_chunks(filters, upto, offset, after_batch, batch) -> Iterator[bytes]:
    """One COPY for the whole selection (a file streams as PostgreSQL writes it), or one per
    batch of `batch` rows when each batch must end its transaction (`after_batch`). Each row
    is copied out at once, its LF made CRLF (a line break inside a quoted field stays): a
    row kept as psycopg's buffer costs four times as much."""
    statement, params = _copy_statement(
        filters, upto, offset, batch if after_batch is not None else None
    )
    last_id = 0
    while True:
        # The session's connection of this batch (`after_batch` may have given the last back).
        cursor = db.session.connection().connection.dbapi_connection.cursor()
        chunk, rows, row = bytearray(), 0, None
        with cursor.copy(statement, {**params, "after": last_id}) as copy:
            for row in copy:
                chunk += row[:-1]
                chunk += b"\r\n"
                rows += 1
                if rows % batch == 0 and after_batch is None:
                    yield bytes(chunk)
                    chunk = bytearray()
        if after_batch is None:
            if chunk:
                yield bytes(chunk)
            return
        after_batch()
        if not rows:
            return
        yield bytes(chunk)
        if rows < batch:
            return
        last_id = int(bytes(row[:20]).split(b",", 1)[0])


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
