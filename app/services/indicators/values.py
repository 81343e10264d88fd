"""Indicators and their stored values: a section's indicators, the target and realisation
of each period, what a value may be, and each period's and year's figures."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import current_app

from app.errors import DomainError, not_found
from app.extensions import db
from app.models import Aggregation, Indicator, IndicatorValue, OrgUnit, Polarity, User, utcnow
from app.services import audit
from app.services.indicators.arithmetic import (
    FOUR_PLACES,
    Figures,
    figures,
    refuse_realization_on_zero_target,
)
from app.services.indicators.scale import current_bands
from app.services.periods import periods_for, validate_period
from app.services.persistence import add_or_conflict

# Values are kept to 4 decimals below 10^11: 15 significant digits, which also survive
# SQLite's floating-point storage and a JSON number exactly.
MAX_VALUE = Decimal(10) ** 11
CODE_PATTERN = re.compile(r"^[A-Za-z0-9._-]{1,40}$")


def writer_roles() -> tuple[str, ...]:
    """The roles that may write indicators and their values (config INDICATOR_WRITER_ROLES)."""
    return tuple(current_app.config["INDICATOR_WRITER_ROLES"])


UNSET: Any = object()


# --- what a value may be -----------------------------------------------------------------


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
    return unsigned_zero(number)


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


def unsigned_zero(number: Decimal) -> Decimal:
    """Store -0.0 as 0."""
    return number.copy_abs() if number == 0 else number


def value_text(value: Decimal | None) -> str | None:
    """Write a value for the audit trail: "72.4", "80"."""
    return None if value is None else format(value.normalize(), "f")


def require_writer(actor: User) -> None:
    """Refuse (403) anyone but the admin and the Tim SAKIP's anggota."""
    if not actor.has_role(*writer_roles()):
        raise DomainError(403, "forbidden")


# --- indicators --------------------------------------------------------------------------


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
    require_writer(actor)
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


# --- values ------------------------------------------------------------------------------


def _rows_by_period(indicator: Indicator, periods: Iterable[str] | None = None) -> dict:
    query = sa.select(IndicatorValue).filter_by(indicator_id=indicator.id)
    if periods is not None:
        query = query.where(IndicatorValue.period.in_(list(periods)))
    return {row.period: row for row in db.session.scalars(query)}


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
    require_writer(actor)
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
    refuse_realization_on_zero_target(after["target"], after["realization"], period)
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
            "before": {k: value_text(v) for k, v in before.items()},
            "after": {k: value_text(v) for k, v in after.items()},
        },
        ip=ip,
    )
    rows = _rows_by_period(indicator, periods_for(period))
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
