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


def transaction_scoped(key: str) -> dict:
    """A dict kept beside the session's current transaction and forgotten with it: what a
    unit of work learnt under its locks (the rows it locked, the audit chain's head) holds
    only until it commits or rolls back."""
    session = db.session()
    transaction = session.get_transaction() or session.begin()
    kept = session.info.get(key)
    if kept is None or kept[0] is not transaction:
        kept = (transaction, {})
        session.info[key] = kept
    return kept[1]
