"""Read the audit trail for an auditor: the filters, one page of events, and every matching
event in keyset-paged batches (constant memory, however long the trail)."""

from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, AuditHead, User
from app.services.audit.chain import HASHED_FIELDS
from app.services.office_calendar import office_timezone
from app.services.permissions import require_admin

TABLE = AuditEvent.__table__
# The event's fields in the order of API.md; `data` is JSON, `at` a time in the office's zone.
FIELDS = ("id", *HASHED_FIELDS, "hash")
BATCH = 1000
FIRST_YEAR, LAST_YEAR = 2000, 2100


def parse_bound(text: str) -> date | datetime:
    """Read a `since` or `until`: an ISO date (2026-01-31) or date and time, years 2000 to
    2100; raise ValueError with the reason in Indonesian."""
    text = text.strip()
    try:
        if len(text) > 40:
            raise ValueError
        parsed = date.fromisoformat(text) if len(text) <= 10 else datetime.fromisoformat(text)
    except ValueError:
        raise ValueError("Gunakan tanggal TTTT-BB-HH (atau tanggal dan jam ISO).") from None
    if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
        raise ValueError(f"Tahun harus antara {FIRST_YEAR} dan {LAST_YEAR}.")
    return parsed


def ensure_auditor(user: User) -> None:
    """Only an admin reads, exports and verifies the audit trail."""
    require_admin(user)


def start_of(value: date | datetime) -> datetime:
    """The instant a `since` bound means: a date from its midnight in the office's zone, a
    time without offset in the office's zone."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=office_timezone())
    return datetime.combine(value, time.min, office_timezone())


@dataclass(frozen=True)
class AuditFilters:
    """Which events: recorded from `since` and up to `until` (a date includes its whole day),
    by one actor, of one action, about one object type or object."""

    since: date | datetime | None = None
    until: date | datetime | None = None
    actor: str | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None

    def conditions(self) -> list:
        """The WHERE clauses of these filters on the audit table."""
        clauses = []
        if self.since is not None:
            clauses.append(TABLE.c.at >= start_of(self.since))
        if isinstance(self.until, datetime):
            clauses.append(TABLE.c.at <= start_of(self.until))
        elif self.until is not None:
            clauses.append(TABLE.c.at < start_of(self.until + timedelta(days=1)))
        for name in ("actor", "action", "object_type", "object_id"):
            value = getattr(self, name)
            if value is not None:
                clauses.append(TABLE.c[name] == value)
        return clauses

    def as_dict(self) -> dict[str, str]:
        """The filters that are set, as text (for the export's own audit event and the PDF)."""
        return {
            name: value.isoformat() if isinstance(value, date) else value
            for name, value in asdict(self).items()
            if value is not None
        }

    def filename(self, extension: str, today: date) -> str:
        """The export's file name: `audit-2026-01-01_2026-03-31.csv` (no `since`: "awal")."""
        since = self.since.date() if isinstance(self.since, datetime) else self.since
        until = self.until.date() if isinstance(self.until, datetime) else self.until
        first = since.isoformat() if since else "awal"
        return f"audit-{first}_{(until or today).isoformat()}.{extension}"


def _select(raw_data: bool) -> sa.Select:
    columns = [TABLE.c[name] for name in FIELDS if name != "data"]
    # The JSON column as the text stored: a file export copies it without parsing it.
    data = sa.cast(TABLE.c.data, sa.Text).label("data") if raw_data else TABLE.c.data
    return sa.select(*columns, data)


def chain_end() -> int:
    """Lock the chain's head (writers wait) and answer the id of its newest event (0 for none):
    an export covers the events up to it, so its count and its file agree."""
    head = db.session.scalar(sa.select(AuditHead).where(AuditHead.id == 1).with_for_update())
    return (head.last_event_id or 0) if head is not None else 0


def count_events(filters: AuditFilters, upto: int | None = None, extra=()) -> int:
    """How many events the filters select (up to event `upto`)."""
    clauses = [*filters.conditions(), *extra]
    if upto is not None:
        clauses.append(TABLE.c.id <= upto)
    return db.session.scalar(sa.select(sa.func.count()).select_from(TABLE).where(*clauses)) or 0


def event_page(
    filters: AuditFilters, page: int, per_page: int, newest_first: bool = False
) -> tuple[list[Mapping[str, Any]], int]:
    """One page of the selected events, in chain order (or newest first), and their total."""
    order = TABLE.c.id.desc() if newest_first else TABLE.c.id
    query = _select(raw_data=False).where(*filters.conditions()).order_by(order)
    rows = db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).mappings()
    return list(rows), count_events(filters)


def iter_events(
    filters: AuditFilters,
    *,
    upto: int | None = None,
    raw_data: bool = False,
    extra=(),
    batch: int = BATCH,
    after_batch: Callable[[], None] | None = None,
) -> Iterator[Mapping[str, Any]]:
    """Every selected event up to event `upto`, in id order, `batch` rows at a time (keyset
    paging: constant memory). `after_batch` runs between batches (the command line ends its
    read transaction there, so a long export never holds a lock)."""
    query = _select(raw_data).where(*filters.conditions(), *extra).order_by(TABLE.c.id)
    if upto is not None:
        query = query.where(TABLE.c.id <= upto)
    last_id = 0
    while True:
        rows = db.session.execute(query.where(TABLE.c.id > last_id).limit(batch)).mappings().all()
        if after_batch is not None:
            after_batch()
        if not rows:
            return
        yield from rows
        if len(rows) < batch:
            return
        last_id = rows[-1]["id"]
