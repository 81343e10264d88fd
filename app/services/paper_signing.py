"""Signing on paper: the Camat signs the printed report in ink, and the scan is recorded.

The scan is uploaded as the signing step's output with `signed_on_paper` (and `signed_at`
when known, app/services/documents.py); the move that finishes the step records it as the
measurement's `SignedReport`, marked signed on paper: its `file_sha256` is the scan's, so
`/verify` knows the scan, and its `signed_at` is the time sent with the upload, else the
time of that move (its `occurred_at` on a paper trail).
"""

from datetime import timedelta

import sqlalchemy as sa

from app.errors import DomainError
from app.extensions import db
from app.models import Document, Task, User
from app.rendering.format import format_datetime
from app.services import audit, reports
from app.services.routing import CLOCK_SKEW
from app.services.sop_definitions import Step


def paper_scan_of(task: Task) -> Document | None:
    """Return the newest scan of a report signed in ink attached to `task`, if any."""
    return db.session.scalar(
        sa.select(Document)
        .filter_by(task_id=task.id, signed_on_paper=True)
        .order_by(Document.version.desc())
        .limit(1)
    )


def record_paper_signature(task: Task, step: Step, *, actor: User, ip: str | None = None):
    """Record the paper-signed scan of the closing signing task as its measurement's signed
    report (nothing when the report was signed in the app); answer the report or None.

    Called by the move that finishes the step (routing.complete_task), in its transaction."""
    from app.services.signing import (
        content_sha256,
        report_content,
        signed_report_of,
        store_signed_report,
    )

    if not step.signed_outputs or signed_report_of(task.instance) is not None:
        return None
    scan = paper_scan_of(task)
    if scan is None:
        return None
    closed_at = task.closed_at
    if scan.signed_at is None:
        scan.signed_at = closed_at
    elif scan.signed_at > closed_at + (timedelta(0) if task.backdated else CLOCK_SKEW):
        # A move at "now" forgives the clock skew a signed_at may have; a stated time not.
        raise DomainError(
            422,
            "finished_before_paper_signature",
            details={"field": "occurred_at"},
            signed_at=format_datetime(scan.signed_at),
        )
    instance = task.instance
    signer = scan.uploaded_by
    content = {
        **report_content(instance, signer, scan.signed_at),
        "signed_on_paper": True,
        "scan_sha256": scan.sha256,
    }
    report = store_signed_report(
        task, scan, content, content_sha256(content), signer, scan.signed_at, on_paper=True
    )
    audit.record(
        "report.signed_on_paper",
        actor=actor,
        object_type="signed_report",
        object_id=report.id,
        summary=f"{reports.REPORT_TITLE} {instance.period} ditandatangani di atas kertas "
        f"({format_datetime(scan.signed_at)}); pindaian dicatat oleh {signer.full_name} "
        f"(SHA-256 {scan.sha256})",
        data={
            "instance_id": instance.id,
            "task_id": task.id,
            "document_id": scan.id,
            "sha256": report.sha256,
            "file_sha256": scan.sha256,
            "signed_on_paper": True,
            "recorded_by": signer.username,
            "completed_by": actor.username,
            "signed_at": scan.signed_at.isoformat(),
        },
        ip=ip,
        backdated=True,
    )
    return report
