"""Failed sign-ins, counted in the database so every worker and host agrees (DESIGN.md rule
10): the token call, the login page and the signing password count together.

An *account* (by the username as typed, so an unknown name locks exactly like a real one
and reveals nothing) locks for `ACCOUNT_LOCK_MINUTES` once `ACCOUNT_LOCK_FAILURES` failures
fall within `ACCOUNT_FAILURE_WINDOW_MINUTES`; while locked, even the right password is
refused, and the refused attempts are not counted (a lock does not extend itself). A
success or an admin's unlock forgets the account's failures. An *address* is slowed (429)
only past `ADDRESS_FAILURE_LIMIT` failures in the window, so one person's typos never lock
out an office behind one shared address. A session already signed in is never touched.
"""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app.errors import DomainError
from app.extensions import db
from app.models import LoginFailure, utcnow
from app.rendering.format import format_datetime


def _key(username: str) -> str:
    return username.strip().casefold()[:64]


def _window() -> timedelta:
    return timedelta(minutes=current_app.config["ACCOUNT_FAILURE_WINDOW_MINUTES"])


def _lock_length() -> timedelta:
    return timedelta(minutes=current_app.config["ACCOUNT_LOCK_MINUTES"])


def locked_until(username: str, now: datetime | None = None) -> datetime | None:
    """Return when the lock of `username`'s account ends, or None when it is not locked."""
    now = now or utcnow()
    window, length = _window(), _lock_length()
    limit = current_app.config["ACCOUNT_LOCK_FAILURES"]
    times = db.session.scalars(
        sa.select(LoginFailure.at)
        .where(LoginFailure.username == _key(username), LoginFailure.at > now - window - length)
        .order_by(LoginFailure.at)
    ).all()
    # Replay the failures: `limit` of them within the window lock the account, and counting
    # starts again after the lock (attempts refused while locked are not recorded).
    until, counted = None, []
    for at in times:
        if until is not None and at < until:
            continue
        counted = [t for t in counted if t > at - window] + [at]
        if len(counted) >= limit:
            until, counted = at + length, []
    return until if until is not None and until > now else None


def check_account(username: str, now: datetime | None = None) -> None:
    """Refuse a sign-in to a locked account (423 `account_locked`, saying until when)."""
    until = locked_until(username, now)
    if until is not None:
        raise DomainError(
            423,
            "account_locked",
            details={"locked_until": until.isoformat()},
            until=format_datetime(until),
        )


def check_address(ip: str | None, now: datetime | None = None) -> None:
    """Slow an address down (429 `rate_limited`) once it is past the address limit."""
    if ip is None:
        return
    now = now or utcnow()
    count = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(LoginFailure)
        .where(LoginFailure.ip == ip[:64], LoginFailure.at > now - _window())
    )
    if count >= current_app.config["ADDRESS_FAILURE_LIMIT"]:
        raise DomainError(
            429,
            "rate_limited",
            details={"retry_after_minutes": int(_window().total_seconds() // 60)},
        )


def check_attempt(username: str, ip: str | None) -> None:
    """Refuse a sign-in attempt from a slowed address or to a locked account."""
    check_address(ip)
    check_account(username)


def record_failure(username: str, ip: str | None) -> None:
    """Count one failed sign-in of `username` from `ip`, and forget failures too old to
    count for anything."""
    now = utcnow()
    db.session.execute(
        sa.delete(LoginFailure).where(LoginFailure.at <= now - _window() - _lock_length())
    )
    db.session.add(LoginFailure(username=_key(username), ip=ip[:64] if ip else None, at=now))
    db.session.flush()


def clear_failures(username: str) -> None:
    """Forget the account's failed sign-ins (a success, or an admin's unlock)."""
    db.session.execute(sa.delete(LoginFailure).where(LoginFailure.username == _key(username)))
