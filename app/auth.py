"""Who is asking: a bearer token or the browser's session, through Flask-Login.

A browser session is live only while its row in `user_session` is (app.services.sessions):
the cookie carries the session's key beside Flask-Login's user id, and the user loader
reads the session row and its user in one query."""

from flask import Flask, g, request, session
from flask_login import current_user, login_user

from app.errors import DomainError
from app.extensions import login_manager
from app.models import User
from app.services.accounts import user_for_token
from app.services.sessions import session_user, start_session

SESSION_KEY = "session_key"

# The API calls a user whose password an admin set may still make: who he is, changing it,
# and signing out.
CHANGE_REQUIRED_ENDPOINTS = frozenset({"auth.me", "auth.change_password", "auth.revoke_token"})


def bearer_token() -> str | None:
    """Return the bearer token of the current request, if one was sent."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def current_session_key() -> str | None:
    """Return the key of this browser session (None without one)."""
    key = session.get(SESSION_KEY)
    return key if isinstance(key, str) else None


def sign_in(user: User, *, ip: str | None = None) -> None:
    """Start a server-side session for `user` and put it in the browser's cookie."""
    key = start_session(user, ip=ip)
    login_user(user)
    session[SESSION_KEY] = key


def init_app(app: Flask) -> None:
    """Teach Flask-Login to find the user of a browser session."""

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        if not user_id.isdigit() or len(user_id) > 18:
            return None
        return session_user(current_session_key(), int(user_id))


def _token_user(token: str) -> User | None:
    """The user of `token`, looked up once per request: the API's gate and then the view
    both ask who is calling."""
    cached = g.get("token_user")
    if cached is not None and cached[0] == token:
        return cached[1]
    user = user_for_token(token)
    g.token_user = (token, user)
    return user


def api_user() -> User:
    """Return the signed-in user, or raise 401 (no or bad credentials), or 403
    `password_change_required` while an admin-set password is still his."""
    token = bearer_token()
    if token is not None:
        # A bearer token wins over a session cookie, so an integration never acts as a browser.
        user = _token_user(token)
        if user is None:
            raise DomainError(401, "invalid_token")
    elif current_user.is_authenticated:
        user = current_user._get_current_object()
    else:
        raise DomainError(401, "unauthorized")
    if user.password_change_required and request.endpoint not in CHANGE_REQUIRED_ENDPOINTS:
        raise DomainError(403, "password_change_required")
    return user
