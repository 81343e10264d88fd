"""Which measurements the analytics look at: one SOP, started between two days, of a period."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from app.errors import DomainError
from app.models import Instance, InstanceStatus
from app.services.office_calendar import office_timezone
from app.services.periods import periods_for, quarter_of, validate_period


def start_of(value: date | datetime) -> datetime:
    """The instant a bound means: a date from its midnight in the office's zone, a time
    without offset in the office's zone."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=office_timezone())
    return datetime.combine(value, time.min, office_timezone())


@dataclass(frozen=True)
class Scope:
    """The measurements of SOP `sop` started from `since` up to `until` (a date includes its
    whole day) and, when given, of `period` (a year brings its quarters along). Cancelled
    measurements are left out: nobody was meant to finish them."""

    sop: str
    since: date | datetime | None = None
    until: date | datetime | None = None
    period: str | None = None

    def __post_init__(self) -> None:
        """Refuse a period that is none, and a range that ends before it starts."""
        if self.period is not None:
            validate_period(self.period)
        first, last = self.first_instant, self.end_instant
        if first is not None and last is not None and last <= first:
            raise DomainError(
                422,
                "analytics_range_reversed",
                details={"field": "until"},
                since=self.since.isoformat(),
                until=self.until.isoformat(),
            )

    @property
    def first_instant(self) -> datetime | None:
        return None if self.since is None else start_of(self.since)

    @property
    def end_instant(self) -> datetime | None:
        """The first instant after the range (a date's whole day, a time inclusive)."""
        if self.until is None:
            return None
        if isinstance(self.until, datetime):
            return start_of(self.until) + timedelta(microseconds=1)
        return start_of(self.until + timedelta(days=1))

    def conditions(self) -> list:
        """The WHERE clauses choosing the scope's instances."""
        clauses = [Instance.sop_code == self.sop, Instance.status != InstanceStatus.CANCELLED]
        if self.first_instant is not None:
            clauses.append(Instance.started_at >= self.first_instant)
        if self.end_instant is not None:
            clauses.append(Instance.started_at < self.end_instant)
        if self.period is not None:
            clauses.append(Instance.period.in_(periods_for(self.period)))
        return clauses

    def as_dict(self) -> dict[str, str]:
        """The filters that are set, as text (for file names and the page's links)."""
        values = {"sop": self.sop, "since": self.since, "until": self.until, "period": self.period}
        return {
            name: value.isoformat() if isinstance(value, date) else value
            for name, value in values.items()
            if value is not None
        }

    def filename(self, extension: str) -> str:
        """`kinerja-sop-pengukuran-kinerja-2026-Q1.csv`, or with the range's dates."""
        parts = [self.sop]
        if self.period:
            parts.append(self.period)
        if self.since or self.until:
            since = self.since.isoformat()[:10] if self.since else "awal"
            until = self.until.isoformat()[:10] if self.until else "kini"
            parts.append(f"{since}_{until}")
        return f"kinerja-sop-{'-'.join(parts)}.{extension}"


def local_quarter(moment: datetime) -> str:
    """The quarter (office zone) an instant falls in: "2026-Q2"."""
    return quarter_of(moment.astimezone(office_timezone()))


def quarter_start(code: str) -> datetime:
    """The first instant of quarter "2026-Q2" in the office's zone."""
    year, quarter = int(code[:4]), int(code[-1])
    return datetime(year, 3 * quarter - 2, 1, tzinfo=office_timezone())


def quarter_expression(quarters: list[str]):
    """A SQL expression naming the quarter of `Instance.started_at`, among the (sorted)
    quarters the scope's instances start in: each quarter ends where the next present one
    starts, since no instance of the scope lies between them."""
    if not quarters:
        return sa.literal("")
    whens = [
        (Instance.started_at < quarter_start(following), sa.literal(current))
        for current, following in zip(quarters, quarters[1:], strict=False)
    ]
    if not whens:
        return sa.literal(quarters[0])
    return sa.case(*whens, else_=sa.literal(quarters[-1]))
