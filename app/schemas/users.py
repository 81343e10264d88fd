"""Schemas of the users resource (the admin's) and of changing one's own password."""

from marshmallow import Schema, fields, validate

from app.schemas.auth import OrgUnitSchema
from app.schemas.common import OfficeDateTime, PageArgsSchema, StrictSchema, page_of
from app.services.lockouts import locked_until
from app.services.office_calendar import office_timezone

USERNAME = validate.Regexp(
    r"^[a-z0-9][a-z0-9._-]{0,63}$",
    error="1-64 lower-case letters, digits, dots, underscores or hyphens, starting with a "
    "letter or digit.",
)


def roles_field(**kwargs) -> fields.List:
    """A list of 1 to 20 role codes."""
    return fields.List(
        fields.String(validate=validate.Length(min=1, max=40)),
        validate=validate.Length(min=1, max=20),
        **kwargs,
    )


PASSWORD = validate.Length(min=1, max=256)


class PasswordChangeSchema(StrictSchema):
    current_password = fields.String(required=True, validate=PASSWORD)
    new_password = fields.String(required=True, validate=PASSWORD)


class UserCreateSchema(StrictSchema):
    username = fields.String(required=True, validate=USERNAME)
    full_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    nip = fields.String(required=True, validate=validate.Length(min=1, max=40))
    email = fields.String(allow_none=True, validate=validate.Length(max=254))
    roles = roles_field(required=True)
    password = fields.String(required=True, validate=PASSWORD)
    org_unit = fields.String(allow_none=True, validate=validate.Length(max=40))


class UserUpdateSchema(StrictSchema):
    full_name = fields.String(validate=validate.Length(min=1, max=200))
    nip = fields.String(allow_none=True, validate=validate.Length(max=40))
    email = fields.String(allow_none=True, validate=validate.Length(max=254))
    roles = roles_field()
    active = fields.Boolean()
    password = fields.String(validate=PASSWORD)
    org_unit = fields.String(allow_none=True, validate=validate.Length(max=40))


class UserSchema(Schema):
    username = fields.String()
    full_name = fields.String()
    nip = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    roles = fields.Method("sorted_roles", metadata={"type": "array", "items": {"type": "string"}})
    org_unit = fields.Nested(OrgUnitSchema, allow_none=True)
    active = fields.Boolean(attribute="is_active_account")
    is_demo = fields.Boolean()
    password_change_required = fields.Boolean()
    locked_until = fields.Method(
        "lock_end",
        metadata={
            "type": "string",
            "format": "date-time",
            "nullable": True,
            "description": "when the lock after failed sign-ins ends; null: not locked",
        },
    )
    created_at = OfficeDateTime()

    def sorted_roles(self, user) -> list[str]:
        return sorted(user.roles)

    def lock_end(self, user) -> str | None:
        until = locked_until(user.username)
        return None if until is None else until.astimezone(office_timezone()).isoformat()


class UserListArgsSchema(PageArgsSchema):
    pass


UserPageSchema = page_of(UserSchema, "UserPage")
