"""Performance indicators of the sections, their values per period, and the category scale."""

import enum
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, enum_column, utcnow
from app.models.users import OrgUnit, User

# Values are kept to 4 decimals; 18 digits leave room for any count or rupiah amount.
VALUE = sa.Numeric(18, 4)


class Polarity(enum.StrEnum):
    POSITIVE = "positive"  # higher is better
    NEGATIVE = "negative"  # lower is better


class Aggregation(enum.StrEnum):
    """How an indicator's quarters make its year."""

    SUM = "sum"
    AVERAGE = "average"
    LAST = "last"


class Indicator(db.Model):
    """A performance indicator (indikator kinerja) of one section."""

    __tablename__ = "indicator"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(300))
    unit: Mapped[str] = mapped_column(sa.String(40))
    polarity: Mapped[Polarity] = mapped_column(enum_column(Polarity, "indicator_polarity"))
    aggregation: Mapped[Aggregation] = mapped_column(
        enum_column(Aggregation, "indicator_aggregation")
    )
    section_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    section: Mapped[OrgUnit] = relationship(lazy="joined")


class IndicatorValue(db.Model):
    """The target and the realisation (realisasi) of an indicator for one period."""

    __tablename__ = "indicator_value"
    __table_args__ = (
        sa.UniqueConstraint("indicator_id", "period", name="uq_indicator_value_period"),
        sa.CheckConstraint("target >= 0", name="target_not_negative"),
        sa.CheckConstraint("realization >= 0", name="realization_not_negative"),
        # A realisation against a zero target has no achievement; the services refuse it.
        sa.CheckConstraint(
            "NOT (target = 0 AND realization IS NOT NULL)", name="no_realization_on_zero_target"
        ),
        sa.CheckConstraint("period LIKE '____' OR period LIKE '____-Q_'", name="period_shape"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The unique (indicator_id, period) index serves lookups by indicator too.
    indicator_id: Mapped[int] = mapped_column(sa.ForeignKey("indicator.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(sa.String(7))
    target: Mapped[Decimal | None] = mapped_column(VALUE)
    realization: Mapped[Decimal | None] = mapped_column(VALUE)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    indicator: Mapped[Indicator] = relationship()
    updated_by: Mapped[User | None] = relationship()


class CategoryBand(db.Model):
    """One band of the editable category scale (predikat): achievements from
    `min_achievement` (inclusive) up to the next band's bound. The band whose bound is NULL
    takes every achievement below all the others."""

    __tablename__ = "category_band"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    min_achievement: Mapped[Decimal | None] = mapped_column(sa.Numeric(9, 2), unique=True)
    sort_order: Mapped[int] = mapped_column(default=0)
