"""Schemas of the authentication resource."""

from marshmallow import Schema, fields, validate

from app.schemas.common import OfficeDateTime, StrictSchema


class TokenRequestSchema(StrictSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256))


class TokenSchema(Schema):
    token = fields.String(required=True)
    token_type = fields.String(required=True, metadata={"example": "Bearer"})
    expires_at = OfficeDateTime(required=True)


class OrgUnitSchema(Schema):
    code = fields.String()
    name = fields.String()


class MeSchema(Schema):
    username = fields.String()
    full_name = fields.String()
    nip = fields.String(allow_none=True)
    roles = fields.Method("sorted_roles", metadata={"type": "array", "items": {"type": "string"}})
    org_unit = fields.Nested(OrgUnitSchema, allow_none=True)
    email = fields.String(allow_none=True)
    is_demo = fields.Boolean(metadata={"description": "a demo account, whose password is public"})
    password_change_required = fields.Boolean(
        metadata={
            "description": "an admin set the password: change it (POST /me/password) before "
            "any other call"
        }
    )

    def sorted_roles(self, user) -> list[str]:
        return sorted(user.roles)
