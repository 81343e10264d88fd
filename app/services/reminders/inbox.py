"""A user's own notifications: the unread count, the list, and marking them read."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.sql import Select

from app.errors import not_found
from app.extensions import db
from app.models import Notification, User, utcnow


def unread_count_of(user_id) -> Select:
    """The count of a user's unread notifications, one indexed query (the bell on every
    page); `user_id` may be a bind parameter, for a statement built once."""
    return sa.select(sa.func.count(Notification.id)).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )


def notifications_of(user: User, *, unread_only: bool = False) -> Select:
    """The user's notifications, newest first (a select to paginate)."""
    query = sa.select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return query.order_by(Notification.created_at.desc(), Notification.id.desc())


def own_notification(user: User, notification_id: int) -> Notification:
    """Return the user's notification `notification_id`; another user's is 404, like none."""
    row = db.session.get(Notification, notification_id)
    if row is None or row.user_id != user.id:
        raise not_found(f"Notification {notification_id}")
    return row


def mark_read(notification: Notification, now: datetime | None = None) -> None:
    """Mark one notification read (reading it again keeps the first time)."""
    if notification.read_at is None:
        notification.read_at = now or utcnow()
        db.session.flush()


def mark_all_read(user: User, now: datetime | None = None) -> int:
    """Mark every unread notification of the user read; answer how many."""
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
