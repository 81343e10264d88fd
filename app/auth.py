"""Who is asking: a bearer token or the browser's session, through Flask-Login."""

from flask import Flask, request
from flask_login import current_user

from app.errors import DomainError
from app.extensions import db, login_manager
from app.models import User
from app.services.accounts import user_for_token


def bearer_token() -> str | None:
    """Return the bearer token of the current request, if one was sent."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def init_app(app: Flask) -> None:
    """Teach Flask-Login to find the user of a browser session."""

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        if not user_id.isdigit() or len(user_id) > 18:
            return None
        user = db.session.get(User, int(user_id))
        return user if user and user.is_active else None


def api_user() -> User:
    """Return the signed-in user, or raise 401 (no or bad credentials)."""
    token = bearer_token()
    if token is not None:
        # A bearer token wins over a session cookie, so an integration never acts as a browser.
        user = user_for_token(token)
        if user is None:
            raise DomainError(401, "invalid_token")
        return user
    if current_user.is_authenticated:
        return current_user._get_current_object()
    raise DomainError(401, "unauthorized")
