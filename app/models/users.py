"""Users, their roles, the office's units and API tokens."""

import re
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, utcnow

# The roles of the system itself. Every other role is an actor of a loaded SOP definition
# (its `actors[].code`), so a new SOP with a new actor needs no code change.
ADMIN = "admin"  # manages users and data; does not act in an SOP
VIEWER = "viewer"  # reads only
SYSTEM_ROLES = (ADMIN, VIEWER)
# The form of a role code, whether a system role or an SOP's actor.
ROLE_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class OrgUnit(db.Model):
    """A unit of the kecamatan office: the leadership, the secretariat or a seksi."""

    __tablename__ = "org_unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    is_section: Mapped[bool] = mapped_column(default=False)

    # The section's head (Kepala Seksi), kept in `section_head`.
    head: Mapped["User | None"] = relationship(
        secondary="section_head", uselist=False, lazy="selectin", viewonly=False
    )


class User(UserMixin, db.Model):
    """A person who signs in: an ASN of the office, or an integrating system's account."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    nip: Mapped[str | None] = mapped_column(sa.String(18), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    org_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("org_unit.id"))
    is_active_account: Mapped[bool] = mapped_column(default=True)
    # A demo account (password printed by `flask demo`), exempt from the password policy.
    is_demo: Mapped[bool] = mapped_column(default=False)
    # Set when an admin chose the password: the user must choose his own before anything else.
    password_change_required: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    org_unit: Mapped[OrgUnit | None] = relationship(lazy="joined")
    role_rows: Mapped[list["UserRole"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def roles(self) -> set[str]:
        return {row.role for row in self.role_rows}

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.is_active_account


class UserRole(db.Model):
    """One role a user holds: a system role or an actor code of a loaded SOP."""

    __tablename__ = "user_role"
    __table_args__ = (sa.CheckConstraint("role <> ''", name="role_not_empty"),)

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(sa.String(40), primary_key=True)


class ApiToken(db.Model):
    """A bearer token; only its SHA-256 is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")


class UserSession(db.Model):
    """A browser session the server can end: the cookie carries its key, only the key's
    SHA-256 is stored, and a session with `ended_at` set lets nobody in."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ip: Mapped[str | None] = mapped_column(sa.String(64))

    user: Mapped[User] = relationship(lazy="joined")


class LoginFailure(db.Model):
    """One failed sign-in (API token, login page or signing password), counted per
    username for the account's lock-out and per address for the address's slow-down; kept
    in the database so every worker and host counts the same."""

    __tablename__ = "login_failure"
    __table_args__ = (
        sa.Index("ix_login_failure_username_at", "username", "at"),
        sa.Index("ix_login_failure_ip_at", "ip", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Lower-cased as typed, known user or not: an unknown name locks like a real one.
    username: Mapped[str] = mapped_column(sa.String(64))
    ip: Mapped[str | None] = mapped_column(sa.String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
