"""The database models, importable from one place."""

from app.models.audit import AuditEvent, AuditHead
from app.models.calendar import HolidayKind, HolidayRow
from app.models.documents import Document
from app.models.types import utcnow
from app.models.users import ApiToken, OrgUnit, Role, User, UserRole
from app.models.workflow import (
    Instance,
    InstanceStatus,
    SopVersion,
    Task,
    TaskOutcome,
    TaskStatus,
)

__all__ = [
    "ApiToken",
    "AuditEvent",
    "AuditHead",
    "Document",
    "HolidayKind",
    "HolidayRow",
    "Instance",
    "InstanceStatus",
    "OrgUnit",
    "Role",
    "SopVersion",
    "Task",
    "TaskOutcome",
    "TaskStatus",
    "User",
    "UserRole",
    "utcnow",
]
