"""The database models, importable from one place."""

from app.models.audit import AuditEvent, AuditHead
from app.models.calendar import HolidayKind, HolidayRow, HolidayYear
from app.models.documents import Document
from app.models.indicators import (
    Aggregation,
    CategoryBand,
    Indicator,
    IndicatorValue,
    Polarity,
)
from app.models.notifications import EmailState, Notification, NotificationKind
from app.models.office import OfficeProfile, SectionHead
from app.models.signing import SignedReport
from app.models.types import utcnow
from app.models.users import (
    ADMIN,
    ROLE_CODE,
    SYSTEM_ROLES,
    VIEWER,
    ApiToken,
    LoginFailure,
    OrgUnit,
    User,
    UserRole,
    UserSession,
)
from app.models.workflow import (
    Instance,
    InstanceStatus,
    SopVersion,
    Task,
    TaskOutcome,
    TaskStatus,
)

__all__ = [
    "ADMIN",
    "ROLE_CODE",
    "SYSTEM_ROLES",
    "VIEWER",
    "Aggregation",
    "ApiToken",
    "AuditEvent",
    "AuditHead",
    "CategoryBand",
    "Document",
    "EmailState",
    "HolidayKind",
    "HolidayRow",
    "HolidayYear",
    "Indicator",
    "IndicatorValue",
    "LoginFailure",
    "Notification",
    "NotificationKind",
    "Instance",
    "InstanceStatus",
    "OfficeProfile",
    "OrgUnit",
    "Polarity",
    "SectionHead",
    "SignedReport",
    "SopVersion",
    "Task",
    "TaskOutcome",
    "TaskStatus",
    "User",
    "UserRole",
    "UserSession",
    "utcnow",
]
