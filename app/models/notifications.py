"""Notifications: one reminder of one task to one user, shown in the app and mailed once."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, enum_column, utcnow
from app.models.users import User
from app.models.workflow import Task


class NotificationKind(enum.StrEnum):
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    RETURNED = "returned"
    REVIEW_WAITING = "review_waiting"
    ESCALATED = "escalated"


class EmailState(enum.StrEnum):
    # No mail for this one: the user has no address, or mail was off when it was recorded.
    NONE = "none"
    PENDING = "pending"
    # Claimed by a sender at `claimed_at`; a claim older than the timeout is a crashed sender's.
    SENDING = "sending"
    SENT = "sent"


class Notification(db.Model):
    """One reminder, recorded before it is mailed; the unique key makes each exist once
    however many senders run at once."""

    __tablename__ = "notification"
    __table_args__ = (
        sa.UniqueConstraint(
            "task_id", "kind", "user_id", "level", name="uq_notification_task_kind_user_level"
        ),
        sa.Index("ix_notification_user_unread", "user_id", "read_at"),
        sa.Index("ix_notification_email_state", "email_state"),
        sa.CheckConstraint("level >= 0", name="level_not_negative"),
        sa.CheckConstraint("email_attempts >= 0", name="email_attempts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(
        enum_column(NotificationKind, "notification_kind")
    )
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("task.id", ondelete="CASCADE"), index=True)
    # 0 for every kind but `escalated`, whose level counts the standards overrun (1, 2, ...).
    level: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_state: Mapped[EmailState] = mapped_column(
        enum_column(EmailState, "email_state"), default=EmailState.NONE
    )
    email_attempts: Mapped[int] = mapped_column(default=0)
    email_error: Mapped[str | None] = mapped_column(sa.Text)
    # Set with the row: a resend after a crash carries the same one.
    message_id: Mapped[str] = mapped_column(sa.String(200), unique=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim_token: Mapped[str | None] = mapped_column(sa.String(32), index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
    task: Mapped[Task] = relationship(lazy="joined")
