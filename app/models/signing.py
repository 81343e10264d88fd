"""Signed reports: what the Camat signed, the hashes that identify it, and who signed when."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.documents import Document
from app.models.types import UTCDateTime
from app.models.users import User
from app.models.workflow import Instance


class SignedReport(db.Model):
    """The signed Laporan Hasil Pengukuran Kinerja of one measurement; never changed.

    `sha256` is printed on the report: the hash of `content`, the report's facts as canonical
    JSON (a file cannot hold its own hash). `file_sha256` is the hash of the stamped PDF
    file. The signer's name and NIP are kept as they were printed, whatever their account
    says later."""

    __tablename__ = "signed_report"
    __table_args__ = (
        sa.CheckConstraint("length(sha256) = 64", name="sha256_length"),
        sa.CheckConstraint("length(file_sha256) = 64", name="file_sha256_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # One signed report per measurement: signing completes it.
    instance_id: Mapped[int] = mapped_column(
        sa.ForeignKey("instance.id", ondelete="CASCADE"), unique=True
    )
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("task.id", ondelete="CASCADE"))
    document_id: Mapped[int] = mapped_column(
        sa.ForeignKey("document.id", ondelete="CASCADE"), unique=True
    )
    sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    file_sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    content: Mapped[dict] = mapped_column(sa.JSON)
    title: Mapped[str] = mapped_column(sa.String(300))
    office: Mapped[str] = mapped_column(sa.String(200))
    period: Mapped[str] = mapped_column(sa.String(7))
    signed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    signer_name: Mapped[str] = mapped_column(sa.String(200))
    signer_nip: Mapped[str | None] = mapped_column(sa.String(18))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Signed in ink: the document is the uploaded scan (its SHA-256 is `file_sha256`), and
    # the signer is the one who recorded it.
    signed_on_paper: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    instance: Mapped[Instance] = relationship()
    document: Mapped[Document] = relationship()
    signed_by: Mapped[User] = relationship()
