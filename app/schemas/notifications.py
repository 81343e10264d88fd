"""Schemas of a user's notifications (reminders)."""

from marshmallow import Schema, fields

from app.models import NotificationKind
from app.schemas.common import OfficeDateTime, PageArgsSchema, page_of


class NotificationSchema(Schema):
    id = fields.Integer()
    kind = fields.Function(
        lambda row: row.kind.value,
        metadata={"type": "string", "enum": [kind.value for kind in NotificationKind]},
    )
    task_id = fields.Integer()
    message = fields.String(metadata={"description": "What the reminder says, in Indonesian"})
    created_at = OfficeDateTime()
    read_at = OfficeDateTime(allow_none=True)


NotificationPageSchema = page_of(NotificationSchema, "NotificationPageSchema")


class NotificationListArgsSchema(PageArgsSchema):
    unread = fields.Boolean(
        load_default=False, metadata={"description": "Only the notifications not yet read"}
    )
