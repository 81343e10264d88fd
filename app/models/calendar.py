"""The office calendar's days off, editable by the admin."""

import enum
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import enum_column


class HolidayKind(enum.StrEnum):
    LIBUR_NASIONAL = "libur_nasional"
    CUTI_BERSAMA = "cuti_bersama"


class HolidayRow(db.Model):
    """A national holiday or a cuti bersama day: not working time."""

    __tablename__ = "holiday"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date, unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[HolidayKind] = mapped_column(enum_column(HolidayKind, "holiday_kind"))
