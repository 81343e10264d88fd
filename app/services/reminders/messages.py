"""The Indonesian words of reminders: the in-app line, the mail's subject and body."""

from app.models import Notification, NotificationKind, Task
from app.rendering.format import format_datetime
from app.services.sop_definitions import Step

# The office's zone is Asia/Jakarta: its clock is WIB.
ZONE = "WIB"

KIND_LABELS = {
    NotificationKind.DUE_SOON: "Segera jatuh tempo",
    NotificationKind.OVERDUE: "Terlambat",
    NotificationKind.RETURNED: "Dikembalikan kepada Anda",
    NotificationKind.REVIEW_WAITING: "Menunggu pemeriksaan Anda",
    NotificationKind.ESCALATED: "Eskalasi keterlambatan",
}


def _step(task: Task) -> str:
    return f"Langkah {task.step_no} pada {task.instance.title}"


def line(kind: NotificationKind, task: Task, step: Step, **extra: str) -> str:
    """The one sentence a notification says in the list (and opens its e-mail with)."""
    due = f"{format_datetime(task.due_at)} {ZONE}"
    if kind == NotificationKind.DUE_SOON:
        return f"{_step(task)} telah memakai 75% mutu bakunya: selesaikan sebelum {due}."
    if kind == NotificationKind.OVERDUE:
        return f"{_step(task)} terlambat: batas waktunya {due} telah lewat."
    if kind == NotificationKind.ESCALATED:
        times = int(extra.get("level", "1")) + 1
        return (
            f"{_step(task)} ({extra['actors']}) terlambat: sudah lebih dari {times} kali mutu "
            f"bakunya sejak dibuka (batas waktu {due}); mohon ditindaklanjuti."
        )
    if kind == NotificationKind.RETURNED:
        note = extra.get("note") or ""
        return f"{_step(task)} dikembalikan kepada Anda untuk diperbaiki. Arahan: {note}"
    return f"{_step(task)} menunggu pemeriksaan dan keputusan Anda (batas waktu {due})."


def subject(notification: Notification) -> str:
    """The mail's subject: what happened, to which step of which measurement."""
    task = notification.task
    return f"[SAKIP] {KIND_LABELS[notification.kind]}: {_step(task)}"


def body(notification: Notification, step: Step, link: str, office_name: str) -> str:
    """The mail's plain-text body: the sentence, then the task's facts and its link."""
    task = notification.task
    return "\n".join(
        [
            f"Yth. {notification.user.full_name},",
            "",
            notification.message,
            "",
            f"Pengukuran  : {task.instance.title}",
            f"Langkah     : {step.no}. {step.name}",
            f"Dibuka      : {format_datetime(task.opened_at)} {ZONE}",
            f"Batas waktu : {format_datetime(task.due_at)} {ZONE}",
            f"Buka tugas  : {link}",
            "",
            f"Pesan ini dikirim otomatis oleh aplikasi SAKIP {office_name}; mohon tidak dibalas.",
            "",
        ]
    )
