"""Finding measurements (instances): by status, period and words of their title, newest
first; the list page and the API ask the same question here."""

from collections.abc import Sequence

import sqlalchemy as sa

from app.extensions import db
from app.models import Instance, InstanceStatus, SignedReport

MAX_SEARCH = 100


def find_instances(
    *, status: str | None = None, period: str | None = None, search: str | None = None
) -> sa.Select:
    """Select the instances, newest first: of one status and period when given, and whose
    title holds every word of `search` (case-insensitive)."""
    query = sa.select(Instance).order_by(Instance.id.desc())
    if status:
        query = query.where(Instance.status == InstanceStatus(status))
    if period:
        query = query.where(Instance.period == period)
    for word in (search or "")[:MAX_SEARCH].split():
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Instance.title.ilike(f"%{escaped}%", escape="\\"))
    return query


def signed_reports_of(instances: Sequence[Instance]) -> dict[int, SignedReport]:
    """The signed report of each of `instances` that has one, by instance id."""
    ids = [instance.id for instance in instances]
    if not ids:
        return {}
    rows = db.session.scalars(sa.select(SignedReport).where(SignedReport.instance_id.in_(ids)))
    return {row.instance_id: row for row in rows}


def periods_in_use() -> list[str]:
    """Every period some measurement runs for, newest first (the list page's filter)."""
    return list(
        db.session.scalars(sa.select(Instance.period).distinct().order_by(Instance.period.desc()))
    )
