"""`flask reminders send`: record what is due, then mail what is pending."""

from dataclasses import dataclass
from datetime import datetime

from app.extensions import db
from app.models import utcnow
from app.services.reminders.due import record_due_reminders
from app.services.reminders.mail import send_pending
from app.services.reminders.recording import mail_enabled


@dataclass(frozen=True)
class SendSummary:
    recorded: int
    sent: int
    failed: int
    mail_enabled: bool

    def as_dict(self) -> dict:
        return {
            "recorded": self.recorded,
            "sent": self.sent,
            "failed": self.failed,
            "mail": self.mail_enabled,
        }


def send_reminders(now: datetime | None = None) -> SendSummary:
    """Record the reminders due by `now` and commit them, then send the pending e-mails (when
    mail is configured). Safe to run twice in a row or twice at once: nothing twice."""
    now = now or utcnow()
    recorded = record_due_reminders(now)
    db.session.commit()
    if not mail_enabled():
        return SendSummary(recorded, 0, 0, False)
    result = send_pending(now)
    return SendSummary(recorded, result.sent, result.failed, True)
