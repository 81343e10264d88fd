"""The arithmetic of achievement (capaian): against a target, over a year made of quarters,
and as the mean of a section or of the whole office.

The rules (DESIGN rule 5), all in `Decimal`, so no float ever drifts a boundary:

- Achievement, rounded half up to 2 decimals: positive polarity r / t × 100; negative
  polarity (2t − r) / t × 100. There is no cap at either end: 250 stays 250, and a negative
  indicator whose realisation passes twice its target gets a negative achievement, kept as
  it is (it falls in the lowest band).
- A missing target, a zero target or a missing realisation is not measurable: the value is
  None, the category `not_measurable`, the reason `target_missing`, `target_zero` or
  `realization_missing` (checked in that order; `not_measurable_reason` is the one place).
- The category comes from the office's scale (see `scale`), of the *rounded* achievement
  (so 90.995 shows as 91.00 and is Sangat Tinggi).
- A year's target and realisation each come from the year's own row when it has that field
  (an explicitly entered year value wins), else from the quarters by the indicator's
  aggregation, over the quarters that have a value: `sum` adds them, `average` is their mean
  (to 4 decimals), `last` is the latest quarter that has one. With no quarter value, the
  field is missing (so the year is not measurable), never 0. Targets and realisations are
  aggregated separately: in September a `sum` indicator compares three quarters of
  realisation with four quarters of target, which is the truth about the year so far.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from app.errors import DomainError
from app.models import Aggregation, Indicator, IndicatorValue, Polarity
from app.services.indicators.scale import DEFAULT_BANDS, NOT_MEASURABLE, Band, Category, categorize
from app.services.periods import is_year, quarter_periods

HUNDRED = Decimal(100)
TWO_PLACES = Decimal("0.01")
FOUR_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class Achievement:
    value: Decimal | None
    category: Category
    reason: str | None  # target_missing, target_zero, realization_missing; None if measured

    @property
    def measurable(self) -> bool:
        return self.value is not None


def round2(value: Decimal) -> Decimal:
    """Round half up to 2 decimals, as the worksheet shows it."""
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def not_measurable_reason(target: Decimal | None, realization: Decimal | None) -> str | None:
    """Say why a target and a realisation have no achievement (`target_missing`,
    `target_zero`, `realization_missing`), or None when they have one."""
    if target is None:
        return "target_missing"
    if target == 0:
        return "target_zero"
    if realization is None:
        return "realization_missing"
    return None


def refuse_realization_on_zero_target(
    target: Decimal | None, realization: Decimal | None, period: str
) -> None:
    """Refuse (422 `realization_on_zero_target`) a realisation against a zero target: it could
    never have an achievement, so it is not stored (nor, while typing, accepted)."""
    if realization is not None and not_measurable_reason(target, realization) == "target_zero":
        raise DomainError(
            422, "realization_on_zero_target", details={"field": "target"}, period=period
        )


def achievement(
    target: Decimal | None,
    realization: Decimal | None,
    polarity: Polarity | str,
    bands: Sequence[Band] = DEFAULT_BANDS,
) -> Achievement:
    """Compute the achievement (capaian) of a realisation against a target, and its category."""
    reason = not_measurable_reason(target, realization)
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
    target, target_source = _figure(indicator, period, rows, "target")
    realization, realization_source = _figure(indicator, period, rows, "realization")
    return Figures(
        period=period,
        target=target,
        realization=realization,
        achievement=achievement(target, realization, indicator.polarity, bands),
        target_source=target_source,
        realization_source=realization_source,
    )


def _figure(
    indicator: Indicator, period: str, rows: Mapping[str, IndicatorValue], name: str
) -> tuple[Decimal | None, str | None]:
    """One field (`target` or `realization`) of a period, and where it came from."""
    own = rows.get(period)
    value = getattr(own, name) if own is not None else None
    if value is not None:
        return value, "entered"
    if not is_year(period):
        return None, None
    quarters = [rows.get(p) for p in quarter_periods(period)]
    made = aggregate(
        [getattr(q, name) if q is not None else None for q in quarters], indicator.aggregation
    )
    return made, "quarters" if made is not None else None
