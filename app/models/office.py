"""The office's profile: the one name, address and logo every page header, letterhead (kop
surat) and signed report prints."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, utcnow
from app.models.users import User


class OfficeProfile(db.Model):
    """The office profile: one row (id 1). Until an admin saves it, the configuration's
    OFFICE_* values stand in for it."""

    __tablename__ = "office_profile"
    __table_args__ = (
        sa.CheckConstraint("id = 1", name="single_row"),
        sa.CheckConstraint(
            "(logo IS NULL) = (logo_media_type IS NULL)", name="logo_has_media_type"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(sa.String(200))
    government: Mapped[str] = mapped_column(sa.String(200))
    address: Mapped[str] = mapped_column(sa.String(300))
    phone: Mapped[str] = mapped_column(sa.String(60), default="")
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    website: Mapped[str] = mapped_column(sa.String(300), default="")
    city: Mapped[str] = mapped_column(sa.String(100))
    base_url: Mapped[str] = mapped_column(sa.String(300))
    # The logo's bytes are small (size-limited) and belong with the profile they illustrate.
    logo: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    logo_media_type: Mapped[str | None] = mapped_column(sa.String(40))
    logo_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    updated_by: Mapped[User | None] = relationship()


class SectionHead(db.Model):
    """Who heads a section (its Kepala Seksi): at most one user per section."""

    __tablename__ = "section_head"

    section_id: Mapped[int] = mapped_column(
        sa.ForeignKey("org_unit.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
