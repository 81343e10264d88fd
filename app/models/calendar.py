"""The office calendar's days off, one list per year, editable by the admin."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, enum_column, utcnow


class HolidayKind(enum.StrEnum):
    LIBUR_NASIONAL = "libur_nasional"
    CUTI_BERSAMA = "cuti_bersama"


class HolidayYear(db.Model):
    """A year whose days off the office knows, and the source of its list (the year's SKB 3
    Menteri). A year without a row is unknown: its due times are warned about."""

    __tablename__ = "holiday_year"
    __table_args__ = (sa.CheckConstraint("source <> ''", name="source_not_empty"),)

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(sa.String(500))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    holidays: Mapped[list["HolidayRow"]] = relationship(
        back_populates="year_list", order_by="HolidayRow.day", cascade="all, delete-orphan"
    )


class HolidayRow(db.Model):
    """A national holiday or a cuti bersama day: not working time."""

    __tablename__ = "holiday"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date, unique=True)
    year: Mapped[int] = mapped_column(sa.ForeignKey("holiday_year.year"))
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[HolidayKind] = mapped_column(enum_column(HolidayKind, "holiday_kind"))
    # The decree's date waits on the sighting of the moon (perkiraan).
    estimated: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    year_list: Mapped[HolidayYear] = relationship(back_populates="holidays")
