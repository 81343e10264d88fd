"""Documents attached to tasks; the bytes live in the content-addressed store."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, utcnow
from app.models.users import User


class Document(db.Model):
    """One version of one kind of document of one step of an instance."""

    __tablename__ = "document"
    __table_args__ = (
        sa.UniqueConstraint(
            "instance_id", "step_no", "kind", "version", name="uq_document_step_kind_version"
        ),
        sa.CheckConstraint("size >= 0", name="size_not_negative"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(
        sa.ForeignKey("instance.id", ondelete="CASCADE"), index=True
    )
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("task.id", ondelete="CASCADE"), index=True)
    step_no: Mapped[int]
    kind: Mapped[str] = mapped_column(sa.String(200))
    version: Mapped[int]
    filename: Mapped[str] = mapped_column(sa.String(255))
    media_type: Mapped[str] = mapped_column(sa.String(120))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    generated: Mapped[bool] = mapped_column(default=False)
    # A scan of a report signed in ink (the paper trail of a signing step), and when it was
    # signed: sent with the upload, else the time of the move that finished the step.
    signed_on_paper: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    uploaded_by: Mapped[User] = relationship(lazy="joined")
