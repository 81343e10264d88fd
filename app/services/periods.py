"""Measurement periods: a year ("2026") or one of its quarters ("2026-Q3")."""

import re
from dataclasses import dataclass
from datetime import datetime

from app.errors import DomainError

PATTERN = re.compile(r"^(?P<year>\d{4})(?:-Q(?P<quarter>[1-4]))?$")
QUARTERS = (1, 2, 3, 4)
FIRST_YEAR = 2000
LAST_YEAR = 2100


@dataclass(frozen=True)
class Period:
    """A parsed period; `quarter` is None for a whole year."""

    year: int
    quarter: int | None = None

    @property
    def code(self) -> str:
        return f"{self.year}-Q{self.quarter}" if self.quarter else str(self.year)

    @property
    def is_year(self) -> bool:
        return self.quarter is None

    def quarters(self) -> list["Period"]:
        """The four quarters of this year (or of this quarter's year)."""
        return [Period(self.year, q) for q in QUARTERS]


def parse_period(text: str | None) -> Period | None:
    """Return the period `text` names (YYYY or YYYY-Q1..Q4, years 2000–2100), else None."""
    match = PATTERN.match(text or "")
    if not match or not FIRST_YEAR <= int(match["year"]) <= LAST_YEAR:
        return None
    quarter = match["quarter"]
    return Period(int(match["year"]), int(quarter) if quarter else None)


def is_period(text: str | None) -> bool:
    """Tell whether `text` names a period."""
    return parse_period(text) is not None


def validate_period(text: str | None) -> str:
    """Return `text` if it names a period, else raise 422 invalid_period."""
    if parse_period(text) is None:
        raise DomainError(422, "invalid_period", details={"field": "period"}, period=text)
    return text


def is_year(period: str) -> bool:
    """Tell whether a valid period code is a whole year."""
    return len(period) == 4


def quarter_periods(year: str | int) -> list[str]:
    """The codes of a year's four quarters: ["2026-Q1", …, "2026-Q4"]."""
    return [f"{year}-Q{q}" for q in QUARTERS]


def periods_for(period: str) -> list[str]:
    """A period and the quarters it aggregates: a year brings its four quarters along."""
    return [period, *quarter_periods(period)] if is_year(period) else [period]


def quarter_of(moment: datetime) -> str:
    """The quarter a (local) moment falls in: "2026-Q4"."""
    return f"{moment.year}-Q{(moment.month - 1) // 3 + 1}"
