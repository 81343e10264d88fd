"""The office's sections (seksi): the org units that own indicators, each with a head (its
Kepala Seksi). Only an admin changes them; every change is audited with old and new."""

import re
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from app.errors import DomainError, not_found
from app.extensions import db
from app.models import OrgUnit, User
from app.services import audit
from app.services.permissions import require_admin
from app.services.persistence import add_or_conflict

SECTION_CODE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,39}$")
MAX_NAME = 200


def list_sections() -> sa.Select:
    """Select the sections in the office's order (as they were created)."""
    return sa.select(OrgUnit).filter_by(is_section=True).order_by(OrgUnit.id)


def get_section(code: str) -> OrgUnit:
    """Return the section with `code`, or raise 404."""
    section = None
    if isinstance(code, str) and SECTION_CODE.match(code):
        section = db.session.scalar(sa.select(OrgUnit).filter_by(code=code, is_section=True))
    if section is None:
        raise not_found(f"Seksi {code!r}")
    return section


def _name(value: Any) -> str:
    name = " ".join(value.split()) if isinstance(value, str) else ""
    if not name:
        raise DomainError(422, "section_name_required", details={"field": "name"})
    if len(name) > MAX_NAME:
        raise DomainError(
            422, "office_field_too_long", details={"field": "name"}, field="name", max=MAX_NAME
        )
    return name


def _head(username: str | None) -> User | None:
    """The active user named `username` (None for no head), or 422."""
    if username is None or username == "":
        return None
    user = db.session.scalar(sa.select(User).filter_by(username=username))
    if user is None or not user.is_active:
        raise DomainError(422, "unknown_user", details={"field": "head"}, username=username)
    return user


def describe(section: OrgUnit) -> dict[str, Any]:
    """A section as the audit trail keeps it."""
    return {
        "code": section.code,
        "name": section.name,
        "head": section.head.username if section.head else None,
    }


def create_section(
    *, code: str, name: str, head: str | None = None, actor: User, ip: str | None = None
) -> OrgUnit:
    """Add a section (admin only), optionally with its head (a username)."""
    require_admin(actor)
    if not isinstance(code, str) or not SECTION_CODE.match(code):
        raise DomainError(422, "invalid_section_code", details={"field": "code"}, section=code)
    name = _name(name)
    head_user = _head(head)
    if db.session.scalar(sa.select(OrgUnit.id).filter_by(code=code)):
        raise DomainError(409, "duplicate_section", section=code)
    section = OrgUnit(code=code, name=name, is_section=True)
    section.head = head_user
    # Someone may have added the same code a moment ago.
    add_or_conflict(section, code="duplicate_section", section=code)
    audit.record(
        "section.created",
        actor=actor,
        object_type="section",
        object_id=section.code,
        summary=f"Menambah seksi {section.code} ({section.name})",
        data={"after": describe(section)},
        ip=ip,
    )
    return section


def update_section(
    section: OrgUnit, changes: Mapping[str, Any], *, actor: User, ip: str | None = None
) -> OrgUnit:
    """Rename a section and/or set its head (`head`: a username, or None for none)."""
    require_admin(actor)
    before = describe(section)
    if "name" in changes:
        section.name = _name(changes["name"])
    if "head" in changes:
        section.head = _head(changes["head"])
    db.session.flush()
    after = describe(section)
    audit.record_change(
        "section.changed",
        actor=actor,
        object_type="section",
        object_id=section.code,
        summary=f"Mengubah seksi {section.code}",
        before=before,
        after=after,
        ip=ip,
    )
    return section


def head_candidates() -> list[User]:
    """The active users who may head a section, by name."""
    return list(
        db.session.scalars(
            sa.select(User).where(User.is_active_account.is_(True)).order_by(User.full_name)
        )
    )
