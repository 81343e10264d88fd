"""Signing the report: the password that confirms it, and what the signing answers."""

from marshmallow import Schema, fields, validate

from app.schemas.common import OfficeDateTime, StrictSchema
from app.schemas.instances import MoveResultSchema


class SignSchema(StrictSchema):
    """The signer's password, entered again although signed in."""

    password = fields.String(
        required=True,
        validate=validate.Length(min=1, max=256),
        metadata={"description": "The signer's own password", "format": "password"},
    )
    version = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))


class SignedReportSchema(Schema):
    """A signed report: the hash printed on it, its file's hash, and its verification link."""

    sha256 = fields.String(
        metadata={"description": "Printed on the report: SHA-256 of its content (canonical JSON)"}
    )
    file_sha256 = fields.String(metadata={"description": "SHA-256 of the signed PDF file"})
    verify_url = fields.String(metadata={"description": "The public page that confirms it"})
    document_id = fields.Integer()
    signed_at = OfficeDateTime()
    signed_by = fields.String(metadata={"description": "The signer's username"})
    signed_on_paper = fields.Boolean(
        metadata={"description": "Signed in ink: the document is the recorded scan"}
    )


class SignResultSchema(MoveResultSchema):
    report = fields.Nested(SignedReportSchema)
