"""Kinerja SOP: how well the office keeps its SOP, counted over its closed tasks (DESIGN.md
rule 12): per step and per actor role, per measurement, and per quarter."""

from app.services.analytics.figures import Analytics
from app.services.analytics.report import (
    may_read,
    readable_versions,
    reader_roles,
    step_analytics,
)
from app.services.analytics.scope import Scope

__all__ = [
    "Analytics",
    "Scope",
    "may_read",
    "readable_versions",
    "reader_roles",
    "step_analytics",
]
