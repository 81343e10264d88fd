"""Fixtures and helpers of the indicator service's tests: an office with sections, and short
ways to add indicators, set values and read what is stored."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, IndicatorValue, OrgUnit, User
from app.services import indicators as svc


@pytest.fixture
def office(app_ctx, users):
    """Two sections, a unit that is not a section, and the users by role."""
    for code, name, is_section in [
        ("pemerintahan", "Seksi Pemerintahan", True),
        ("trantib", "Seksi Trantib", True),
        ("kesos", "Seksi Kesejahteraan Sosial", True),
        ("sekretariat", "Sekretariat", False),
    ]:
        db.session.add(OrgUnit(code=code, name=name, is_section=is_section))
    db.session.commit()
    return {name: db.session.get(User, user_id) for name, user_id in users.items()}


def add(office, code, section="pemerintahan", polarity="positive", aggregation="sum", **kw):
    """Create an indicator as the admin."""
    return svc.create_indicator(
        code=code,
        name=kw.get("name", f"Indikator {code}"),
        unit=kw.get("unit", "%"),
        polarity=polarity,
        aggregation=aggregation,
        section=section,
        actor=office["admin"],
    )


def put(office, indicator, period, as_="anggota", **values):
    return svc.set_value(indicator, period, actor=office[as_], **values)


def stored(indicator) -> dict:
    rows = db.session.scalars(sa.select(IndicatorValue).filter_by(indicator_id=indicator.id))
    return {r.period: (r.target, r.realization) for r in rows}


def actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))
