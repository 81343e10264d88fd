"""The admin's changes to an indicator: its name, unit, polarity, aggregation, section, and
retiring or reactivating it. A retired indicator keeps its history: its stored values stay,
and it still shows in the worksheet of a period it has values for, but a new period's sheet
leaves it out."""

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from app.errors import DomainError
from app.extensions import db
from app.models import Aggregation, Indicator, OrgUnit, Polarity, User
from app.services import audit
from app.services.permissions import require_admin

# field -> the longest text it keeps (None: not a text)
FIELDS = {
    "name": 300,
    "unit": 40,
    "polarity": None,
    "aggregation": None,
    "section": None,
    "active": None,
}


def describe(indicator: Indicator) -> dict[str, Any]:
    """An indicator as the audit trail keeps it."""
    return {
        "name": indicator.name,
        "unit": indicator.unit,
        "polarity": indicator.polarity.value,
        "aggregation": indicator.aggregation.value,
        "section": indicator.section.code,
        "active": indicator.active,
    }


def _invalid(field: str) -> DomainError:
    return DomainError(422, "indicator_field_invalid", details={"field": field}, field=field)


def _text(field: str, value: Any) -> str:
    text = " ".join(value.split()) if isinstance(value, str) else ""
    if not text or len(text) > FIELDS[field]:
        raise _invalid(field)
    return text


def _section(code: Any) -> OrgUnit:
    section = None
    if isinstance(code, str) and code:
        section = db.session.scalar(sa.select(OrgUnit).filter_by(code=code, is_section=True))
    if section is None:
        raise DomainError(422, "unknown_section", details={"field": "section"}, section=code)
    return section


def _apply(indicator: Indicator, field: str, value: Any) -> None:
    if field in ("name", "unit"):
        setattr(indicator, field, _text(field, value))
    elif field == "polarity":
        if value not in set(Polarity):
            raise _invalid(field)
        indicator.polarity = Polarity(value)
    elif field == "aggregation":
        if value not in set(Aggregation):
            raise _invalid(field)
        indicator.aggregation = Aggregation(value)
    elif field == "section":
        indicator.section = _section(value)
    elif field == "active":
        if not isinstance(value, bool):
            raise _invalid(field)
        indicator.active = value
    else:
        raise _invalid(field)


def _action(before: dict, after: dict) -> tuple[str, str]:
    """The audit action and verb of a change: retiring and reactivating are named."""
    if before["active"] and not after["active"]:
        return "indicator.retired", "Menonaktifkan"
    if not before["active"] and after["active"]:
        return "indicator.reactivated", "Mengaktifkan kembali"
    return "indicator.changed", "Mengubah"


def update_indicator(
    indicator: Indicator, changes: Mapping[str, Any], *, actor: User, ip: str | None = None
) -> Indicator:
    """Change an indicator's fields (admin only); a field left out stays. Audited with the
    old and the new values."""
    require_admin(actor)
    before = describe(indicator)
    for field, value in changes.items():
        _apply(indicator, field, value)
    db.session.flush()
    after = describe(indicator)
    action, verb = _action(before, after)
    audit.record_change(
        action,
        actor=actor,
        object_type="indicator",
        object_id=indicator.code,
        summary=f"{verb} indikator {indicator.code}",
        before=before,
        after=after,
        ip=ip,
    )
    return indicator
