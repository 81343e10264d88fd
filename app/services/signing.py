"""Signing the report: the Camat confirms with his password, the system renders the Laporan
Hasil Pengukuran Kinerja with a signature stamp and then, in one unit of work, stores it,
attaches it as the signing step's output, records it as a `SignedReport` and finishes the step.

The password's hash and the render take a few hundred milliseconds; they happen before the
write transaction begins (`sign_report`), and the file is written to the store (fsynced)
before that transaction's first statement, so that on SQLite the one write lock is held only
while the report is recorded and the step moves, and other moves do not queue behind a
render or a disk.

A file cannot contain its own SHA-256, so the hash printed on the report (and in its
verification link and QR code) is the SHA-256 of the report's content: the facts it states,
as canonical JSON kept on the `SignedReport` row. The SHA-256 of the stamped PDF file is
recorded beside it. `find_signed_report` answers either: someone holding the file can
`sha256sum` it, someone holding the paper types the printed one.

The stamped PDF then gets the office's PAdES digital signature (app/services/pades.py), so a
PDF reader, `pyhanko sign validate` and the verification page can tell it is unaltered.
"""

import functools
import hashlib
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import NoReturn

import sqlalchemy as sa

from app.errors import DomainError
from app.extensions import db
from app.models import (
    CategoryBand,
    Document,
    Indicator,
    IndicatorValue,
    Instance,
    OfficeProfile,
    OrgUnit,
    SignedReport,
    Task,
    User,
    utcnow,
)
from app.rendering.svg.qr import qr_data_uri
from app.services import accounts, audit, lockouts, pades, reports, routing
from app.services.documents import BlobStore, StoredFile, record_document, store_file
from app.services.indicators import MeasurementSheet
from app.services.periods import periods_for
from app.services.persistence import add_or_conflict
from app.services.sop_definitions import Step

SIGNED_REPORT = reports.SIGNED_REPORT
SIGNED_TITLE = f"{reports.REPORT_TITLE} Ditandatangani"
CONTENT_FORMAT = "sakip-laporan-ditandatangani/1"
SHA256_HEX = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class SignResult:
    """The signing move: the closed task (and none opened after the last step), the signed
    report, and the verification link printed on it."""

    move: routing.MoveResult
    report: SignedReport
    verify_url: str


# --------------------------------------------------------------------------- hashes


def canonical_json(content: dict) -> bytes:
    """Write `content` the one way its hash is taken: sorted keys, no spaces, UTF-8."""
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def content_sha256(content: dict) -> str:
    """Hash a report's content: the SHA-256 printed on it."""
    return hashlib.sha256(canonical_json(content)).hexdigest()


def normalize_sha256(text: str | None) -> str | None:
    """Read a typed or pasted SHA-256 (any case, spaces and dashes ignored); None unless it
    is 64 hex digits."""
    cleaned = re.sub(r"[\s-]+", "", text or "").lower()
    return cleaned if SHA256_HEX.fullmatch(cleaned) else None


def content_is_intact(report: SignedReport) -> bool:
    """Does the stored content still hash to the printed SHA-256?"""
    return content_sha256(report.content) == report.sha256


def _decimal(value: Decimal | None) -> str | None:
    # One spelling per number whatever scale the engine answers with: 80.0000 is "80".
    return None if value is None else format(value.normalize(), "f")


def _measurement(sheet: MeasurementSheet) -> dict:
    return {
        "period": sheet.period,
        "average": _decimal(sheet.average),
        "category": sheet.category.label,
        "measurable": sheet.measurable,
        "not_measurable": sheet.not_measurable,
        "sections": [
            {
                "code": section.code,
                "name": section.name,
                "average": _decimal(section.average),
                "category": section.category.label,
                "indicators": [
                    {
                        "code": row.code,
                        "name": row.name,
                        "unit": row.unit,
                        "polarity": str(row.polarity),
                        "target": _decimal(row.target),
                        "realization": _decimal(row.realization),
                        "achievement": _decimal(row.achievement.value),
                        "category": row.achievement.category.label,
                    }
                    for row in section.rows
                ],
            }
            for section in sheet.sections
            if section.rows
        ],
    }


def report_content(instance: Instance, signer: User, signed_at: datetime) -> dict:
    """State what the signed report says, as plain JSON: the office, the measurement and its
    figures, who signs and when. Its SHA-256 is the hash printed on the report."""
    office = reports.office()
    return {
        "format": CONTENT_FORMAT,
        "document": reports.REPORT_TITLE,
        "office": office,
        "instance": _instance_facts(instance),
        "measurement": _measurement(reports.measurement_of(instance)),
        "signed_by": _signer_facts(signer),
        "signed_at": signed_at.astimezone(UTC).isoformat(timespec="microseconds"),
    }


def _instance_facts(instance: Instance) -> dict:
    return {
        "id": instance.id,
        "sop": instance.sop_code,
        "sop_version": instance.sop_version.version,
        "title": instance.title,
        "period": instance.period,
    }


def _signer_facts(signer: User) -> dict:
    return {"username": signer.username, "full_name": signer.full_name, "nip": signer.nip}


# The tables the office and the measurement of a report are stated from (with the
# configuration's defaults, which a process does not change), and of the indicator values
# only the periods the report sums. A table the content comes to be stated from joins them.
CONTENT_SOURCES = (OfficeProfile, CategoryBand, OrgUnit, Indicator, IndicatorValue)


def sources_fingerprint(period: str) -> str:
    """Hash every row the office and the measurement of `period`'s report are stated from,
    read in one statement: it is unchanged if and only if those rows are.

    Each row's every column counts (but for bytes: the logo is drawn, not stated, and its
    hash is a column), so a change the report does not state — a figure saved again unchanged,
    by someone else — refuses the signing too; a change it states never goes
    unseen, whatever the sheet comes to read of those rows."""
    rows = db.session.execute(_sources_statement(), {"periods": periods_for(period)}).all()
    digest = hashlib.sha256()
    for source, row in sorted(rows):
        digest.update(f"{source}\x1e{row}\x1d".encode())
    return digest.hexdigest()


@functools.cache
def _sources_statement() -> sa.CompoundSelect:
    """The one statement of `sources_fingerprint`, built once (the periods are bound)."""
    in_periods = IndicatorValue.period.in_(sa.bindparam("periods", expanding=True))
    return sa.union_all(
        *(
            _rows_as_text(model).where(in_periods)
            if model is IndicatorValue
            else _rows_as_text(model)
            for model in CONTENT_SOURCES
        )
    )


def _rows_as_text(model) -> sa.Select:
    """Select each row of `model`'s table as one string that no other row gives: each column
    as text, preceded by its length (`5:Seksi`), or `-` for a NULL, in table order."""
    # Inline literals, not bound ones: a statement of a hundred parameters costs PostgreSQL
    # more to take than to run.
    colon, null = sa.literal_column("':'", sa.String), sa.literal_column("'-'", sa.String)
    row = None
    for column in model.__table__.c:
        if isinstance(column.type, sa.LargeBinary):
            continue
        text = sa.cast(column, sa.String)
        part = sa.func.coalesce(sa.cast(sa.func.length(text), sa.String) + colon + text, null)
        row = part if row is None else row + part
    source = sa.literal_column(f"'{model.__tablename__}'", sa.String)
    return sa.select(source.label("source"), row.label("row"))


def verify_url(base_url: str, sha256: str) -> str:
    """The public verification link of a printed hash."""
    return f"{base_url.rstrip('/')}/verify/{sha256}"


# --------------------------------------------------------------------------- signing


def signing_step(task: Task) -> Step:
    """Return the task's step if signing finishes it, else raise 422 `not_a_signing_step`."""
    step = routing.step_of(task)
    if not _signs(step):
        raise DomainError(422, "not_a_signing_step", step=step.no)
    return step


def _signs(step: Step) -> bool:
    """Does signing finish `step`: a plain step whose output only signing makes?"""
    return not step.is_decision and bool(step.signed_outputs)


def _password_matches(actor: User, password: str | None) -> bool:
    """Check the signer's password, writing nothing: 422 without one, 423 on a locked
    account."""
    if not password:
        raise DomainError(422, "password_required", details={"field": "password"})
    return accounts.password_matches(actor, password)


def _refuse_wrong_password(task: Task, actor: User, ip: str | None) -> NoReturn:
    """Count the wrong password with the account's failed sign-ins (app.services.lockouts),
    audit it, and refuse 422 `invalid_password` keeping both."""
    lockouts.record_failure(actor.username, ip)
    audit.record(
        "report.sign_failed",
        actor=actor,
        object_type="task",
        object_id=task.id,
        summary=f"{actor.full_name} gagal menandatangani laporan {task.instance.period}: "
        "kata sandi salah",
        data={"instance_id": task.instance_id, "task_id": task.id, "reason": "invalid_password"},
        ip=ip,
    )
    raise DomainError(422, "invalid_password", details={"field": "password"}, keep_changes=True)


@dataclass(frozen=True)
class SignedPdf:
    """The signed report made before anything is written: what it states, the hash printed
    on it, and the stamped, PAdES-signed file."""

    signed_at: datetime
    sources: str
    content: dict
    sha256: str
    verify_url: str
    pdf: bytes

    def still_holds(self, instance: Instance, signer: User) -> bool:
        """Would the content be stated the same now: the measurement's and the signer's facts
        as they are in memory (just read with the task's lock), and the rows of the office
        and the figures by their fingerprint (one statement, not the whole sheet again)?"""
        return (
            self.content["instance"] == _instance_facts(instance)
            and self.content["signed_by"] == _signer_facts(signer)
            and self.sources == sources_fingerprint(instance.period)
        )


def _render_signed(
    task: Task,
    actor: User,
    certificate: pades.OfficeCertificate,
    base_url: str,
    signed_at: datetime,
) -> SignedPdf:
    """State the report's content, render it stamped with its hash, link and QR code, and
    sign the file with the office certificate."""
    instance = task.instance
    # Before the content: a change committed between the two reads (PostgreSQL reads each
    # statement afresh) then moves the fingerprint, so it is refused, never signed unseen.
    sources = sources_fingerprint(instance.period)
    content = report_content(instance, actor, signed_at)
    printed = content_sha256(content)
    link = verify_url(base_url, printed)
    signature = reports.Signature(
        signatory=reports.Signatory(actor.full_name, actor.nip),
        signed_at=signed_at,
        sha256=printed,
        verify_url=link,
        qr=qr_data_uri(link),
        certificate=certificate.subject_label,
    )
    pdf = pades.sign_pdf(
        reports.report_pdf(instance, final=True, signature=signature),
        certificate,
        name=actor.full_name,
        reason=f"{reports.REPORT_TITLE} {instance.period}: SHA-256 {printed}",
        location=content["office"]["city"],
    )
    return SignedPdf(
        signed_at=signed_at,
        sources=sources,
        content=content,
        sha256=printed,
        verify_url=link,
        pdf=pdf,
    )


def _one_transaction() -> None:
    """Between the phases by default: nothing, one transaction throughout (a service test)."""


def sign_report(
    task: Task,
    *,
    actor: User,
    password: str | None,
    store: BlobStore,
    limit: int,
    base_url: str,
    version: int | None = None,
    ip: str | None = None,
    now: datetime | None = None,
    before_writing: Callable[[], None] = _one_transaction,
) -> SignResult:
    """Sign the measurement's report on its signing step, as that step's actor confirming
    with his password; finish the step (and so the measurement).

    In two phases, so that the slow part holds no lock: reading only, the checks, the
    password's hash and the rendered, signed PDF; then `before_writing()` (where a request
    ends its read transaction and its next takes the write lock, app/database.py), the file
    written to the store before the transaction's first statement takes that lock (a
    rollback deletes it again: `documents.store_file`), and under the task's lock the checks
    again — a move that slipped in between is 409 as ever — and the content checked again
    (`SignedPdf.still_holds`): if the figures, the office or the signer changed meanwhile,
    the file states what no longer holds, so it is 409 `report_changed` and nothing is kept.

    A wrong password raises 422 `invalid_password` after writing a `report.sign_failed`
    audit event and counting the failure, and nothing else; the error keeps both."""
    # Read before anything: a missing certificate refuses (503) before anything is tried.
    certificate = pades.office_certificate()
    # Kept apart: after `before_writing()` reading `task.id` would load the task once more.
    task_id = task.id
    step = routing.step_of(task)
    signed = stored = None
    if _signs(step):
        # No write here: only a decision can refuse a self-review (and audit it).
        routing.ensure_can_act(task, step, actor, version)
        if not _password_matches(actor, password):
            before_writing()
            _refuse_wrong_password(task, actor, ip)
        signed = _render_signed(task, actor, certificate, base_url, now or utcnow())
        filename = reports.filename_of(SIGNED_TITLE, task.instance)
    before_writing()
    if signed is not None:
        stored = store_file(filename, io.BytesIO(signed.pdf), store, limit)
    # Any other step is refused here, under the lock, in the order every move refuses.
    task = routing.lock_task(task_id)
    step = routing.step_of(task)
    routing.ensure_can_act(task, step, actor, version)
    signing_step(task)
    assert signed is not None and stored is not None  # the definition is pinned
    if not signed.still_holds(task.instance, actor):
        raise DomainError(409, "report_changed", task=task.id)
    return _store_signature(task, step, signed, stored, actor=actor, ip=ip)


def _store_signature(
    task: Task,
    step: Step,
    signed: SignedPdf,
    stored: StoredFile,
    *,
    actor: User,
    ip: str | None,
) -> SignResult:
    """Record the stored, signed file as the step's output and as the signed report, and
    finish the step, under the task's lock."""
    instance = task.instance
    # A definition names one signed output per signing step; it is the report.
    document = record_document(
        task, step.signed_outputs[0], stored, actor=actor, generated=True, ip=ip
    )
    report = store_signed_report(
        task, document, signed.content, signed.sha256, actor, signed.signed_at
    )
    move = routing.complete_task(task, actor=actor, ip=ip, now=signed.signed_at)
    audit.record(
        "report.signed",
        actor=actor,
        object_type="signed_report",
        object_id=report.id,
        summary=f"{actor.full_name} menandatangani {reports.REPORT_TITLE} {instance.period} "
        f"(SHA-256 {signed.sha256})",
        data={
            "instance_id": instance.id,
            "task_id": task.id,
            "document_id": document.id,
            "sha256": signed.sha256,
            "file_sha256": document.sha256,
            "signed_by": actor.username,
            "nip": actor.nip,
            "signed_at": signed.signed_at.isoformat(),
        },
        ip=ip,
    )
    return SignResult(move=move, report=report, verify_url=signed.verify_url)


# --------------------------------------------------------------------------- reading


def store_signed_report(
    task: Task,
    document: Document,
    content: dict,
    sha256: str,
    signer: User,
    signed_at: datetime,
    *,
    on_paper: bool = False,
) -> SignedReport:
    """Store the signed report of `task`'s measurement: its frozen `content` and printed
    `sha256`, the `document` holding the file, who signed and when (409 if one exists)."""
    report = SignedReport(
        instance_id=task.instance_id,
        task_id=task.id,
        document_id=document.id,
        sha256=sha256,
        file_sha256=document.sha256,
        content=content,
        title=reports.REPORT_TITLE,
        office=content["office"]["name"],
        period=task.instance.period,
        signed_by_id=signer.id,
        signer_name=signer.full_name,
        signer_nip=signer.nip,
        signed_at=signed_at,
        signed_on_paper=on_paper,
    )
    add_or_conflict(report)
    return report


def signed_report_of(instance: Instance) -> SignedReport | None:
    """Return the measurement's signed report, if it has been signed."""
    return db.session.scalar(sa.select(SignedReport).filter_by(instance_id=instance.id))


def find_signed_report(text: str | None) -> SignedReport | None:
    """Return the signed report whose printed or file SHA-256 is `text`; None for an unknown
    or malformed hash."""
    digest = normalize_sha256(text)
    if digest is None:
        return None
    return db.session.scalar(
        sa.select(SignedReport).where(
            sa.or_(SignedReport.sha256 == digest, SignedReport.file_sha256 == digest)
        )
    )
