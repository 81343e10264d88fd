"""Fields and schemas every resource shares: office-time datetimes, pages, versions."""

import re
from datetime import datetime

import marshmallow as ma
from marshmallow import fields, validate

from app.services.office_calendar import office_timezone

MAX_PER_PAGE = 200

# Text no database keeps, which JSON's \u escapes can smuggle in: NUL characters (PostgreSQL
# refuses them) and unpaired surrogates (they have no UTF-8 encoding).
UNSTORABLE_TEXT = re.compile("[\x00\ud800-\udfff]")


class OfficeDateTime(fields.AwareDateTime):
    """An ISO 8601 time with offset: read in any zone, written in the office's zone."""

    def _serialize(self, value: datetime | None, attr, obj, **kwargs):
        if value is None:
            return None
        return value.astimezone(office_timezone()).isoformat()


class StrictSchema(ma.Schema):
    """A load schema that refuses fields it does not know, and text no database can store."""

    class Meta:
        unknown = ma.RAISE

    @ma.validates_schema
    def refuse_unstorable_text(self, data, **kwargs):
        """Refuse NUL characters and unpaired surrogates in any text field."""
        errors = {
            name: ["Must not contain NUL characters or unpaired surrogates."]
            for name, value in data.items()
            if isinstance(value, str) and UNSTORABLE_TEXT.search(value)
        }
        if errors:
            raise ma.ValidationError(errors)


class PageArgsSchema(StrictSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PER_PAGE))


class PageSchema(ma.Schema):
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)


def page_of(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """Make the page schema `{"items": [...], "page", "per_page", "total"}` of an item schema."""
    return type(
        name, (PageSchema,), {"items": fields.List(fields.Nested(item_schema), required=True)}
    )


class StandardSchema(ma.Schema):
    value = fields.Integer(required=True)
    unit = fields.String(required=True, metadata={"enum": ["minute", "day"]})


class IfMatchSchema(ma.Schema):
    """The optional If-Match header, carrying a version number."""

    class Meta:
        unknown = ma.EXCLUDE

    if_match = fields.String(
        data_key="If-Match",
        validate=validate.Regexp(r'^\s*(W/)?"?\d{1,9}"?\s*$'),
        metadata={"description": "The version you last saw, as an alternative to `version`."},
    )


def version_from(body_version: int | None, headers: dict) -> int | None:
    """Take the expected version from the body, or else from If-Match."""
    if body_version is not None:
        return body_version
    raw = headers.get("if_match")
    if not raw:
        return None
    return int(raw.strip().removeprefix("W/").strip('"'))
