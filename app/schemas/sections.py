"""Schemas of the office's sections (seksi)."""

from marshmallow import Schema, fields, validate

from app.schemas.common import PageArgsSchema, StrictSchema, page_of
from app.services.sections import SECTION_CODE

CODE = validate.Regexp(
    SECTION_CODE, error="1-40 lower-case letters, digits, dots, underscores or hyphens."
)
USERNAME = validate.Length(min=1, max=64)


class SectionSchema(Schema):
    code = fields.String(metadata={"example": "pemerintahan"})
    name = fields.String(metadata={"example": "Seksi Pemerintahan"})
    head = fields.Function(
        lambda section: section.head.username if section.head else None,
        allow_none=True,
        metadata={"type": "string", "description": "The head's username (Kepala Seksi), or null"},
    )
    head_name = fields.Function(
        lambda section: section.head.full_name if section.head else None,
        allow_none=True,
        metadata={"type": "string"},
    )


SectionPageSchema = page_of(SectionSchema, "SectionPageSchema")


class SectionListArgsSchema(PageArgsSchema):
    pass


class SectionCreateSchema(StrictSchema):
    code = fields.String(required=True, validate=CODE)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    head = fields.String(
        allow_none=True, validate=USERNAME, metadata={"description": "A username, or null"}
    )


class SectionUpdateSchema(StrictSchema):
    name = fields.String(validate=validate.Length(min=1, max=200))
    head = fields.String(
        allow_none=True, validate=USERNAME, metadata={"description": "A username; null: none"}
    )
