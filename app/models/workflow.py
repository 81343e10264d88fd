"""SOP definition versions, their running instances and the tasks of each step."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, enum_column, utcnow
from app.models.users import User


class InstanceStatus(enum.StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class TaskStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"


class TaskOutcome(enum.StrEnum):
    COMPLETED = "completed"
    APPROVED = "approved"
    RETURNED = "returned"


class SopVersion(db.Model):
    """One version of an SOP definition file, frozen as loaded; instances pin it."""

    __tablename__ = "sop_version"
    __table_args__ = (
        sa.UniqueConstraint("code", "version", name="uq_sop_version_code_version"),
        sa.UniqueConstraint("code", "content_sha256", name="uq_sop_version_code_content"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(80), index=True)
    version: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(300))
    content_sha256: Mapped[str] = mapped_column(sa.String(64))
    # Loaded only when a worker first parses this version (parsed copies are cached by hash).
    definition: Mapped[dict] = mapped_column(sa.JSON, deferred=True)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Instance(db.Model):
    """One run of an SOP for a period."""

    __tablename__ = "instance"
    __table_args__ = (
        # At most one active run of an SOP per period.
        sa.Index(
            "uq_instance_active_period",
            "sop_code",
            "period",
            unique=True,
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        ),
        sa.CheckConstraint("returns >= 0", name="returns_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sop_version_id: Mapped[int] = mapped_column(sa.ForeignKey("sop_version.id"))
    sop_code: Mapped[str] = mapped_column(sa.String(80))
    period: Mapped[str] = mapped_column(sa.String(7), index=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    status: Mapped[InstanceStatus] = mapped_column(
        enum_column(InstanceStatus, "instance_status"), default=InstanceStatus.ACTIVE, index=True
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    returns: Mapped[int] = mapped_column(default=0)
    # Touched by every move, so each move bumps `version` and concurrent moves conflict.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    sop_version: Mapped[SopVersion] = relationship(lazy="joined")
    started_by: Mapped[User] = relationship()
    tasks: Mapped[list["Task"]] = relationship(
        back_populates="instance", order_by="Task.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}


class Task(db.Model):
    """One opening of one step of an instance; a returned step opens again as a new task."""

    __tablename__ = "task"
    __table_args__ = (
        sa.UniqueConstraint("instance_id", "step_no", "iteration", name="uq_task_step_iteration"),
        sa.CheckConstraint("iteration >= 1", name="iteration_positive"),
        sa.CheckConstraint(
            "(status = 'open' AND closed_at IS NULL AND outcome IS NULL)"
            " OR (status = 'done' AND closed_at IS NOT NULL AND outcome IS NOT NULL)",
            name="closed_consistently",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(
        sa.ForeignKey("instance.id", ondelete="CASCADE"), index=True
    )
    step_no: Mapped[int]
    iteration: Mapped[int] = mapped_column(default=1)
    status: Mapped[TaskStatus] = mapped_column(
        enum_column(TaskStatus, "task_status"), default=TaskStatus.OPEN, index=True
    )
    outcome: Mapped[TaskOutcome | None] = mapped_column(enum_column(TaskOutcome, "task_outcome"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    note: Mapped[str | None] = mapped_column(sa.Text)
    elapsed_minutes: Mapped[int | None]
    working_minutes: Mapped[int | None]
    # The mutu baku in working minutes from the opening to the due time, counted when the task
    # opened so the board need not count it per card; NULL only for a row the back-fill could
    # not count. A day off added later is caught by comparing with the holiday lists' change.
    standard_minutes: Mapped[int | None]
    late: Mapped[bool | None]
    backdated: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)

    # Every reader of a task needs its instance (for the pinned SOP) and who closed it.
    instance: Mapped[Instance] = relationship(back_populates="tasks", lazy="joined")
    closed_by: Mapped[User | None] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}
