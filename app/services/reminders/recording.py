"""Write one reminder for every recipient with one statement that a twin makes a no-op.

The unique key (task, kind, recipient, level) decides: two senders, or a sender and a move,
that record the same reminder at once leave one row, and neither fails.
"""

import re
import secrets
from collections.abc import Iterable
from datetime import datetime
from email.utils import parseaddr
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Select

from app.extensions import db
from app.models import EmailState, Notification, NotificationKind, Task, User, UserRole
from app.models.types import UTCDateTime


def mail_enabled() -> bool:
    """Tell whether e-mail is configured (MAIL_SERVER set); without it reminders stay in-app."""
    return bool(current_app.config.get("MAIL_SERVER"))


def _holders(roles: Iterable[str]):
    """A condition on User: active and holding one of `roles`."""
    return sa.and_(
        User.is_active_account.is_(True),
        User.id.in_(sa.select(UserRole.user_id).where(UserRole.role.in_(tuple(roles)))),
    )


def recipients(roles: Iterable[str], *, redo_of: Task | None = None, exclude: int | None = None):
    """The users a reminder goes to: active holders of `roles`; for a step opened again by a
    return (`redo_of` is that task), the holder who closed its previous round, while he still
    may act (else every holder). `exclude` leaves out one user (the mover)."""
    roles = tuple(roles)
    condition = _holders(roles)
    if redo_of is not None and redo_of.iteration > 1:
        before = (
            sa.select(Task.closed_by_id)
            .where(
                Task.instance_id == redo_of.instance_id,
                Task.step_no == redo_of.step_no,
                Task.iteration == redo_of.iteration - 1,
            )
            .scalar_subquery()
        )
        other = aliased(User)
        still_may_act = sa.exists(
            sa.select(other.id).where(
                other.id == before,
                other.is_active_account.is_(True),
                other.id.in_(sa.select(UserRole.user_id).where(UserRole.role.in_(roles))),
            )
        )
        condition = sa.and_(condition, sa.or_(User.id == before, ~still_may_act))
    if exclude is not None:
        condition = sa.and_(condition, User.id != exclude)
    return condition


def _message_id_domain() -> str:
    """The domain of our Message-IDs: the sender's, else the app's host when it is a name."""
    sender = parseaddr(current_app.config.get("MAIL_DEFAULT_SENDER") or "")[1]
    domain = sender.rpartition("@")[2]
    host = urlsplit(current_app.config.get("BASE_URL") or "").hostname or ""
    for candidate in (domain, host):
        if re.fullmatch(r"[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*", candidate) and re.search(
            "[A-Za-z]", candidate
        ):
            return candidate
    return "sakip.localdomain"


def record(
    task: Task,
    kind: NotificationKind,
    message: str,
    who,
    now: datetime,
    level: int = 0,
) -> int:
    """Record reminder `kind` (at `level`) of `task` for every user matching `who` (a
    condition from `recipients`), unless it exists; one statement, whatever the count. The
    Message-ID is made here, so a resend after a crash carries the same one. Answer how
    many rows are new."""
    mail_state = sa.case(
        (
            sa.and_(
                sa.true() if mail_enabled() else sa.false(),
                User.email.is_not(None),
                User.email != "",
            ),
            EmailState.PENDING.value,
        ),
        else_=EmailState.NONE.value,
    )
    stem = f"<reminder.{secrets.token_hex(8)}.{task.id}.{kind.value}.{level}."
    message_id = (
        sa.literal(stem) + sa.cast(User.id, sa.String) + sa.literal(f"@{_message_id_domain()}>")
    )
    rows: Select = (
        sa.select(
            User.id,
            sa.literal(kind.value, sa.String),
            sa.literal(task.id, sa.Integer),
            sa.literal(level, sa.Integer),
            sa.literal(message, sa.Text),
            sa.literal(now, UTCDateTime()),
            mail_state,
            sa.literal(0, sa.Integer),
            message_id,
        )
        .where(who)
        .order_by(User.id)
    )
    columns = [
        "user_id",
        "kind",
        "task_id",
        "level",
        "message",
        "created_at",
        "email_state",
        "email_attempts",
        "message_id",
    ]
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(Notification).from_select(columns, rows).on_conflict_do_nothing()
    # RETURNING names only the rows inserted (rowcount is not reliable for INSERT … SELECT).
    return len(db.session.execute(statement.returning(Notification.id)).all())
