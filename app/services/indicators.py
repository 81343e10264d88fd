"""Indicators: the arithmetic of achievement (capaian) and category (predikat), the year
made of quarters, the values per period, their import, and the measurement sheet.

The rules (DESIGN rule 5), all in `Decimal`, so no float ever drifts a boundary:

- Achievement, rounded half up to 2 decimals: positive polarity r / t × 100; negative
  polarity (2t − r) / t × 100. There is no cap at either end: 250 stays 250, and a negative
  indicator whose realisation passes twice its target gets a negative achievement, kept as
  it is (it falls in the lowest band).
- A missing target, a zero target or a missing realisation is not measurable: the value is
  None, the category `not_measurable`, the reason `target_missing`, `target_zero` or
  `realization_missing` (checked in that order).
- The category comes from the office's scale (`CategoryBand` rows, editable): the band with
  the highest lower bound not above the *rounded* achievement (so 90.995 shows as 91.00 and
  is Sangat Tinggi); the band with no bound takes everything below the others.
- A year's target and realisation each come from the year's own row when it has that field
  (an explicitly entered year value wins), else from the quarters by the indicator's
  aggregation, over the quarters that have a value: `sum` adds them, `average` is their mean
  (to 4 decimals), `last` is the latest quarter that has one. With no quarter value, the
  field is missing (so the year is not measurable), never 0. Targets and realisations are
  aggregated separately: in September a `sum` indicator compares three quarters of
  realisation with four quarters of target, which is the truth about the year so far.
"""

import csv
import io
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from flask import current_app

from app.errors import DomainError, not_found, render_message
from app.extensions import db
from app.models import (
    Aggregation,
    CategoryBand,
    Indicator,
    IndicatorValue,
    OrgUnit,
    Polarity,
    User,
    utcnow,
)
from app.services import audit
from app.services.periods import validate_period
from app.services.persistence import add_or_conflict

HUNDRED = Decimal(100)
TWO_PLACES = Decimal("0.01")
FOUR_PLACES = Decimal("0.0001")
# Values are kept to 4 decimals below 10^11: 15 significant digits, which also survive
# SQLite's floating-point storage and a JSON number exactly.
MAX_VALUE = Decimal(10) ** 11
CODE_PATTERN = re.compile(r"^[A-Za-z0-9._-]{1,40}$")
QUARTERS = (1, 2, 3, 4)
MAX_IMPORT_ROWS = 2000


def writer_roles() -> tuple[str, ...]:
    """The roles that may write indicators and their values (config INDICATOR_WRITER_ROLES)."""
    return tuple(current_app.config["INDICATOR_WRITER_ROLES"])


# --- the public results ------------------------------------------------------------------


@dataclass(frozen=True)
class Category:
    code: str
    label: str


NOT_MEASURABLE = Category("not_measurable", "Tidak dapat diukur")


@dataclass(frozen=True)
class Achievement:
    value: Decimal | None
    category: Category
    reason: str | None  # target_missing, target_zero, realization_missing; None if measured

    @property
    def measurable(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class WorksheetRow:
    code: str
    name: str
    unit: str
    polarity: str
    target: Decimal | None
    realization: Decimal | None
    achievement: Achievement


@dataclass(frozen=True)
class SectionSheet:
    code: str
    name: str
    rows: list[WorksheetRow]
    average: Decimal | None  # of the measurable rows' achievements, 2 decimals
    category: Category

    @property
    def measurable(self) -> int:
        return sum(1 for row in self.rows if row.achievement.measurable)

    @property
    def not_measurable(self) -> int:
        return len(self.rows) - self.measurable


@dataclass(frozen=True)
class MeasurementSheet:
    period: str
    sections: list[SectionSheet]
    average: Decimal | None  # of every measurable row's achievement, each indicator weighs one
    category: Category
    measurable: int
    not_measurable: int
    bands: tuple["Band", ...] = ()  # the scale used, highest first, for a legend

    def section(self, code: str) -> SectionSheet | None:
        """Return the sheet of section `code`, if it is in this measurement."""
        return next((s for s in self.sections if s.code == code), None)


@dataclass(frozen=True)
class Band:
    """One band of the scale: achievements from `min_achievement` (inclusive) upwards;
    None is below every other band."""

    code: str
    label: str
    min_achievement: Decimal | None

    @property
    def category(self) -> Category:
        return Category(self.code, self.label)


# Keep in step with the rows the indicators migration seeds.
DEFAULT_BANDS: tuple[Band, ...] = (
    Band("sangat_tinggi", "Sangat Tinggi", Decimal(91)),
    Band("tinggi", "Tinggi", Decimal(76)),
    Band("sedang", "Sedang", Decimal(66)),
    Band("rendah", "Rendah", Decimal(51)),
    Band("sangat_rendah", "Sangat Rendah", None),
)


# --- the arithmetic (pure) ---------------------------------------------------------------


def round2(value: Decimal) -> Decimal:
    """Round half up to 2 decimals, as the worksheet shows it."""
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def categorize(value: Decimal | None, bands: Sequence[Band] = DEFAULT_BANDS) -> Category:
    """Name the band `value` falls in; None is not measurable. Pass `current_bands()` for the
    office's own scale."""
    if value is None:
        return NOT_MEASURABLE
    if not bands:
        raise ValueError("the category scale has no bands")
    bounded = sorted(
        (b for b in bands if b.min_achievement is not None),
        key=lambda b: b.min_achievement,
        reverse=True,
    )
    for band in bounded:
        if value >= band.min_achievement:
            return band.category
    floor = next((b for b in bands if b.min_achievement is None), None)
    # A scale without an open bottom band: below its lowest bound is still its lowest band.
    return (floor or bounded[-1]).category


def achievement(
    target: Decimal | None,
    realization: Decimal | None,
    polarity: Polarity | str,
    bands: Sequence[Band] = DEFAULT_BANDS,
) -> Achievement:
    """Compute the achievement (capaian) of a realisation against a target, and its category."""
    reason = None
    if target is None:
        reason = "target_missing"
    elif target == 0:
        reason = "target_zero"
    elif realization is None:
        reason = "realization_missing"
    if reason:
        return Achievement(value=None, category=NOT_MEASURABLE, reason=reason)
    if Polarity(polarity) == Polarity.POSITIVE:
        value = round2(realization * HUNDRED / target)
    else:
        value = round2((2 * target - realization) * HUNDRED / target)
    return Achievement(value=value, category=categorize(value, bands), reason=None)


def aggregate(values: Sequence[Decimal | None], aggregation: Aggregation | str) -> Decimal | None:
    """Make a year of quarterly values (in quarter order; None = no value), over the quarters
    that have one; None when none has."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    how = Aggregation(aggregation)
    if how == Aggregation.SUM:
        return sum(present, Decimal(0))
    if how == Aggregation.AVERAGE:
        return (sum(present, Decimal(0)) / len(present)).quantize(
            FOUR_PLACES, rounding=ROUND_HALF_UP
        )
    return present[-1]


def mean_achievement(achievements: Iterable[Achievement]) -> Decimal | None:
    """Average the measurable achievements (each as shown, 2 decimals); None if there are none."""
    values = [a.value for a in achievements if a.value is not None]
    if not values:
        return None
    return round2(sum(values, Decimal(0)) / len(values))


def is_year(period: str) -> bool:
    return len(period) == 4


def quarter_periods(year: str) -> list[str]:
    return [f"{year}-Q{q}" for q in QUARTERS]


@dataclass(frozen=True)
class Figures:
    """An indicator's target and realisation for one period, and its achievement. The
    sources say where each number came from: `entered` (the period's own row), `quarters`
    (a year aggregated from its quarters) or None (no value)."""

    period: str
    target: Decimal | None
    realization: Decimal | None
    achievement: Achievement
    target_source: str | None
    realization_source: str | None


def figures(
    indicator: Indicator,
    period: str,
    rows: Mapping[str, IndicatorValue],
    bands: Sequence[Band],
) -> Figures:
    """Work out an indicator's figures for `period` from its value rows by period."""
    own = rows.get(period)
    numbers: dict[str, tuple[Decimal | None, str | None]] = {}
    for name in ("target", "realization"):
        value = getattr(own, name) if own is not None else None
        if value is not None:
            numbers[name] = (value, "entered")
        elif is_year(period):
            quarters = [rows.get(p) for p in quarter_periods(period)]
            made = aggregate(
                [getattr(q, name) if q is not None else None for q in quarters],
                indicator.aggregation,
            )
            numbers[name] = (made, "quarters" if made is not None else None)
        else:
            numbers[name] = (None, None)
    target, target_source = numbers["target"]
    realization, realization_source = numbers["realization"]
    return Figures(
        period=period,
        target=target,
        realization=realization,
        achievement=achievement(target, realization, indicator.polarity, bands),
        target_source=target_source,
        realization_source=realization_source,
    )


# --- the scale ---------------------------------------------------------------------------


def current_bands() -> tuple[Band, ...]:
    """Return the office's category scale, highest band first; the default scale if the
    table is empty."""
    rows = db.session.scalars(
        sa.select(CategoryBand).order_by(CategoryBand.sort_order, CategoryBand.id)
    ).all()
    if not rows:
        return DEFAULT_BANDS
    bands = [Band(r.code, r.name, r.min_achievement) for r in rows]
    return tuple(
        sorted(bands, key=lambda b: (b.min_achievement is None, -(b.min_achievement or 0)))
    )


def seed_category_bands() -> None:
    """Write the default scale into an empty category table (the migration does this too)."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(CategoryBand)):
        return
    for order, band in enumerate(DEFAULT_BANDS, start=1):
        db.session.add(
            CategoryBand(
                code=band.code,
                name=band.label,
                min_achievement=band.min_achievement,
                sort_order=order,
            )
        )
    db.session.flush()


def replace_category_scale(
    bands: Sequence[Mapping[str, Any]], *, actor: User, ip: str | None = None
) -> tuple[Band, ...]:
    """Replace the office's category scale (admin only): bands with a code, a name and an
    inclusive lower bound, exactly one of them with no bound (below all others)."""
    if not actor.has_role("admin"):
        raise DomainError(403, "forbidden")
    bands = [{**band, "min_achievement": _bound_of(band["min_achievement"])} for band in bands]
    problems = _scale_problems(bands)
    if problems:
        raise DomainError(
            422, "invalid_scale", details={"problems": problems}, problems="; ".join(problems)
        )
    before = [(b.code, b.label, _bound_text(b.min_achievement)) for b in current_bands()]
    db.session.execute(sa.delete(CategoryBand))
    ordered = sorted(
        bands, key=lambda b: (b["min_achievement"] is None, -(b["min_achievement"] or 0))
    )
    for order, band in enumerate(ordered, start=1):
        db.session.add(
            CategoryBand(
                code=band["code"],
                name=band["name"],
                min_achievement=band["min_achievement"],
                sort_order=order,
            )
        )
    db.session.flush()
    after = current_bands()
    audit.record(
        "category_scale.changed",
        actor=actor,
        object_type="category_scale",
        summary=f"{actor.username} mengubah skala predikat capaian",
        data={
            "before": before,
            "after": [(b.code, b.label, _bound_text(b.min_achievement)) for b in after],
        },
        ip=ip,
    )
    return after


def _bound_of(value: float | Decimal | None) -> Decimal | None:
    """A band's lower bound as the column keeps it: two decimals."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _bound_text(bound: Decimal | None) -> str | None:
    return None if bound is None else str(bound)


def _scale_problems(bands: Sequence[Mapping[str, Any]]) -> list[str]:
    problems = []
    if len(bands) < 2:
        problems.append("the scale needs at least two bands")
    codes = [b["code"] for b in bands]
    if len(set(codes)) != len(codes):
        problems.append("band codes must be unique")
    bounds = [b["min_achievement"] for b in bands if b["min_achievement"] is not None]
    if len(set(bounds)) != len(bounds):
        problems.append("two bands cannot start at the same achievement")
    if sum(1 for b in bands if b["min_achievement"] is None) != 1:
        problems.append("exactly one band must have no lower bound (the lowest band)")
    return problems


# --- values ------------------------------------------------------------------------------


def check_value(value: Any, name: str) -> Decimal:
    """Return `value` as a Decimal a value column keeps, or raise a 422 naming `name`."""
    number = to_decimal(value)
    if number is None:
        raise DomainError(422, "not_a_number", details={"field": name}, field=name)
    problem = value_problem(number)
    if problem:
        raise DomainError(
            422, problem, details={"field": name}, field=name, max=f"{MAX_VALUE:,.0f}"
        )
    return number.copy_abs() if number == 0 else number  # -0.0 is 0


def to_decimal(value: Any) -> Decimal | None:
    """Convert a JSON number (int or float, not bool) or a Decimal; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # The shortest repr is what the client wrote: 0.1 stays 0.1, not 0.1000000000000000055.
        return Decimal(repr(value))
    return None


def value_problem(number: Decimal) -> str | None:
    """Name what stops `number` from being stored, or None."""
    if not number.is_finite():
        return "value_not_finite"
    if number < 0:
        return "negative_value"
    if number >= MAX_VALUE:
        return "value_too_large"
    if number != number.quantize(FOUR_PLACES):
        return "value_too_precise"
    return None


def _can_write(actor: User) -> None:
    if not actor.has_role(*writer_roles()):
        raise DomainError(403, "forbidden")


def get_indicator(code: str) -> Indicator:
    """Return the indicator with `code`, or raise 404."""
    indicator = None
    if isinstance(code, str) and CODE_PATTERN.match(code):
        indicator = db.session.scalar(sa.select(Indicator).filter_by(code=code))
    if indicator is None:
        raise not_found(f"Indikator {code!r}")
    return indicator


def list_indicators(section: str | None = None) -> sa.Select:
    """Select the indicators, of one section when `section` (a code) is given, by code."""
    query = sa.select(Indicator).order_by(Indicator.code)
    if section is not None:
        query = query.join(Indicator.section).where(OrgUnit.code == section)
    return query


def create_indicator(
    *,
    code: str,
    name: str,
    unit: str,
    polarity: Polarity | str,
    aggregation: Aggregation | str,
    section: str,
    actor: User,
    ip: str | None = None,
) -> Indicator:
    """Add an indicator to a section."""
    _can_write(actor)
    if not CODE_PATTERN.match(code or ""):
        raise DomainError(422, "invalid_indicator_code", details={"field": "code"}, indicator=code)
    unit_row = db.session.scalar(sa.select(OrgUnit).filter_by(code=section, is_section=True))
    if unit_row is None:
        raise DomainError(422, "unknown_section", details={"field": "section"}, section=section)
    if db.session.scalar(sa.select(Indicator.id).filter_by(code=code)):
        raise DomainError(409, "duplicate_indicator", indicator=code)
    indicator = Indicator(
        code=code,
        name=name.strip(),
        unit=unit.strip(),
        polarity=Polarity(polarity),
        aggregation=Aggregation(aggregation),
        section=unit_row,
        active=True,
    )
    # Someone may have added the same code a moment ago.
    add_or_conflict(indicator, code="duplicate_indicator", indicator=code)
    audit.record(
        "indicator.created",
        actor=actor,
        object_type="indicator",
        object_id=indicator.code,
        summary=f"Menambah indikator {indicator.code} ({indicator.name}) pada {unit_row.name}",
        data={
            "code": indicator.code,
            "name": indicator.name,
            "unit": indicator.unit,
            "polarity": indicator.polarity.value,
            "aggregation": indicator.aggregation.value,
            "section": unit_row.code,
        },
        ip=ip,
    )
    return indicator


UNSET: Any = object()


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def _rows_by_period(indicator: Indicator, periods: Iterable[str] | None = None) -> dict:
    query = sa.select(IndicatorValue).filter_by(indicator_id=indicator.id)
    if periods is not None:
        query = query.where(IndicatorValue.period.in_(list(periods)))
    return {row.period: row for row in db.session.scalars(query)}


def _periods_for(period: str) -> list[str]:
    return [period, *quarter_periods(period)] if is_year(period) else [period]


def set_value(
    indicator: Indicator,
    period: str,
    *,
    actor: User,
    target: Any = UNSET,
    realization: Any = UNSET,
    ip: str | None = None,
) -> Figures:
    """Set the target and/or realisation of an indicator for a period (None clears one; a
    field not given stays), and answer the period's figures."""
    _can_write(actor)
    validate_period(period)
    given = {
        name: None if value is None else check_value(value, name)
        for name, value in (("target", target), ("realization", realization))
        if value is not UNSET
    }
    if not given:
        raise DomainError(422, "nothing_to_set")
    row = db.session.scalar(
        sa.select(IndicatorValue).filter_by(indicator_id=indicator.id, period=period)
    )
    before = {
        "target": row.target if row else None,
        "realization": row.realization if row else None,
    }
    after = {**before, **given}
    if after["target"] == 0 and after["realization"] is not None:
        raise DomainError(
            422, "realization_on_zero_target", details={"field": "target"}, period=period
        )
    if row is None:
        row = IndicatorValue(indicator=indicator, period=period)
        db.session.add(row)
    row.target = after["target"]
    row.realization = after["realization"]
    row.updated_at = utcnow()
    row.updated_by = actor
    # Another request may have created the same (indicator, period) row first.
    add_or_conflict()
    audit.record(
        "indicator.value_set",
        actor=actor,
        object_type="indicator",
        object_id=indicator.code,
        summary=f"Mengisi nilai {indicator.code} periode {period}",
        data={
            "indicator": indicator.code,
            "period": period,
            "before": {k: _text(v) for k, v in before.items()},
            "after": {k: _text(v) for k, v in after.items()},
        },
        ip=ip,
    )
    rows = _rows_by_period(indicator, _periods_for(period))
    return figures(indicator, period, rows, current_bands())


@dataclass(frozen=True)
class IndicatorValues:
    """Every stored period of an indicator, and each year it has values in, aggregated."""

    indicator: Indicator
    periods: list[Figures]
    years: list[Figures]


def values_of(indicator: Indicator) -> IndicatorValues:
    """Return every period's figures of an indicator, and each year's (explicit or made of
    its quarters)."""
    rows = _rows_by_period(indicator)
    bands = current_bands()
    periods = sorted(rows)
    years = sorted({p[:4] for p in periods})
    return IndicatorValues(
        indicator=indicator,
        periods=[figures(indicator, p, rows, bands) for p in periods],
        years=[figures(indicator, y, rows, bands) for y in years],
    )


# --- the measurement sheet ---------------------------------------------------------------


def measurement_sheet(period: str) -> MeasurementSheet:
    """Return the worksheet of every section (org units marked as sections, in the office's
    order) with its active indicators for `period`; a year uses its year figures."""
    validate_period(period)
    bands = current_bands()
    sections = db.session.scalars(
        sa.select(OrgUnit).filter_by(is_section=True).order_by(OrgUnit.id)
    ).all()
    indicators = db.session.scalars(
        sa.select(Indicator).filter_by(active=True).order_by(Indicator.code)
    ).all()
    rows: dict[int, dict[str, IndicatorValue]] = defaultdict(dict)
    if indicators:
        for value in db.session.scalars(
            sa.select(IndicatorValue).where(
                IndicatorValue.indicator_id.in_([i.id for i in indicators]),
                IndicatorValue.period.in_(_periods_for(period)),
            )
        ):
            rows[value.indicator_id][value.period] = value
    by_section: dict[int, list[WorksheetRow]] = defaultdict(list)
    for indicator in indicators:
        numbers = figures(indicator, period, rows[indicator.id], bands)
        by_section[indicator.section_id].append(
            WorksheetRow(
                code=indicator.code,
                name=indicator.name,
                unit=indicator.unit,
                polarity=indicator.polarity.value,
                target=numbers.target,
                realization=numbers.realization,
                achievement=numbers.achievement,
            )
        )
    sheets = []
    for section in sections:
        section_rows = by_section[section.id]
        average = mean_achievement(r.achievement for r in section_rows)
        sheets.append(
            SectionSheet(
                code=section.code,
                name=section.name,
                rows=section_rows,
                average=average,
                category=categorize(average, bands),
            )
        )
    every_row = [r for s in sheets for r in s.rows]
    average = mean_achievement(r.achievement for r in every_row)
    measurable = sum(1 for r in every_row if r.achievement.measurable)
    return MeasurementSheet(
        period=period,
        sections=sheets,
        average=average,
        category=categorize(average, bands),
        measurable=measurable,
        not_measurable=len(every_row) - measurable,
        bands=bands,
    )


# --- import ------------------------------------------------------------------------------

# Column or key names an export may use, by the field they mean.
ALIASES = {
    "indicator": "indicator",
    "code": "indicator",
    "indikator": "indicator",
    "kode": "indicator",
    "period": "period",
    "periode": "period",
    "target": "target",
    "realization": "realization",
    "realisation": "realization",
    "realisasi": "realization",
}
PLAIN_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
INDONESIAN_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?$")


def parse_number_text(text: str) -> Decimal | None:
    """Read a number as a spreadsheet writes it: `1234.5` (a dot is a decimal point), or the
    Indonesian `1.234,5` / `1234,5` (dots group thousands, a comma is the decimal point).
    A lone dot is always a decimal point: `1.234` is one point two three four (write `1234`
    or `1.234,0` for a thousand and more); `1.234.567` can only be grouped thousands.
    Anything else (`1,234.5`, `1e3`, `12%`, `NaN`) is None."""
    text = text.strip()
    if PLAIN_NUMBER.match(text):
        return Decimal(text)
    if INDONESIAN_NUMBER.match(text):
        return Decimal(text.replace(".", "").replace(",", "."))
    return None


@dataclass(frozen=True)
class RowError:
    """What is wrong with one row of an import."""

    row: int
    field: str | None
    code: str
    params: dict[str, Any] = dataclass_field(default_factory=dict)
    line: int | None = None

    def as_dict(self, lang: str = "en") -> dict[str, Any]:
        entry = {
            "row": self.row,
            "field": self.field,
            "code": self.code,
            "message": render_message(self.code, lang, **self.params),
        }
        if self.line is not None:
            entry["line"] = self.line
        return entry


class ImportRejected(DomainError):
    """An import with bad rows: nothing was changed; `errors` lists every bad row's faults."""

    def __init__(self, errors: list[RowError], rows: int, lang: str = "en"):
        self.errors = errors
        super().__init__(
            422,
            "import_invalid",
            details={"rows": rows, "errors": [e.as_dict(lang) for e in errors]},
            count=len({e.row for e in errors}),
        )

    def in_language(self, lang: str) -> "ImportRejected":
        """The same refusal with every row's message in `lang`."""
        return ImportRejected(self.errors, self.details["rows"], lang)


@dataclass(frozen=True)
class ImportRow:
    """One row of an import as read: its 1-based number among the data rows, its line in a
    CSV file, its fields by canonical name, and whether numbers arrive as text (CSV)."""

    row: int
    fields: dict[str, Any]
    text_numbers: bool = False
    line: int | None = None


@dataclass(frozen=True)
class ImportResult:
    applied: int
    created: int
    updated: int


def unreadable(reason: str) -> DomainError:
    return DomainError(422, "import_unreadable", reason=reason)


def _canonical(data: Mapping[str, Any]) -> dict[str, Any]:
    fields_: dict[str, Any] = {}
    for key, value in data.items():
        name = ALIASES.get(str(key).strip().lower())
        if name is not None and name not in fields_:
            fields_[name] = value
    return fields_


def rows_from_json(rows: Any) -> list[ImportRow]:
    """Read the rows of a JSON import: a list of objects."""
    if not isinstance(rows, list):
        raise unreadable("rows must be a list of objects")
    return [
        ImportRow(row=n, fields=_canonical(item) if isinstance(item, dict) else {"_bad": item})
        for n, item in enumerate(rows, start=1)
    ]


def rows_from_csv(text: str) -> list[ImportRow]:
    """Read the rows of a CSV import with a header row; the delimiter is a comma, or a
    semicolon (Indonesian spreadsheets) when the header has more of those."""
    header_line = text.lstrip().split("\n", 1)[0]
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
        if header is None:
            raise unreadable("the file is empty")
        names = [ALIASES.get(h.strip().lower()) for h in header]
        if "indicator" not in names or "period" not in names:
            raise unreadable("the header must name the columns indicator (or code) and period")
        if "realization" not in names and "target" not in names:
            raise unreadable("the header must have a realization or a target column")
        rows = []
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue  # blank lines, which spreadsheets like to end with
            values: dict[str, Any] = {}
            for name, cell in zip(names, cells, strict=False):
                if name is not None and name not in values:
                    values[name] = cell.strip() or None
            if len(cells) > len(names) and any(c.strip() for c in cells[len(names) :]):
                values["_extra"] = len(cells) - len(names)
            rows.append(
                ImportRow(row=len(rows) + 1, fields=values, text_numbers=True, line=reader.line_num)
            )
            if len(rows) > MAX_IMPORT_ROWS:
                break
    except csv.Error as error:
        raise unreadable(f"not a CSV file ({error})") from None
    return rows


def rows_from_file(filename: str | None, content: bytes) -> tuple[list[ImportRow], str]:
    """Read an uploaded import file, JSON (`{"rows": [...]}` or a bare list) or CSV, into
    rows; answer them and the format."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise unreadable("the file is not UTF-8 text") from None
    looks_json = text.lstrip()[:1] in ("{", "[")
    if (filename or "").lower().endswith(".json") or looks_json:
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            raise unreadable("not valid JSON") from None
        if isinstance(data, dict):
            data = data.get("rows")
        return rows_from_json(data), "json"
    return rows_from_csv(text), "csv"


def _read_number(row: ImportRow, name: str, errors: list[RowError]) -> Decimal | None:
    raw = row.fields.get(name)
    if raw is None:
        return None
    if row.text_numbers and isinstance(raw, str):
        number = parse_number_text(raw)
    else:
        number = to_decimal(raw)
    problem = "not_a_number" if number is None else value_problem(number)
    if problem:
        errors.append(
            RowError(
                row.row,
                name,
                problem,
                {"field": name, "value": str(raw)[:40], "max": f"{MAX_VALUE:,.0f}"},
                row.line,
            )
        )
        return None
    return number.copy_abs() if number == 0 else number


@dataclass
class _ImportCheck:
    """What the checks of an import's rows need and find: the indicators and stored values
    the rows name, the (indicator, period) pairs seen so far, the faults, the planned writes."""

    indicators: dict[str, Indicator]
    existing: dict[tuple[int, str], IndicatorValue]
    seen: dict[tuple[str, str], int] = dataclass_field(default_factory=dict)
    errors: list[RowError] = dataclass_field(default_factory=list)
    planned: list[tuple[Indicator, str, dict[str, Decimal]]] = dataclass_field(default_factory=list)

    @classmethod
    def for_rows(cls, rows: Sequence[ImportRow]) -> "_ImportCheck":
        """Load, in two queries, the indicators the rows name and their stored values."""
        codes = {
            code
            for code in (r.fields.get("indicator") for r in rows)
            if isinstance(code, str) and CODE_PATTERN.match(code)
        }
        indicators = {
            i.code: i
            for i in db.session.scalars(sa.select(Indicator).where(Indicator.code.in_(codes)))
        }
        ids = [i.id for i in indicators.values()]
        existing = {
            (v.indicator_id, v.period): v
            for v in db.session.scalars(
                sa.select(IndicatorValue).where(IndicatorValue.indicator_id.in_(ids))
            )
        }
        return cls(indicators, existing)

    def check(self, row: ImportRow) -> None:
        """Record every fault of `row`, or plan its write when it has none."""
        before = len(self.errors)

        def fault(name: str | None, error: str, **params) -> None:
            self.errors.append(RowError(row.row, name, error, params, row.line))

        if "_bad" in row.fields:
            fault(None, "import_row_not_object")
            return
        if "_extra" in row.fields:
            # An unquoted "1,234.5" in a comma CSV splits into two cells; never guess.
            fault(None, "import_extra_cells", count=row.fields["_extra"])
        code = row.fields.get("indicator")
        indicator = None
        if code is None or code == "":
            fault("indicator", "import_field_missing", field="indicator")
        elif not isinstance(code, str) or not CODE_PATTERN.match(code):
            fault("indicator", "invalid_indicator_code", indicator=str(code)[:60])
        elif code not in self.indicators:
            fault("indicator", "unknown_indicator", indicator=code)
        else:
            indicator = self.indicators[code]
        period = row.fields.get("period")
        if period is None or period == "":
            fault("period", "import_field_missing", field="period")
            period = None
        elif not isinstance(period, str) or not _is_period(period):
            fault("period", "invalid_period", period=str(period)[:20])
            period = None
        given = {}
        for name in ("target", "realization"):
            number = _read_number(row, name, self.errors)
            if number is not None:
                given[name] = number
        if not given and len(self.errors) == before:
            fault(None, "import_no_value")
        if isinstance(code, str) and code and period:
            first = self.seen.setdefault((code, period), row.row)
            if first != row.row:
                fault("period", "import_duplicate_row", first=first, indicator=code, period=period)
        if len(self.errors) > before or indicator is None or period is None:
            return
        stored = self.existing.get((indicator.id, period))
        target = given.get("target", stored.target if stored else None)
        realization = given.get("realization", stored.realization if stored else None)
        if target == 0 and realization is not None:
            fault("target", "realization_on_zero_target", period=period)
            return
        self.planned.append((indicator, period, given))


def _is_period(period: str) -> bool:
    try:
        validate_period(period)
    except DomainError:
        return False
    return True


def import_values(
    rows: Sequence[ImportRow],
    *,
    actor: User,
    source: str = "json",
    ip: str | None = None,
) -> ImportResult:
    """Apply imported targets and realisations all or nothing: every row is checked first,
    and one bad row refuses the lot with the faults of every bad row. An empty or missing
    value leaves the stored one as it is."""
    _can_write(actor)
    if not rows:
        raise unreadable("there are no data rows")
    if len(rows) > MAX_IMPORT_ROWS:
        raise unreadable(f"more than {MAX_IMPORT_ROWS} rows")
    plan = _ImportCheck.for_rows(rows)
    for row in rows:
        plan.check(row)
    if plan.errors:
        raise ImportRejected(plan.errors, len(rows))

    now = utcnow()
    created = 0
    changes = []
    for indicator, period, given in plan.planned:
        value = plan.existing.get((indicator.id, period))
        if value is None:
            value = IndicatorValue(indicator=indicator, period=period)
            db.session.add(value)
            created += 1
        for name, number in given.items():
            setattr(value, name, number)
        value.updated_at = now
        value.updated_by = actor
        changes.append(
            {"indicator": indicator.code, "period": period}
            | {name: _text(number) for name, number in given.items()}
        )
    # Another request may have created the same (indicator, period) row first.
    add_or_conflict()
    applied = len(plan.planned)
    result = ImportResult(applied=applied, created=created, updated=applied - created)
    audit.record(
        "indicator.imported",
        actor=actor,
        object_type="indicator_import",
        summary=f"Mengimpor {result.applied} nilai indikator ({source.upper()})",
        data={
            "source": source,
            "applied": result.applied,
            "created": result.created,
            "updated": result.updated,
            "changes": changes,
        },
        ip=ip,
    )
    return result
