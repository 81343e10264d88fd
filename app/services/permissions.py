"""Who may manage the office: the one check of the admin's services."""

from app.errors import DomainError
from app.models import ADMIN, User


def require_admin(actor: User) -> None:
    """Refuse (403 forbidden) unless `actor` holds the admin role."""
    if not actor.has_role(ADMIN):
        raise DomainError(403, "forbidden")
