"""Writing rows that another request may be writing at the same moment."""

from typing import Any

from sqlalchemy.exc import IntegrityError

from app.errors import DomainError
from app.extensions import db


def add_or_conflict(row: Any = None, *, code: str = "conflict", **params: Any) -> None:
    """Add `row` (if given) and flush the session in a savepoint; a constraint that another
    request satisfied first (a twin row) becomes a 409 with `code`, and the caller's
    transaction stays usable."""
    if row is not None:
        db.session.add(row)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise DomainError(409, code, **params) from None
