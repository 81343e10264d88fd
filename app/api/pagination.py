"""Paginate a select into the API's page shape."""

import sqlalchemy as sa
from sqlalchemy.sql import Select

from app.extensions import db


def paginate(query: Select, page: int, per_page: int) -> tuple[list, int]:
    """Return one page of `query`'s rows and the total count."""
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
    )
    rows = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    return list(rows), total or 0
