"""Browser sessions the server can end (DESIGN.md rule 10): the signed cookie carries a
random session key, the database keeps only its SHA-256 beside the user, and a session
whose row has ended lets nobody in, whichever copy of the cookie comes back."""

import hashlib
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import ApiToken, User, UserSession, utcnow


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def start_session(user: User, *, ip: str | None = None) -> str:
    """Open a session of `user`; answer its key, for the cookie only."""
    key = secrets.token_urlsafe(32)
    db.session.add(UserSession(user=user, key_hash=_digest(key), ip=ip[:64] if ip else None))
    db.session.flush()
    return key


# Built once: every signed-in page asks it, and composing it cost more than running it.
_SESSION_OF_KEY = (
    sa.select(UserSession)
    .where(UserSession.key_hash == sa.bindparam("key_hash"))
    .options(joinedload(UserSession.user).joinedload(User.role_rows))
)


def session_user(key: str | None, user_id: int) -> User | None:
    """Return the active user of the live session `key`, if it is `user_id`'s (one query:
    the session row with its user and his roles)."""
    if not key or len(key) > 100:
        return None
    row = (
        db.session.execute(_SESSION_OF_KEY, {"key_hash": _digest(key)})
        .unique()
        .scalar_one_or_none()
    )
    if row is None or row.ended_at is not None or row.user_id != user_id:
        return None
    return row.user if row.user.is_active else None


def end_session(key: str | None) -> None:
    """End the session `key` (signing out): no copy of its cookie works afterwards."""
    if not key or len(key) > 100:
        return
    db.session.execute(
        sa.update(UserSession)
        .where(UserSession.key_hash == _digest(key), UserSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )


def end_everything(
    user: User, *, keep_session: str | None = None, keep_token: str | None = None
) -> dict[str, int]:
    """End every session and revoke every token of `user` but the ones named; answer how
    many of each ended."""
    now = utcnow()
    sessions = sa.update(UserSession).where(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None)
    )
    if keep_session:
        sessions = sessions.where(UserSession.key_hash != _digest(keep_session))
    tokens = sa.update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    if keep_token:
        tokens = tokens.where(ApiToken.token_hash != _digest(keep_token))
    ended = db.session.execute(sessions.values(ended_at=now)).rowcount
    revoked = db.session.execute(tokens.values(revoked_at=now)).rowcount
    return {"sessions": ended, "tokens": revoked}
