"""The office calendar's days off, one list per year, editable by the admin, and the version
that tells every process when its cached calendar is stale."""

import enum
import uuid
from datetime import date, datetime
from itertools import chain

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, SessionTransaction, mapped_column, relationship

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


class CalendarState(db.Model):
    """The one row holding the days off's version: a new random value in each transaction
    that changes a year's list (`_new_calendar_version`). Random rather than counted up, so
    that a rolled-back change, or a database put back to an earlier copy (the tests' fresh
    databases, a restore), never shows a process a version it once saw with other days off."""

    __tablename__ = "calendar_state"
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[str] = mapped_column(sa.String(32))
    # When the days off last changed (None: not since the row was made), so that a count kept
    # from before, such as a task's standard minutes, is known to be still good or not.
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# The version (and when it was made) this session's transaction has read or written
# (session.info), so that a request asks the database at most once; forgotten when the
# transaction ends.
SESSION_VERSION = "calendar_version"
SESSION_CHANGED_AT = "calendar_changed_at"


def new_calendar_version() -> str:
    """A version no change has had before."""
    return uuid.uuid4().hex


@sa.event.listens_for(Session, "after_flush")
def _new_calendar_version(session: Session, _flush_context) -> None:
    """Give the days off a new version in the transaction of any flush that changes them:
    every writer (the admin's pages and API, seeding, imports, a test) is covered, since
    each goes through these models."""
    touched = chain(session.new, session.dirty, session.deleted)
    if not any(isinstance(obj, HolidayYear | HolidayRow) for obj in touched):
        return
    values = {"version": new_calendar_version(), "changed_at": utcnow()}
    table = CalendarState.__table__
    connection = session.connection()
    if not connection.execute(sa.update(table).values(**values)).rowcount:
        # Emptied tables (the PostgreSQL tests' TRUNCATE) lose the row; the first change
        # puts it back.
        connection.execute(sa.insert(table).values(id=1, **values))
    session.info[SESSION_VERSION] = values["version"]
    session.info[SESSION_CHANGED_AT] = values["changed_at"]


@sa.event.listens_for(Session, "after_transaction_end")
def _forget_calendar_version(session: Session, transaction: SessionTransaction) -> None:
    """Forget the version read in a transaction (or savepoint) that ended: committed, another
    process may change it next; rolled back, what it named is gone. A flush's own inner
    transaction ends inside the transaction, which goes on: it changes nothing."""
    if transaction.parent is not None and not transaction.nested:
        return
    session.info.pop(SESSION_VERSION, None)
    session.info.pop(SESSION_CHANGED_AT, None)
