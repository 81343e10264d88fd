"""Users, passwords and bearer tokens."""

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import cache

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from app.errors import DomainError
from app.extensions import db
from app.models import SYSTEM_ROLES, ApiToken, OrgUnit, User, UserRole, utcnow
from app.services import audit, lockouts, sessions
from app.services.password_policy import check_password_policy
from app.services.sop_definitions import actor_codes

# Checked against when the user is unknown, so both failures take the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def hash_password(password: str) -> str:
    """Hash a password with the configured method."""
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    return generate_password_hash(password, method=method)


def known_roles() -> set[str]:
    """Return the roles a user may hold: the system roles and every loaded SOP's actors."""
    return set(SYSTEM_ROLES) | actor_codes()


def check_roles(roles: list[str]) -> None:
    """Refuse a role no loaded SOP names and the system does not have (422 unknown_role)."""
    known = known_roles()
    unknown = sorted(set(roles) - known)
    if unknown:
        raise DomainError(
            422,
            "unknown_role",
            details={"unknown": unknown, "known": sorted(known)},
            roles=", ".join(unknown),
            known=", ".join(sorted(known)),
        )


def create_user(
    *,
    username: str,
    full_name: str,
    password: str,
    roles: list[str],
    nip: str | None = None,
    email: str | None = None,
    org_unit: OrgUnit | None = None,
    actor: User | str | None = None,
    ip: str | None = None,
    check_policy: bool = False,
    change_required: bool = False,
    is_demo: bool = False,
) -> User:
    """Create a user with `roles` and record who did it; an unknown role is refused. The
    edges where a person sets a password (the admin's API and pages, `flask create-admin`)
    pass `check_policy=True`; the demo and the tests' fixtures do not."""
    check_roles(roles)
    if check_policy:
        check_password_policy(password, username=username, nip=nip, full_name=full_name)
    user = User(
        username=username,
        full_name=full_name,
        nip=nip,
        email=email,
        password_hash=hash_password(password),
        org_unit=org_unit,
        role_rows=[UserRole(role=r) for r in roles],
        password_change_required=change_required,
        is_demo=is_demo,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        "user.created",
        actor=actor,
        object_type="user",
        object_id=user.id,
        summary=f"Pengguna {username} dibuat dengan peran {', '.join(sorted(roles))}",
        data={
            "username": username,
            "roles": sorted(roles),
            "nip": nip,
            "email": email,
            "full_name": full_name,
            "org_unit": org_unit.code if org_unit else None,
            "password_change_required": change_required,
            "is_demo": is_demo,
        },
        ip=ip,
    )
    return user


def find_user(username: str) -> User | None:
    """Return the active user called `username`, if any."""
    return db.session.scalar(sa.select(User).filter_by(username=username, is_active_account=True))


def _record_refused_attempt(username: str, user: User | None, reason: str, ip: str | None):
    data = {"username": username[:64]}
    if reason != "invalid_credentials":
        data["reason"] = reason
    audit.record(
        "auth.failed",
        actor=None,
        object_type="user",
        object_id=user.id if user else None,
        summary=f"Gagal masuk sebagai {username[:64]!r}",
        data=data,
        ip=ip,
    )


def authenticate(username: str, password: str, *, ip: str | None = None) -> User:
    """Return the user whose password matches. A failure is counted and audited and raises
    401 (an error that keeps them); a slowed address (429) or a locked account (423) is
    refused, audited, before the password is even looked at."""
    user = find_user(username)
    try:
        lockouts.check_attempt(username, ip)
    except DomainError as error:
        _record_refused_attempt(username, user, error.code, ip)
        error.keep_changes = True
        raise
    valid = check_password_hash(user.password_hash if user else _DUMMY_HASH, password)
    if user is None or not valid:
        lockouts.record_failure(username, ip)
        _record_refused_attempt(username, user, "invalid_credentials", ip)
        raise DomainError(401, "invalid_credentials", keep_changes=True)
    lockouts.clear_failures(username)
    return user


def password_matches(user: User, password: str | None) -> bool:
    """Check the signed-in `user`'s own password again, writing nothing (signing checks it
    before it takes the write lock, and counts a wrong one afterwards); a locked account is
    refused (423) before checking."""
    lockouts.check_account(user.username)
    return check_password_hash(user.password_hash, password or "")


def confirm_password(user: User, password: str | None, *, ip: str | None = None) -> bool:
    """Check the signed-in `user`'s own password again (changing it), counting a wrong one
    with his failed sign-ins; a locked account is refused (423) before checking.
    Answer whether it matched; the caller audits and refuses a wrong one."""
    if password_matches(user, password):
        return True
    lockouts.record_failure(user.username, ip)
    return False


def change_own_password(
    user: User,
    *,
    current_password: str,
    new_password: str,
    keep_session: str | None = None,
    keep_token: str | None = None,
    ip: str | None = None,
) -> None:
    """Change `user`'s password to one the policy accepts, after his current one; his other
    sessions and tokens end (the one he is using stays)."""
    if not confirm_password(user, current_password, ip=ip):
        audit.record(
            "user.password_change_failed",
            actor=user,
            object_type="user",
            object_id=user.id,
            summary=f"{user.username} gagal mengganti kata sandi: kata sandi sekarang salah",
            ip=ip,
        )
        raise DomainError(
            422, "invalid_password", details={"field": "current_password"}, keep_changes=True
        )
    if check_password_hash(user.password_hash, new_password):
        raise DomainError(422, "password_unchanged", details={"field": "new_password"})
    check_password_policy(
        new_password, username=user.username, nip=user.nip, full_name=user.full_name
    )
    was_required = user.password_change_required
    user.password_hash = hash_password(new_password)
    user.password_change_required = False
    ended = sessions.end_everything(user, keep_session=keep_session, keep_token=keep_token)
    db.session.flush()
    audit.record(
        "user.password_changed",
        actor=user,
        object_type="user",
        object_id=user.id,
        summary=f"{user.username} mengganti kata sandinya",
        data={"was_required": was_required, "ended": ended},
        ip=ip,
    )


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, *, ip: str | None = None) -> tuple[str, ApiToken]:
    """Create a bearer token for `user`; only its hash is kept."""
    token = secrets.token_urlsafe(32)
    ttl = timedelta(hours=current_app.config["TOKEN_TTL_HOURS"])
    row = ApiToken(user=user, token_hash=_token_digest(token), expires_at=utcnow() + ttl)
    db.session.add(row)
    db.session.flush()
    audit.record(
        "auth.token_issued",
        actor=user,
        object_type="api_token",
        object_id=row.id,
        summary=f"{user.username} masuk dan menerima token API",
        data={"expires_at": row.expires_at.isoformat()},
        ip=ip,
    )
    return token, row


@cache
def _token_read() -> sa.Select:
    """The token look-up's statement (`token_hash` bound at execution), built once per
    process: every API call makes it, and building it cost more than its round trip."""
    return (
        sa.select(ApiToken)
        .where(ApiToken.token_hash == sa.bindparam("token_hash"))
        .options(joinedload(ApiToken.user).joinedload(User.role_rows))
    )


def user_for_token(token: str, now: datetime | None = None) -> User | None:
    """Return the user of a live token, or None for an unknown, expired or revoked one; one
    statement brings the token, its user and his roles (every API call begins with it)."""
    row = (
        db.session.execute(_token_read(), {"token_hash": _token_digest(token)})
        .unique()
        .scalar_one_or_none()
    )
    now = now or utcnow()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    if not row.user.is_active:
        return None
    return row.user


def revoke_token(token: str, *, actor: User, ip: str | None = None) -> None:
    """Revoke the presented token."""
    row = db.session.scalar(sa.select(ApiToken).filter_by(token_hash=_token_digest(token)))
    if row is None or row.revoked_at is not None:
        return
    row.revoked_at = utcnow()
    audit.record(
        "auth.token_revoked",
        actor=actor,
        object_type="api_token",
        object_id=row.id,
        summary=f"{actor.username} mencabut token API",
        ip=ip,
    )
    db.session.flush()


def record_login(user: User, *, ip: str | None = None) -> None:
    """Record a successful sign-in to the pages."""
    audit.record(
        "auth.login",
        actor=user,
        object_type="user",
        object_id=user.id,
        summary=f"{user.username} masuk ke aplikasi",
        ip=ip,
    )
