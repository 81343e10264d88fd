"""Documents: bytes in a content-addressed store on disk, metadata in the database.

A file is stored once under its SHA-256, whoever uploads it and however often. Each upload
of a kind to a step is a new version; nothing is ever overwritten.
"""

import hashlib
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

import sqlalchemy as sa

from app.errors import DomainError, Phrase, not_found
from app.extensions import db
from app.i18n import N_
from app.models import Document, Task, User, utcnow
from app.services import audit, task_locks
from app.services.blob_hygiene import touch_or_place, track_new_blob
from app.services.persistence import add_or_conflict
from app.services.routing import check_past, ensure_can_act, step_of
from app.services.sop_definitions import Step

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class FileType:
    media_type: str
    magic: tuple[bytes, ...]


_OFFICE_ZIP = (b"PK\x03\x04",)
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
# What the office files: PDF, scans and photos, and office documents. The extension
# names the type, and the first bytes must agree with it.
ALLOWED_TYPES: dict[str, FileType] = {
    ".pdf": FileType("application/pdf", (b"%PDF-",)),
    ".png": FileType("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": FileType("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": FileType("image/jpeg", (b"\xff\xd8\xff",)),
    ".docx": FileType(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", _OFFICE_ZIP
    ),
    ".xlsx": FileType(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _OFFICE_ZIP
    ),
    ".pptx": FileType(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation", _OFFICE_ZIP
    ),
    ".odt": FileType("application/vnd.oasis.opendocument.text", _OFFICE_ZIP),
    ".ods": FileType("application/vnd.oasis.opendocument.spreadsheet", _OFFICE_ZIP),
    ".doc": FileType("application/msword", _OLE),
    ".xls": FileType("application/vnd.ms-excel", _OLE),
}

# A report signed in ink is recorded as its scan: a PDF or a picture.
SCAN_MEDIA_TYPES = ("application/pdf", "image/png", "image/jpeg")


class BlobStore:
    """Files on disk, addressed by their SHA-256: `<root>/ab/cdef…`."""

    def __init__(self, root: Path | str):
        self.root = Path(root)

    def path_of(self, sha256: str) -> Path:
        if not re.fullmatch(r"[0-9a-f]{64}", sha256):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / sha256[:2] / sha256[2:]

    def put(self, head: bytes, stream: BinaryIO, limit: int) -> tuple[str, int]:
        """Store `head` then the rest of `stream`; answer the SHA-256 and size.

        Refuses (413) past `limit` bytes, leaving nothing behind. A blob this creates is
        removed again if the session's transaction rolls back."""
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=self.root, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as tmp:
                chunk = head
                while chunk:
                    size += len(chunk)
                    if size > limit:
                        raise DomainError(413, "payload_too_large", limit_mb=limit // CHUNK)
                    digest.update(chunk)
                    tmp.write(chunk)
                    chunk = stream.read(CHUNK)
                tmp.flush()
                os.fsync(tmp.fileno())
            sha256 = digest.hexdigest()
            written = touch_or_place(self.root, tmp_name, self.path_of(sha256))
            if written is not None:
                # Deleted again if this transaction rolls back (app/services/blob_hygiene.py).
                track_new_blob(db.session(), self.root, sha256, written)
            return sha256, size
        except BaseException:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
            raise

    def open(self, sha256: str) -> BinaryIO:
        return self.path_of(sha256).open("rb")


def configured_store() -> BlobStore:
    """Return the app's content-addressed store (config STORAGE_DIR)."""
    from flask import current_app

    return BlobStore(current_app.config["STORAGE_DIR"])


def safe_filename(name: str | None, fallback: str = "dokumen") -> str:
    """Reduce a client's file name to a safe base name of letters, digits, dot, dash, underscore."""
    name = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode()
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", name).rstrip("._")
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    # Strip the stem alone, so a name of only non-ASCII letters keeps its extension.
    stem = stem.strip("._")[:120] or fallback
    return f"{stem}.{ext[:10]}" if ext else stem


def file_type_of(filename: str, head: bytes) -> FileType:
    """Return the accepted type of a file by its extension, checked against its first bytes."""
    ext = Path(filename).suffix.lower()
    file_type = ALLOWED_TYPES.get(ext)
    if file_type is None:
        raise DomainError(415, "unsupported_media_type", reason=_extension(ext))
    if not any(head.startswith(magic) for magic in file_type.magic):
        raise DomainError(
            415, "unsupported_media_type", reason=Phrase(N_("content is not {ext}"), ext=ext)
        )
    return file_type


def _extension(ext: str) -> Phrase:
    """Name a refused file extension (or its absence) for the message."""
    if not ext:
        return Phrase(N_("no file extension"))
    return Phrase(N_("extension {ext!r}"), ext=ext)


def ensure_can_attach(task: Task, kind: str, actor: User, ip: str | None = None) -> Step:
    """Refuse unless `actor` may act on the open `task` and `kind` is one of its step's
    outputs (an upload and a generated document alike); answer the step."""
    step = step_of(task)
    ensure_can_act(task, step, actor, version=None, attempt="upload", ip=ip)
    if kind not in step.outputs:
        raise DomainError(
            422,
            "unknown_kind",
            details={"allowed": list(step.outputs)},
            kind=kind,
            step=step.no,
            allowed=", ".join(step.outputs),
        )
    return step


def _check_signed_kind(
    task: Task,
    step: Step,
    kind: str,
    *,
    generated: bool,
    signed_on_paper: bool,
    signed_at: datetime | None,
    now: datetime | None,
) -> None:
    """Refuse an upload of a signed output unless it is the scan of a report signed in ink,
    and a paper-signed scan of any other kind, or a signing time that cannot be."""
    if signed_at is not None and not signed_on_paper:
        raise DomainError(422, "signed_at_without_paper", details={"field": "signed_at"})
    if kind in step.signed_outputs:
        if not (generated or signed_on_paper):
            # An upload that is no paper trail would finish the step with nothing signed.
            raise DomainError(422, "signature_required", kind=kind, step=step.no, task=task.id)
    elif signed_on_paper:
        raise DomainError(
            422,
            "not_a_signed_kind",
            details={"field": "signed_on_paper", "signed_kinds": list(step.signed_outputs)},
            kind=kind,
            step=step.no,
        )
    if signed_at is not None:
        check_past(signed_at, now or utcnow(), "invalid_signed_at", earliest=task.opened_at)


def _refuse_a_recorded_scan(sha256: str) -> None:
    """Refuse (409) a scan that is already another measurement's signed report: /verify
    knows a report by its file's SHA-256, so one file cannot be two reports."""
    from app.models import SignedReport

    taken = db.session.scalar(sa.select(SignedReport).filter_by(file_sha256=sha256))
    if taken is not None:
        raise DomainError(
            409, "scan_already_recorded", period=taken.period, instance=taken.instance_id
        )


@dataclass(frozen=True)
class StoredFile:
    """Bytes written to the store and checked, that no document holds yet: what an upload
    records (`record_document`)."""

    filename: str
    file_type: FileType
    sha256: str
    size: int


def store_file(
    filename: str | None,
    stream: BinaryIO,
    store: BlobStore,
    limit: int,
    *,
    signed_on_paper: bool = False,
) -> StoredFile:
    """Check a file's name and type (a paper-signed scan is a PDF or a picture) and write its
    bytes to the store.

    The new blob is tracked with the session's transaction (app/services/blob_hygiene.py),
    beginning one if none is open: its end without a commit deletes the blob again. So a
    caller may write before its transaction's first statement, i.e. before it takes the
    write lock (signing does), and a refusal or failure after that still leaves no file."""
    name = safe_filename(filename)
    head = stream.read(16)
    if not head:
        raise DomainError(422, "empty_file")
    file_type = file_type_of(name, head)
    if signed_on_paper and file_type.media_type not in SCAN_MEDIA_TYPES:
        raise DomainError(415, "paper_scan_type", filename=name)
    sha256, size = store.put(head, stream, limit)
    return StoredFile(filename=name, file_type=file_type, sha256=sha256, size=size)


def upload_document(
    task: Task,
    *,
    kind: str,
    filename: str | None,
    stream: BinaryIO,
    actor: User,
    store: BlobStore,
    limit: int,
    generated: bool = False,
    signed_on_paper: bool = False,
    signed_at: datetime | None = None,
    ip: str | None = None,
    now: datetime | None = None,
) -> Document:
    """Attach a file to a task as the next version of one of its step's outputs.

    A signing step's output is made by signing (`generated`), or is the scan of the report
    signed in ink (`signed_on_paper`, with `signed_at` when known: not in the future, not
    before the task opened); the move that finishes the step records it as the signed
    report (app/services/paper_signing.py)."""
    step = ensure_can_attach(task, kind, actor, ip)
    _check_signed_kind(
        task,
        step,
        kind,
        generated=generated,
        signed_on_paper=signed_on_paper,
        signed_at=signed_at,
        now=now,
    )
    stored = store_file(filename, stream, store, limit, signed_on_paper=signed_on_paper)
    return record_document(
        task,
        kind,
        stored,
        actor=actor,
        generated=generated,
        signed_on_paper=signed_on_paper,
        signed_at=signed_at,
        ip=ip,
    )


def record_document(
    task: Task,
    kind: str,
    stored: StoredFile,
    *,
    actor: User,
    generated: bool = False,
    signed_on_paper: bool = False,
    signed_at: datetime | None = None,
    ip: str | None = None,
) -> Document:
    """Record stored bytes as the next version of `kind` on `task`, and audit the upload;
    the caller has refused what may not be attached (`upload_document`'s checks, or a
    signing's own)."""
    if signed_on_paper:
        _refuse_a_recorded_scan(stored.sha256)
    previous = db.session.scalar(
        sa.select(sa.func.max(Document.version)).filter_by(
            instance_id=task.instance_id, step_no=task.step_no, kind=kind
        )
    )
    document = Document(
        instance_id=task.instance_id,
        task_id=task.id,
        step_no=task.step_no,
        kind=kind,
        version=(previous or 0) + 1,
        filename=stored.filename,
        media_type=stored.file_type.media_type,
        size=stored.size,
        sha256=stored.sha256,
        generated=generated,
        signed_on_paper=signed_on_paper,
        signed_at=signed_at,
        uploaded_by=actor,
    )
    add_or_conflict(document)
    task_locks.note_attached(task, kind)
    paper = {"signed_on_paper": True, "signed_at": signed_at and signed_at.isoformat()}
    audit.record(
        "document.uploaded",
        actor=actor,
        object_type="document",
        object_id=document.id,
        summary=f"{actor.full_name} mengunggah {kind} v{document.version} pada langkah "
        f"{task.step_no}" + (" (ditandatangani di atas kertas)" if signed_on_paper else ""),
        data={
            "instance_id": task.instance_id,
            "task_id": task.id,
            "kind": kind,
            "version": document.version,
            "sha256": stored.sha256,
            "size": stored.size,
            "filename": stored.filename,
            **(paper if signed_on_paper else {}),
        },
        ip=ip,
        backdated=signed_at is not None,
    )
    return document


def get_document(document_id: int) -> Document:
    """Return document `document_id` or raise 404."""
    document = db.session.get(Document, document_id)
    if document is None:
        raise not_found(Phrase(N_("Document {id}"), id=document_id))
    return document


def documents_of_instance(instance_id: int) -> list[Document]:
    """Return every version of every document of an instance, in upload order."""
    return list(
        db.session.scalars(
            sa.select(Document).filter_by(instance_id=instance_id).order_by(Document.id)
        )
    )


def open_content(document: Document, store: BlobStore) -> BinaryIO:
    """Open a document's bytes; a blob missing from the store is a 404, not a crash."""
    try:
        return store.open(document.sha256)
    except FileNotFoundError:
        raise not_found(Phrase(N_("Content of document {id}"), id=document.id)) from None
