"""Schemas of documents."""

from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from app.schemas.common import OfficeDateTime


class DocumentSchema(Schema):
    id = fields.Integer()
    instance_id = fields.Integer()
    task_id = fields.Integer()
    step_no = fields.Integer()
    kind = fields.String()
    filename = fields.String()
    media_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    version = fields.Integer()
    generated = fields.Boolean()
    uploaded_by = fields.String(attribute="uploaded_by.username")
    uploaded_at = OfficeDateTime()


class UploadFormSchema(Schema):
    kind = fields.String(
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "One of the step's outputs"},
    )


class UploadFileSchema(Schema):
    file = Upload(required=True)
