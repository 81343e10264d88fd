"""The admin's side of accounts: listing, creating and changing users, resetting a password,
unlocking an account. Every change is audited with its old and new values (never a
password or its hash); a password the admin sets must be changed at the user's next
sign-in, and deactivating a user ends his sessions and tokens."""

import re
from dataclasses import dataclass

import sqlalchemy as sa

from app.errors import DomainError
from app.extensions import db
from app.models import ADMIN, OrgUnit, User, UserRole
from app.services import audit, lockouts, sessions
from app.services.accounts import check_roles, create_user, hash_password
from app.services.password_policy import check_password_policy

NIP = re.compile(r"\d{18}")
# Enough to catch a typo; the mail server is the real judge.
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# What `update_user` may change, in the order the audit lists it.
FIELDS = ("full_name", "nip", "email", "org_unit", "roles", "active")


@dataclass(frozen=True)
class Actor:
    """Who makes an admin change, and from where."""

    user: User
    ip: str | None = None


def users_query() -> sa.Select:
    """Select every user, by username."""
    return sa.select(User).order_by(User.username)


def get_user(username: str) -> User:
    """Return the user called `username` (active or not), or raise 404 `unknown_user`."""
    user = db.session.scalar(sa.select(User).filter_by(username=username))
    if user is None:
        raise DomainError(404, "unknown_user", username=username[:64])
    return user


def clean_nip(nip: str | None) -> str | None:
    """Return the NIP without spaces (None when empty), or raise 422 `invalid_nip`."""
    if nip is None or not nip.strip():
        return None
    cleaned = re.sub(r"\s+", "", nip)
    if not NIP.fullmatch(cleaned):
        raise DomainError(422, "invalid_nip", details={"field": "nip"}, nip=nip[:40])
    return cleaned


def clean_email(email: str | None) -> str | None:
    """Return the e-mail address (None when empty), or raise 422 `invalid_email`."""
    if email is None or not email.strip():
        return None
    email = email.strip()
    if len(email) > 254 or not EMAIL.fullmatch(email):
        raise DomainError(422, "invalid_email", details={"field": "email"}, email=email[:80])
    return email


def org_unit_of(code: str | None) -> OrgUnit | None:
    """Return the unit with `code` (None when empty), or raise 422 `unknown_org_unit`."""
    if not code:
        return None
    unit = db.session.scalar(sa.select(OrgUnit).filter_by(code=code))
    if unit is None:
        raise DomainError(422, "unknown_org_unit", details={"field": "org_unit"}, unit=code[:40])
    return unit


def _refuse_duplicate(username: str | None, nip: str | None, user: User | None = None) -> None:
    for field, column, value in (("username", User.username, username), ("nip", User.nip, nip)):
        if value is None:
            continue
        other = db.session.scalar(sa.select(User.id).where(column == value))
        if other is not None and (user is None or other != user.id):
            label = "nama pengguna" if field == "username" else "NIP"
            raise DomainError(
                409, "duplicate_user", details={"field": field}, field=label, value=value
            )


def _check_roles_given(roles: list[str]) -> None:
    if not roles:
        raise DomainError(422, "no_roles", details={"field": "roles"})


def register_user(actor: Actor, *, password: str, roles: list[str], **fields) -> User:
    """Create a user as an admin: the NIP, e-mail, unit and roles checked, the password held
    to the policy, and its change required at his first sign-in."""
    username = fields["username"]
    nip = clean_nip(fields.get("nip"))
    _check_roles_given(roles)
    _refuse_duplicate(username, nip)
    return create_user(
        username=username,
        full_name=fields["full_name"],
        nip=nip,
        email=clean_email(fields.get("email")),
        org_unit=org_unit_of(fields.get("org_unit")),
        password=password,
        roles=roles,
        actor=actor.user,
        ip=actor.ip,
        check_policy=True,
        change_required=True,
    )


def _values(user: User) -> dict:
    return {
        "full_name": user.full_name,
        "nip": user.nip,
        "email": user.email,
        "org_unit": user.org_unit.code if user.org_unit else None,
        "roles": sorted(user.roles),
        "active": user.is_active_account,
    }


def _refuse_own_lockout(actor: Actor, user: User, changes: dict) -> None:
    if user.id != actor.user.id:
        return
    if changes.get("active") is False or ("roles" in changes and ADMIN not in changes["roles"]):
        raise DomainError(422, "own_account")


def _apply(user: User, changes: dict) -> None:
    if "full_name" in changes:
        user.full_name = changes["full_name"]
    if "nip" in changes:
        user.nip = clean_nip(changes["nip"])
        _refuse_duplicate(None, user.nip, user)
    if "email" in changes:
        user.email = clean_email(changes["email"])
    if "org_unit" in changes:
        user.org_unit = org_unit_of(changes["org_unit"])
    if "roles" in changes:
        roles = list(changes["roles"])
        _check_roles_given(roles)
        check_roles(roles)
        if set(roles) != user.roles:
            user.role_rows = [UserRole(role=r) for r in sorted(set(roles))]
    if "active" in changes:
        user.is_active_account = bool(changes["active"])


def update_user(actor: Actor, user: User, changes: dict) -> User:
    """Change any of FIELDS and the password of `user`; audit the old and new values. A new
    password is held to the policy and must be changed at his next sign-in; setting it or
    deactivating him ends his sessions and tokens."""
    _refuse_own_lockout(actor, user, changes)
    before = _values(user)
    _apply(user, changes)
    password = changes.get("password")
    if password is not None:
        check_password_policy(
            password, username=user.username, nip=user.nip, full_name=user.full_name
        )
        user.password_hash = hash_password(password)
        user.password_change_required = True
    db.session.flush()
    after = _values(user)
    changed = {k: {"old": before[k], "new": after[k]} for k in FIELDS if before[k] != after[k]}
    ended = None
    if password is not None or (before["active"] and not after["active"]):
        ended = sessions.end_everything(user)
    if password is not None:
        changed["password"] = {"old": "(disembunyikan)", "new": "(diatur admin)"}
    if not changed:
        return user
    audit.record(
        "user.updated",
        actor=actor.user,
        object_type="user",
        object_id=user.id,
        summary=f"Pengguna {user.username} diubah: {', '.join(changed)}",
        data={"username": user.username, "changes": changed, "ended": ended},
        ip=actor.ip,
    )
    return user


def unlock_user(actor: Actor, user: User) -> None:
    """Open a locked account before its lock runs out (its failed sign-ins are forgotten)."""
    until = lockouts.locked_until(user.username)
    lockouts.clear_failures(user.username)
    audit.record(
        "user.unlocked",
        actor=actor.user,
        object_type="user",
        object_id=user.id,
        summary=f"Akun {user.username} dibuka kuncinya oleh admin",
        data={"username": user.username, "locked_until": until.isoformat() if until else None},
        ip=actor.ip,
    )
