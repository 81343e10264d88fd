"""The database part of a backup: every table's rows as JSON Lines, read and written through
SQLAlchemy on the live schema (reflected), so SQLite and PostgreSQL dump and load alike with
no external tool.

A line is one row, a JSON array in the order of the table's columns. Values JSON cannot
hold as themselves are tagged objects: `{"$t": "datetime", "v": "…"}` (also date, time,
decimal, bytes) and `{"$t": "json", "v": …}` for a JSON column's document, so a SQL NULL and a
JSON null stay apart.
"""

import base64
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import IO, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

# Alembic's own table: its one row is the manifest's schema revision, not data.
MIGRATIONS_TABLE = "alembic_version"
INSERT_BATCH = 500


@dataclass(frozen=True)
class TableDump:
    name: str
    columns: list[str]
    rows: int


def data_tables(connection: Connection) -> list[sa.Table]:
    """The database's tables in dependency order (a table after those it refers to)."""
    metadata = sa.MetaData()
    metadata.reflect(bind=connection)
    return [t for t in metadata.sorted_tables if t.name != MIGRATIONS_TABLE]


def schema_revision(connection: Connection) -> str | None:
    """The Alembic revision the schema is at, or None where migrations never ran."""
    if not sa.inspect(connection).has_table(MIGRATIONS_TABLE):
        return None
    return connection.execute(sa.text(f"SELECT version_num FROM {MIGRATIONS_TABLE}")).scalar()


def _is_json(column: sa.Column) -> bool:
    return isinstance(column.type, sa.JSON)


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime):
        return {"$t": "datetime", "v": value.isoformat()}
    if isinstance(value, date):
        return {"$t": "date", "v": value.isoformat()}
    if isinstance(value, time):
        return {"$t": "time", "v": value.isoformat()}
    if isinstance(value, Decimal):
        return {"$t": "decimal", "v": str(value)}
    if isinstance(value, bytes | memoryview):
        return {"$t": "bytes", "v": base64.b64encode(bytes(value)).decode()}
    raise TypeError(f"cannot back up a value of type {type(value).__name__}")


_DECODERS = {
    "datetime": datetime.fromisoformat,
    "date": date.fromisoformat,
    "time": time.fromisoformat,
    "decimal": Decimal,
    "bytes": base64.b64decode,
}


def _decode(value: Any, is_json: bool) -> Any:
    if value is None:
        # A JSON column would store None as JSON's null: say SQL NULL outright.
        return sa.null() if is_json else None
    if isinstance(value, dict):
        tag = value.get("$t")
        if tag == "json":
            return sa.JSON.NULL if value["v"] is None else value["v"]
        return _DECODERS[tag](value["v"])
    return value


def dump_table(connection: Connection, table: sa.Table, out: IO[str]) -> TableDump:
    """Write every row of `table`, in primary key order, to `out`; answer what was written."""
    # A JSON column is read as its text, so that SQL NULL (None) and JSON null ("null") differ.
    selected = [
        sa.cast(column, sa.Text).label(column.name) if _is_json(column) else column
        for column in table.columns
    ]
    order = list(table.primary_key.columns) or list(table.columns)
    json_columns = [_is_json(column) for column in table.columns]
    count = 0
    result = connection.execution_options(yield_per=1000).execute(
        sa.select(*selected).order_by(*order)
    )
    for row in result:
        values = [
            {"$t": "json", "v": json.loads(value)} if is_json and value is not None else value
            for value, is_json in zip(row, json_columns, strict=True)
        ]
        out.write(json.dumps([_encode_cell(v) for v in values], ensure_ascii=False) + "\n")
        count += 1
    return TableDump(table.name, [c.name for c in table.columns], count)


def _encode_cell(value: Any) -> Any:
    # A JSON document is already tagged; its contents are plain JSON.
    if isinstance(value, dict) and value.get("$t") == "json":
        return value
    return _encode(value)


def _batches(rows: Iterable[dict], size: int) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def load_table(connection: Connection, table: sa.Table, columns: list[str], lines: IO) -> int:
    """Insert the rows of a dumped table (JSON Lines in `lines`); answer how many."""

    is_json = [_is_json(table.columns[name]) for name in columns]

    def rows() -> Iterator[dict]:
        for line in lines:
            if line.strip():
                cells = zip(columns, json.loads(line), is_json, strict=True)
                yield {name: _decode(cell, flag) for name, cell, flag in cells}

    count = 0
    for batch in _batches(rows(), INSERT_BATCH):
        connection.execute(table.insert(), batch)
        count += len(batch)
    return count


def reset_sequences(connection: Connection, tables: Iterable[sa.Table]) -> None:
    """On PostgreSQL, move every serial key's sequence past the restored rows, so the next
    insert gets a new id (SQLite takes the next rowid by itself)."""
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        for column in table.primary_key.columns:
            if not isinstance(column.type, sa.Integer):
                continue
            sequence = connection.execute(
                sa.text("SELECT pg_get_serial_sequence(:table, :column)"),
                {"table": table.name, "column": column.name},
            ).scalar()
            if sequence is None:
                continue
            name = connection.dialect.identifier_preparer.quote(column.name)
            table_name = connection.dialect.identifier_preparer.quote(table.name)
            connection.execute(
                sa.text(
                    f"SELECT setval(:sequence, COALESCE(MAX({name}), 1), MAX({name}) IS NOT NULL) "
                    f"FROM {table_name}"
                ),
                {"sequence": sequence},
            )


def row_counts(connection: Connection) -> dict[str, int]:
    """Every data table's number of rows."""
    return {
        table.name: connection.execute(sa.select(sa.func.count()).select_from(table)).scalar()
        for table in data_tables(connection)
    }
