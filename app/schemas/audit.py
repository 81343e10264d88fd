"""Schemas of the audit trail: the filters of a listing or an export, an event, the check."""

from datetime import date, datetime

from marshmallow import Schema, ValidationError, fields, validate

from app.schemas.common import OfficeDateTime, PageArgsSchema, page_of
from app.services.audit.export import FILE_FORMATS
from app.services.audit.query import FIRST_YEAR, LAST_YEAR, parse_bound

INVALID_BOUND = (
    f"Must be an ISO date (2026-01-31) or date and time, years {FIRST_YEAR} to {LAST_YEAR}."
)
TEXT = validate.Length(min=1, max=64)


class DateOrDateTime(fields.Field):
    """An ISO date (its whole day) or date and time; without an offset, in the office's zone."""

    def _deserialize(self, value, attr, data, **kwargs) -> date | datetime:
        if not isinstance(value, str):
            raise ValidationError(INVALID_BOUND)
        try:
            return parse_bound(value)
        except ValueError:
            raise ValidationError(INVALID_BOUND) from None

    def _jsonschema_type_mapping(self):
        return {"type": "string"}


class AuditFilterSchema(PageArgsSchema):
    """Which events, and in which format: `json` is a page, the others a file."""

    since = DateOrDateTime(
        metadata={
            "type": "string",
            "description": "From this date (its midnight) or time; office zone without offset.",
            "example": "2026-01-01",
        }
    )
    until = DateOrDateTime(
        metadata={
            "type": "string",
            "description": "Up to this date (its whole day) or time (inclusive).",
            "example": "2026-03-31",
        }
    )
    actor = fields.String(validate=TEXT, metadata={"description": "A username, or `cli`"})
    action = fields.String(validate=TEXT, metadata={"example": "task.approved"})
    object_type = fields.String(validate=validate.Length(min=1, max=40))
    object_id = fields.String(validate=TEXT)
    format = fields.String(load_default="json", validate=validate.OneOf(("json", *FILE_FORMATS)))


class AuditEventSchema(Schema):
    id = fields.Integer()
    at = OfficeDateTime()
    actor = fields.String(allow_none=True)
    action = fields.String()
    object_type = fields.String(allow_none=True)
    object_id = fields.String(allow_none=True)
    summary = fields.String()
    data = fields.Dict()
    ip = fields.String(allow_none=True)
    backdated = fields.Boolean()
    prev_hash = fields.String()
    hash = fields.String()


AuditPageSchema = page_of(AuditEventSchema, "AuditPageSchema")


class ChainCheckSchema(Schema):
    ok = fields.Boolean(required=True)
    events = fields.Integer(required=True, metadata={"description": "Events verified"})
    head = fields.String(metadata={"description": "The newest event's hash (when ok)"})
    reason = fields.String(
        metadata={"enum": ["edited", "deleted", "reordered", "truncated", "emptied"]}
    )
    first_bad_event = fields.Integer(allow_none=True)
    expected = fields.Dict()
