"""Tests for the reminders (app/services/reminders): who is told what, once, over a real
SMTP server, however often and however concurrently `flask reminders send` runs."""

import threading
from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import EmailState, Notification, NotificationKind, User
from app.services.reminders import mail as reminder_mail
from app.services.reminders.sender import send_reminders
from tests.services.test_routing import start, walk_to, wib
from tests.smtp_helpers import SmtpServer

NOW = wib(2026, 3, 2, 10, 0)
DOMAIN = "kecamatan.test"


@pytest.fixture
def people(app_ctx, users) -> dict[str, User]:
    """The test users, each with an address but `kasi2` (who gets in-app reminders only)."""
    found = {name: db.session.get(User, user_id) for name, user_id in users.items()}
    for name, user in found.items():
        user.email = None if name == "kasi2" else f"{name}@{DOMAIN}"
    db.session.commit()
    return found


@pytest.fixture
def smtp(app_ctx):
    """A real SMTP server the app mails to."""
    with SmtpServer() as server:
        app_ctx.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port)
        yield server


@pytest.fixture
def late_tasks(people) -> dict[str, int]:
    """Open tasks at 10:00 on Monday 2 March 2026: step 1 (the Camat's, 15 minutes) at 33 %,
    at 80 %, overdue, and overdue by its standard twice; step 3 (the Kepala Seksi's,
    30 minutes) overdue by its standard three times."""
    opened = {
        "fresh": wib(2026, 3, 2, 9, 55),
        "near": wib(2026, 3, 2, 9, 48),
        "late": wib(2026, 3, 2, 9, 40),
        "late_twice": wib(2026, 3, 2, 9, 20),
    }
    tasks = {}
    for year, (name, at) in enumerate(opened.items(), start=2030):
        instance = start(people, at, str(year))
        tasks[name] = instance.tasks[0].id
    instance = start(people, wib(2026, 3, 2, 8, 0), "2040")
    tasks["kasi_late"] = walk_to(instance, 3, people, wib(2026, 3, 2, 8, 0)).id
    db.session.commit()
    return tasks


def expected_mails(tasks: dict[str, int]) -> Counter:
    """(address, kind, task) of every mail the scenario makes, each once."""
    return Counter(
        {
            (f"camat@{DOMAIN}", "due_soon", tasks["near"]): 1,
            (f"camat@{DOMAIN}", "overdue", tasks["late"]): 1,
            (f"camat@{DOMAIN}", "overdue", tasks["late_twice"]): 1,
            # The Camat's own late task goes to the Sekcam, and no further.
            (f"sekcam@{DOMAIN}", "escalated", tasks["late_twice"]): 1,
            (f"kasi@{DOMAIN}", "overdue", tasks["kasi_late"]): 1,
            # The Kepala Seksi's goes to the Sekcam, then to the Camat.
            (f"sekcam@{DOMAIN}", "escalated", tasks["kasi_late"]): 1,
            (f"camat@{DOMAIN}", "escalated", tasks["kasi_late"]): 1,
        }
    )


def arrived(smtp: SmtpServer) -> Counter:
    """(address, kind, task) of every mail the server accepted, read from its Message-ID."""
    seen = Counter()
    rows = {n.message_id: n for n in db.session.scalars(sa.select(Notification))}
    for message in smtp.mailbox.messages:
        row = rows[message["Message-ID"]]
        seen[(message["To"], row.kind.value, row.task_id)] += 1
    return seen


def test_each_mail_arrives_once_in_indonesian_when_run_twice_in_a_row(smtp, late_tasks):
    """Do two runs in a row mail every due, overdue and escalated reminder exactly once, in
    Indonesian, to the right people, with nothing for a task at a third of its standard?"""
    first = send_reminders(NOW)
    second = send_reminders(NOW + timedelta(minutes=1))
    assert arrived(smtp) == expected_mails(late_tasks)
    assert (first.recorded, first.sent, first.failed) == (8, 7, 0)
    assert (second.recorded, second.sent, second.failed) == (0, 0, 0)
    db.session.expire_all()
    fresh = db.session.scalars(sa.select(Notification).filter_by(task_id=late_tasks["fresh"]))
    assert list(fresh) == []
    # The Kepala Seksi without an address is told in the app only.
    (in_app,) = db.session.scalars(
        sa.select(Notification).join(User).where(User.username == "kasi2")
    )
    assert (in_app.kind, in_app.email_state) == (NotificationKind.OVERDUE, EmailState.NONE)
    (overdue,) = smtp.mailbox.to(f"kasi@{DOMAIN}")
    assert overdue["Subject"] == (
        "[SAKIP] Terlambat: Langkah 3 pada "
        "Mekanisme Pengukuran Kinerja Kecamatan Purbalingga — 2040"
    )
    assert overdue["Content-Language"] == "id"
    assert overdue["Message-ID"].endswith("@localhost>")  # MAIL_DEFAULT_SENDER's domain
    text = overdue.get_content()
    assert "Yth. Pengguna Kasi," in text
    assert "terlambat: batas waktunya 2 Maret 2026 08.30 WIB telah lewat" in text
    assert "Kepala Seksi mengirim Nota Dinas dan Surat Undangan" in text
    assert "http://127.0.0.1:5000/instances/" in text
    (near,) = [m for m in smtp.mailbox.to(f"camat@{DOMAIN}") if "Segera" in m["Subject"]]
    assert "telah memakai 75% mutu bakunya: selesaikan sebelum 2 Maret 2026 10.03 WIB" in (
        near.get_content()
    )


def test_two_senders_at_once_send_each_mail_once(app, smtp, late_tasks):
    """Do two `flask reminders send` running at the same moment mail each reminder once?"""
    results, errors = [], []

    def run():
        with app.app_context():
            try:
                results.append(send_reminders(NOW))
            except Exception as error:  # the assertion below shows it
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert arrived(smtp) == expected_mails(late_tasks)
    assert sum(r.recorded for r in results) == 8
    assert sum(r.sent for r in results) == 7


def test_a_refused_mail_is_sent_on_the_next_run(smtp, late_tasks):
    """Does a mail the server refuses (550) stay pending, counted, and go out next run?"""
    smtp.mailbox.refuse.add(f"sekcam@{DOMAIN}")
    first = send_reminders(NOW)
    assert (first.sent, first.failed) == (5, 2)
    db.session.expire_all()
    refused = db.session.scalars(
        sa.select(Notification).join(User).where(User.username == "sekcam")
    ).all()
    assert {(n.email_state, n.email_attempts) for n in refused} == {(EmailState.PENDING, 1)}
    assert all("550" in n.email_error for n in refused)
    smtp.mailbox.refuse.clear()
    second = send_reminders(NOW + timedelta(minutes=1))
    assert (second.sent, second.failed) == (2, 0)
    assert arrived(smtp) == expected_mails(late_tasks)


def test_a_crash_after_the_server_accepted_resends_once_with_the_same_message_id(
    app, smtp, late_tasks, monkeypatch
):
    """Does a sender that dies after the server took a mail, before recording it, leave it to
    be sent once more (same Message-ID) after the claim times out, and never again?"""
    real_mark_sent = reminder_mail.mark_sent

    def crash(*args, **kwargs):
        raise RuntimeError("the process died")

    monkeypatch.setattr(reminder_mail, "mark_sent", crash)
    with pytest.raises(RuntimeError):
        send_reminders(NOW)
    assert len(smtp.mailbox.messages) == 1
    crashed_id = smtp.mailbox.messages[0]["Message-ID"]
    db.session.rollback()
    monkeypatch.setattr(reminder_mail, "mark_sent", real_mark_sent)
    # The claim is fresh: another run now leaves it alone (it may still be in flight).
    assert send_reminders(NOW + timedelta(minutes=1)).sent == 0
    # Once the claim is older than the timeout, the next run takes it over.
    app.config["REMINDER_CLAIM_TIMEOUT_MINUTES"] = 1
    later = NOW + timedelta(minutes=2)
    assert send_reminders(later).sent == 7
    assert send_reminders(later + timedelta(seconds=30)).sent == 0
    ids = Counter(m["Message-ID"] for m in smtp.mailbox.messages)
    assert ids[crashed_id] == 2
    assert sum(ids.values()) == 8 and len(ids) == 7


def test_mail_off_records_in_app_only(late_tasks):
    """With MAIL_SERVER unset, are reminders still recorded in the app, and none mailed?"""
    summary = send_reminders(NOW)
    assert (summary.recorded, summary.sent, summary.mail_enabled) == (8, 0, False)
    states = set(db.session.scalars(sa.select(Notification.email_state)))
    assert states == {EmailState.NONE}


def test_a_server_that_cannot_be_reached_loses_nothing(app_ctx, late_tasks):
    """When the mail server is down, do the mails wait as pending for the next run?"""
    from tests.smtp_helpers import free_port

    app_ctx.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    summary = send_reminders(NOW)
    assert (summary.sent, summary.failed) == (0, 7)
    db.session.expire_all()
    pending = db.session.scalars(
        sa.select(Notification).where(Notification.email_state == EmailState.PENDING)
    ).all()
    assert len(pending) == 7 and all(n.email_attempts == 1 for n in pending)


def test_a_waiting_mail_of_a_task_done_since_is_not_sent(smtp, late_tasks, people):
    """Is a refused overdue mail dropped (kept in the app) once its task was done before the
    next run, while the others still go out?"""
    from app.models import Task
    from app.services import routing

    smtp.mailbox.refuse.add(f"camat@{DOMAIN}")
    send_reminders(NOW)
    smtp.mailbox.refuse.clear()
    task = db.session.get(Task, late_tasks["late"])
    routing.complete_task(task, actor=people["camat"], now=NOW)
    db.session.commit()
    second = send_reminders(NOW + timedelta(seconds=30))
    # The near task's and the late-twice task's, and the camat's escalation of step 3.
    assert second.sent == 3
    dropped = db.session.scalars(sa.select(Notification).filter_by(task_id=task.id)).one()
    assert (dropped.email_state, dropped.email_error) == (
        EmailState.NONE,
        "task closed before mail",
    )
    assert dropped.read_at is None


def test_a_mail_another_run_took_over_is_not_sent_again(smtp, late_tasks, monkeypatch):
    """When another run has taken over a claimed mail (ours looked dead) before we send it,
    do we leave it to that run instead of sending it too?"""
    real_compose = reminder_mail.compose
    taken = []

    def compose_then_lose_the_first(row, *args):
        if not taken:
            taken.append(row.id)
            db.session.execute(
                sa.update(Notification).where(Notification.id == row.id).values(claim_token="x")
            )
            db.session.commit()
        return real_compose(row, *args)

    monkeypatch.setattr(reminder_mail, "compose", compose_then_lose_the_first)
    assert send_reminders(NOW).sent == 6
    ids = {n.message_id: n.id for n in db.session.scalars(sa.select(Notification))}
    assert taken[0] not in {ids[m["Message-ID"]] for m in smtp.mailbox.messages}


def test_a_task_running_later_gets_its_next_reminder_only(smtp, late_tasks):
    """When the task near its limit becomes overdue by the next run, is its Camat sent the
    overdue mail alone (nothing again of the earlier ones)?"""
    send_reminders(NOW)
    before = len(smtp.mailbox.messages)
    later = send_reminders(NOW + timedelta(minutes=5))
    assert (later.recorded, later.sent) == (1, 1)
    (mail,) = smtp.mailbox.messages[before:]
    assert mail["To"] == f"camat@{DOMAIN}"
    assert mail["Subject"].startswith("[SAKIP] Terlambat: Langkah 1 pada ")
    assert mail["Subject"].endswith("— 2031")
