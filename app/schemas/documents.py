"""Schemas of documents."""

from flask_smorest.fields import Upload
from marshmallow import Schema, ValidationError, fields, validate
from werkzeug.datastructures import FileStorage

from app.schemas.common import OfficeDateTime, StrictSchema


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
    signed_on_paper = fields.Boolean(
        metadata={"description": "The scan of a report the Camat signed in ink"}
    )
    signed_at = OfficeDateTime(
        allow_none=True,
        metadata={"description": "When a report scanned from paper was signed"},
    )
    uploaded_by = fields.String(attribute="uploaded_by.username")
    uploaded_at = OfficeDateTime()


class FilePart(Upload):
    """A multipart file part; a plain text field of the same name is not a file."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, FileStorage):
            raise ValidationError("Not a file.")
        return value


class UploadSchema(StrictSchema):
    """The multipart upload: one text field and one file part, documented as one body."""

    kind = fields.String(
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "One of the step's outputs"},
    )
    file = FilePart(required=True)
    signed_on_paper = fields.Boolean(
        load_default=False,
        metadata={
            "description": "The file is the scan of the report signed in ink (the signing "
            "step's output, recorded as signed on paper)"
        },
    )
    signed_at = fields.AwareDateTime(
        metadata={
            "description": "When the report was signed on paper: not in the future, not "
            "before the task opened; by default the time of the move that finishes the step"
        }
    )
