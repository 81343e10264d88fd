"""Export the audit trail as a file: CSV, JSON Lines and XES streamed in constant memory,
PDF rendered for a bounded range; every export is itself an audit event, recorded before the
first byte is sent."""

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app

from app.errors import DomainError
from app.models import User, utcnow
from app.rendering.format import AUDIT_FILTER_LABELS, format_date, format_datetime
from app.rendering.pdf import render_pdf
from app.services.audit import stream, xes
from app.services.audit.chain import record
from app.services.audit.query import (
    FIELDS,
    AuditFilters,
    chain_end,
    count_events,
    ensure_auditor,
    iter_events,
    start_of,
)
from app.services.audit.verify import verify_chain
from app.services.office_calendar import office_timezone

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/x-ndjson; charset=utf-8",
    "pdf": "application/pdf",
    "xes": "application/xml; charset=utf-8",
}
FILE_FORMATS = tuple(MEDIA_TYPES)
# Rows written to one chunk of a streamed file.
CHUNK_ROWS = 500
DEFAULT_PDF_MAX_EVENTS = 2000


@dataclass
class Export:
    """A file ready to send: its name, media type, how many events it holds, and its body
    (bytes, or text chunks produced as they are read)."""

    format: str
    filename: str
    media_type: str
    count: int
    body: Iterator[str] | Iterator[bytes] | bytes


def office_time(value: datetime, zone=None) -> str:
    """An instant as ISO 8601 in the office's zone (or `zone`), as the API writes every time."""
    return value.astimezone(zone or office_timezone()).isoformat()


def event_record(row: Mapping[str, Any]) -> dict[str, Any]:
    """An event as the API answers it (`data` parsed), in the order of API.md."""
    event = {name: row[name] for name in FIELDS}
    event["at"] = office_time(row["at"])
    event["backdated"] = bool(row["backdated"])
    return event


def _quoted(text: str | None) -> str:
    """A CSV text field, always quoted (RFC 4180: inner quotes doubled); None is empty."""
    return "" if text is None else '"' + text.replace('"', '""') + '"'


def csv_line(row: Mapping[str, Any], zone) -> str:
    """One event as a CSV record: numbers, times and hashes bare, every text quoted (the csv
    module takes twice as long for the same bytes)."""
    return (
        f"{row['id']},{row['at'].astimezone(zone).isoformat()},{_quoted(row['actor'])},"
        f"{_quoted(row['action'])},{_quoted(row['object_type'])},{_quoted(row['object_id'])},"
        f"{_quoted(row['summary'])},{_quoted(row['data'] or '{}')},{_quoted(row['ip'])},"
        f"{'true' if row['backdated'] else 'false'},{row['prev_hash']},{row['hash']}\r\n"
    )


def csv_chunks(rows) -> Iterator[str]:
    """The events as CSV (a header row, `data` as its JSON text), a few hundred rows a chunk."""
    lines = [",".join(FIELDS) + "\r\n"]
    zone = office_timezone()
    for row in rows:
        lines.append(csv_line(row, zone))
        if len(lines) >= CHUNK_ROWS:
            yield "".join(lines)
            lines = []
    yield "".join(lines)


def jsonl_line(row: Mapping[str, Any], zone) -> str:
    """One event as a line of JSON, its `data` copied as stored (valid JSON, never parsed)."""
    head = {name: row[name] for name in FIELDS[:7]}
    head["at"] = row["at"].astimezone(zone).isoformat()
    tail = {name: row[name] for name in FIELDS[8:]}
    tail["backdated"] = bool(row["backdated"])
    data = row["data"] or "{}"
    return f'{json.dumps(head, ensure_ascii=False)[:-1]}, "data": {data}, {json.dumps(tail)[1:]}\n'


def jsonl_chunks(rows) -> Iterator[str]:
    """The events as JSON Lines, a few hundred lines a chunk."""
    lines = []
    zone = office_timezone()
    for row in rows:
        lines.append(jsonl_line(row, zone))
        if len(lines) == CHUNK_ROWS:
            yield "".join(lines)
            lines = []
    yield "".join(lines)


def pdf_limit() -> int:
    return int(current_app.config.get("AUDIT_PDF_MAX_EVENTS", DEFAULT_PDF_MAX_EVENTS))


def audit_pdf(filters: AuditFilters, upto: int, count: int) -> bytes:
    """The events as a table under the office's letterhead, with the range, the filters and
    the chain's state at the end."""
    from app.services.reports import office  # the letterhead every report prints

    events = [event_record(row) | {"at": row["at"]} for row in iter_events(filters, upto=upto)]
    label = range_label(filters)
    return render_pdf(
        "audit.html",
        office=office(),
        printed_at=utcnow(),
        title="Jejak Audit",
        period=label,
        instance={"title": f"Jejak audit {label}"},
        landscape=True,
        events=events,
        filters=filters.as_dict(),
        filter_labels=AUDIT_FILTER_LABELS,
        count=count,
        check=verify_chain(),
    )


def range_label(filters: AuditFilters) -> str:
    """The range in words: "1 Januari 2026 – 31 Maret 2026", "sejak …", "sampai …", "semua"."""

    def label(value):
        return (
            format_datetime(start_of(value)) if isinstance(value, datetime) else format_date(value)
        )

    if filters.since and filters.until:
        return f"{label(filters.since)} – {label(filters.until)}"
    if filters.since:
        return f"sejak {label(filters.since)}"
    if filters.until:
        return f"sampai {label(filters.until)}"
    return "seluruh jejak audit"


def streamed(
    fmt: str, filters: AuditFilters, upto: int, after_batch=None, binary: bool = False
) -> Iterator[str] | Iterator[bytes]:
    """A CSV or JSON Lines body, as UTF-8 chunks (`binary`) or text: written by the database
    when the office's zone allows (`stream`), else row by row here."""
    offset = stream.usable(office_timezone())
    if offset is not None:
        chunks = (stream.csv_chunks if fmt == "csv" else stream.jsonl_chunks)(
            filters, upto, offset, after_batch
        )
        return chunks if binary else (chunk.decode() for chunk in chunks)
    rows = iter_events(filters, upto=upto, raw_data=True, after_batch=after_batch)
    text = csv_chunks(rows) if fmt == "csv" else jsonl_chunks(rows)
    return (chunk.encode() for chunk in text) if binary else text


def export_events(
    fmt: str,
    filters: AuditFilters,
    *,
    actor: User | str,
    ip: str | None = None,
    after_batch: Callable[[], None] | None = None,
    binary: bool = False,
) -> Export:
    """Prepare an export of the selected events and audit it (`audit.exported`, with the
    format, the filters and the count) in the caller's transaction. A streamed body reads
    the events only as it is iterated, up to the last event before the export's own; CSV and
    JSON Lines come as UTF-8 bytes when `binary` (what a response sends), else as text."""
    if isinstance(actor, User):
        ensure_auditor(actor)
    upto = chain_end()
    extra = xes.MOVES if fmt == "xes" else ()
    count = count_events(filters, upto, extra)
    if fmt == "pdf":
        limit = pdf_limit()
        if count > limit:
            raise DomainError(
                422, "too_many_events", {"count": count, "limit": limit}, count=count, limit=limit
            )
        body: Iterator[str] | Iterator[bytes] | bytes = audit_pdf(filters, upto, count)
    elif fmt in ("csv", "jsonl"):
        body = streamed(fmt, filters, upto, after_batch, binary)
    else:
        body = xes.xes_chunks(filters, upto, after_batch=after_batch)
    name = getattr(actor, "username", actor)
    record(
        "audit.exported",
        actor=actor,
        summary=f"{name} mengekspor {count} peristiwa audit sebagai {fmt.upper()}",
        object_type="audit",
        data={"format": fmt, "filters": filters.as_dict(), "count": count, "up_to_event": upto},
        ip=ip,
    )
    today = utcnow().astimezone(office_timezone()).date()
    return Export(fmt, filters.filename(fmt, today), MEDIA_TYPES[fmt], count, body)
