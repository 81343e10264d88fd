"""Claim the pending e-mails of reminders and send them over SMTP, each once.

A sender claims rows before it sends them: on PostgreSQL the claim skips rows another
sender has locked (`FOR UPDATE SKIP LOCKED`); SQLite runs one writer at a time, and the
claim's `WHERE email_state = 'pending'` leaves nothing for the second. A claim is committed
before the first mail goes out, and each mail's result is committed as soon as the server
answers. A mail the server refuses goes back to pending (attempt counted, error kept). A
sender that dies after the server accepted a mail but before recording it leaves the claim
behind; once it is older than the claim timeout the next run sends it again, with the same
Message-ID, and records it.
"""

import secrets
import smtplib
import ssl
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime as rfc2822_date

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import EmailState, Notification, NotificationKind, TaskStatus
from app.services import office
from app.services.reminders import messages
from app.services.sop_definitions import definition_of

# The most mails one run claims; the rest wait for the next run.
CLAIM_LIMIT = 500
SMTP_TIMEOUT_SECONDS = 30
# Reminders about a task's time: not worth a mail once the task is done.
CLOCK_KINDS = frozenset(
    {NotificationKind.DUE_SOON, NotificationKind.OVERDUE, NotificationKind.ESCALATED}
)


@dataclass
class MailResult:
    sent: int = 0
    failed: int = 0


def claim(now: datetime) -> tuple[str, list[Notification]]:
    """Claim the mails to send now (pending, or claimed by a sender that has since died) and
    commit the claim; answer the claim's token and the claimed rows."""
    stale = now - timedelta(minutes=current_app.config["REMINDER_CLAIM_TIMEOUT_MINUTES"])
    claimable = sa.or_(
        Notification.email_state == EmailState.PENDING,
        sa.and_(Notification.email_state == EmailState.SENDING, Notification.claimed_at < stale),
    )
    candidates = (
        sa.select(Notification.id).where(claimable).order_by(Notification.id).limit(CLAIM_LIMIT)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    token = secrets.token_hex(16)
    db.session.execute(
        sa.update(Notification)
        .where(Notification.id.in_(candidates.scalar_subquery()), claimable)
        .values(email_state=EmailState.SENDING, claimed_at=now, claim_token=token)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    rows = db.session.scalars(
        sa.select(Notification)
        .options(joinedload(Notification.user))
        .where(Notification.claim_token == token)
        .order_by(Notification.id)
    ).all()
    return token, list(rows)


def compose(notification: Notification, base_url: str, office_name: str) -> EmailMessage:
    """Build the Indonesian e-mail of a reminder, with its stored Message-ID."""
    task = notification.task
    step = definition_of(task.instance.sop_version).step(task.step_no)
    mail = EmailMessage()
    mail["Subject"] = messages.subject(notification)
    mail["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    mail["To"] = notification.user.email
    mail["Date"] = rfc2822_date(notification.created_at)
    mail["Message-ID"] = notification.message_id
    mail["Auto-Submitted"] = "auto-generated"
    link = f"{base_url}/instances/{task.instance_id}"
    mail.set_content(messages.body(notification, step, link, office_name))
    # After set_content, which replaces every Content-* header.
    mail["Content-Language"] = "id"
    return mail


def _connect() -> smtplib.SMTP:
    config = current_app.config
    host, port = config["MAIL_SERVER"], config["MAIL_PORT"]
    if config["MAIL_USE_SSL"]:
        connection: smtplib.SMTP = smtplib.SMTP_SSL(
            host, port, timeout=SMTP_TIMEOUT_SECONDS, context=ssl.create_default_context()
        )
    else:
        connection = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT_SECONDS)
        if config["MAIL_USE_TLS"]:
            connection.starttls(context=ssl.create_default_context())
    if config.get("MAIL_USERNAME"):
        connection.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    return connection


def mark_sent(notification: Notification, token: str, now: datetime) -> None:
    """Record that the server accepted the mail, and commit."""
    _finish(notification, token, email_state=EmailState.SENT, sent_at=now, email_error=None)


def mark_failed(notification: Notification, token: str, error: str) -> None:
    """Put a refused mail back to pending with the attempt counted and the error kept; commit."""
    _finish(
        notification,
        token,
        email_state=EmailState.PENDING,
        email_attempts=Notification.email_attempts + 1,
        email_error=error[:1000],
    )


def _finish(notification: Notification, token: str, **values) -> None:
    db.session.execute(
        sa.update(Notification)
        .where(Notification.id == notification.id, Notification.claim_token == token)
        .values(claim_token=None, claimed_at=None, **values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _renew_claim(notification: Notification, token: str, at: datetime) -> bool:
    """Refresh our claim of a mail and commit; False when it is no longer ours."""
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.id == notification.id, Notification.claim_token == token)
        .values(claimed_at=at)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def _still_worth_mailing(row: Notification, token: str) -> bool:
    """Tell whether a claimed mail should still go out; if not, keep it in the app only: the
    address was removed since, or a clock reminder's task was closed while it waited."""
    if not row.user.email:
        _finish(row, token, email_state=EmailState.NONE, email_error="no e-mail address")
        return False
    if row.kind in CLOCK_KINDS and row.task.status != TaskStatus.OPEN:
        _finish(row, token, email_state=EmailState.NONE, email_error="task closed before mail")
        return False
    return True


def send_pending(now: datetime) -> MailResult:
    """Send every claimable mail once over one SMTP connection; a mail the server refuses
    stays pending for the next run."""
    result = MailResult()
    token, rows = claim(now)
    if not rows:
        return result
    rows = [row for row in rows if _still_worth_mailing(row, token)]
    profile = office.office_profile()
    mails = [(row, compose(row, profile.base_url, profile.name)) for row in rows]
    try:
        connection = _connect()
    except (OSError, smtplib.SMTPException) as error:
        for row, _ in mails:
            mark_failed(row, token, f"connection: {error}")
        result.failed = len(mails)
        return result
    started = time.monotonic()
    try:
        for row, mail in mails:
            # Renew the claim just before sending: a long run's later mails are then never
            # taken for a dead sender's and sent by another run as well.
            at = now + timedelta(seconds=time.monotonic() - started)
            if not _renew_claim(row, token, at):
                continue
            try:
                connection.send_message(mail)
            except (OSError, smtplib.SMTPException) as error:
                mark_failed(row, token, str(error))
                result.failed += 1
                continue
            mark_sent(row, token, now)
            result.sent += 1
    finally:
        _quit(connection)
    return result


def _quit(connection: smtplib.SMTP) -> None:
    try:
        connection.quit()
    except (OSError, smtplib.SMTPException):
        connection.close()
