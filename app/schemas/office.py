"""Schemas of the office profile."""

from marshmallow import Schema, fields, validate

from app.schemas.common import OfficeDateTime, StrictSchema

URL = validate.URL(schemes={"http", "https"}, require_tld=False, error="Not a valid URL.")


class LogoSchema(Schema):
    media_type = fields.String(metadata={"enum": ["image/png", "image/jpeg"]})
    size = fields.Integer(metadata={"description": "Bytes"})
    sha256 = fields.String()
    url = fields.String(metadata={"description": "Where to fetch the image"})


class OfficeSchema(Schema):
    name = fields.String(metadata={"example": "Kecamatan Purbalingga"})
    government = fields.String(metadata={"example": "Pemerintah Kabupaten Purbalingga"})
    address = fields.String(metadata={"example": "Jl. Jenderal Sudirman No. 1, Purbalingga"})
    phone = fields.String(metadata={"example": "(0281) 891234"})
    email = fields.String(metadata={"example": "kecamatan@purbalinggakab.go.id"})
    website = fields.String(metadata={"example": "https://kecamatan.purbalinggakab.go.id"})
    city = fields.String(metadata={"example": "Purbalingga"})
    base_url = fields.String(
        metadata={"description": "The public address printed in every verification link"}
    )
    logo = fields.Nested(LogoSchema, allow_none=True)
    updated_at = OfficeDateTime(allow_none=True)


class OfficeInputSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    government = fields.String(required=True, validate=validate.Length(min=1, max=200))
    address = fields.String(required=True, validate=validate.Length(min=1, max=300))
    phone = fields.String(load_default="", allow_none=True, validate=validate.Length(max=60))
    email = fields.String(
        load_default="",
        allow_none=True,
        validate=validate.Length(max=254),
        metadata={"description": "An e-mail address, or empty"},
    )
    website = fields.String(
        load_default="",
        allow_none=True,
        validate=validate.Length(max=300),
        metadata={"description": "http(s) address, or empty"},
    )
    city = fields.String(required=True, validate=validate.Length(min=1, max=100))
    base_url = fields.String(
        required=True,
        validate=[validate.Length(max=300), URL],
        metadata={"description": "http(s) address where the office serves this app"},
    )
    logo = fields.String(
        allow_none=True,
        validate=validate.Length(max=1_400_000),
        metadata={
            "description": "A PNG or JPEG image (at most 512 KB) as base64 or a "
            "`data:image/png;base64,…` URI; null removes the logo; left out, it stays"
        },
    )
