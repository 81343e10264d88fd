"""The measurement sheet (kertas kerja): every section's indicators for a period (the active
ones, and the retired ones with values in it) with their figures, each section's summary
and the office's."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from app.extensions import db
from app.models import Indicator, IndicatorValue, OrgUnit
from app.services.indicators.arithmetic import Achievement, figures, mean_achievement
from app.services.indicators.scale import Band, Category, categorize, current_bands
from app.services.periods import periods_for, validate_period


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
    bands: tuple[Band, ...] = ()  # the scale used, highest first, for a legend

    def section(self, code: str) -> SectionSheet | None:
        """Return the sheet of section `code`, if it is in this measurement."""
        return next((s for s in self.sections if s.code == code), None)


def measurement_sheet(period: str) -> MeasurementSheet:
    """Return the worksheet of every section (org units marked as sections, in the office's
    order) with its indicators for `period`; a year uses its year figures."""
    validate_period(period)
    bands = current_bands()
    sections = db.session.scalars(
        sa.select(OrgUnit).filter_by(is_section=True).order_by(OrgUnit.id)
    ).all()
    by_section = _rows_by_section(period, bands)
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


def _rows_by_section(period: str, bands: Sequence[Band]) -> dict[int, list[WorksheetRow]]:
    """The worksheet rows for `period`, by section id, by code: of the active indicators,
    and of the retired ones that have values in the period (their history stays)."""
    periods = periods_for(period)
    has_values = sa.exists().where(
        IndicatorValue.indicator_id == Indicator.id, IndicatorValue.period.in_(periods)
    )
    indicators = db.session.scalars(
        sa.select(Indicator)
        .where(sa.or_(Indicator.active.is_(True), has_values))
        .order_by(Indicator.code)
    ).all()
    rows: dict[int, dict[str, IndicatorValue]] = defaultdict(dict)
    if indicators:
        for value in db.session.scalars(
            sa.select(IndicatorValue).where(
                IndicatorValue.indicator_id.in_([i.id for i in indicators]),
                IndicatorValue.period.in_(periods),
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
    return by_section
