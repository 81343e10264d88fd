"""Users, for the admin: list, create, change (roles, deactivation, a new password)."""

from app.api.blueprint import Blueprint
from app.api.pagination import paginate
from app.auth import api_user
from app.errors import DomainError
from app.http import client_ip
from app.models import ADMIN
from app.schemas.users import (
    UserCreateSchema,
    UserListArgsSchema,
    UserPageSchema,
    UserSchema,
    UserUpdateSchema,
)
from app.services import users

blp = Blueprint("users", __name__, description="Users (admin only)")

USERNAME = "<string(maxlength=64):username>"


def admin_actor() -> users.Actor:
    """Return the signed-in admin as the actor of a change, or raise 403."""
    user = api_user()
    if not user.has_role(ADMIN):
        raise DomainError(403, "forbidden")
    return users.Actor(user, client_ip())


@blp.route("/users")
@blp.arguments(UserListArgsSchema, location="query")
@blp.response(200, UserPageSchema)
@blp.error_responses(e401=None, e403="forbidden: not an admin")
def list_users(args):
    """List every user, by username, with his roles, state and lock."""
    admin_actor()
    items, total = paginate(users.users_query(), args["page"], args["per_page"])
    return {"items": items, "page": args["page"], "per_page": args["per_page"], "total": total}


@blp.route("/users", methods=["POST"])
@blp.arguments(UserCreateSchema)
@blp.response(201, UserSchema)
@blp.error_responses(
    e401=None,
    e403="forbidden: not an admin",
    e409="duplicate_user: the username or NIP is taken",
    e422="weak_password (details.reasons), invalid_nip (18 digits), invalid_email, "
    "unknown_role, unknown_org_unit",
)
def create_user(body):
    """Create a user; he must change the password you give him at his first sign-in."""
    actor = admin_actor()
    password, roles = body.pop("password"), body.pop("roles")
    return users.register_user(actor, password=password, roles=roles, **body)


@blp.route(f"/users/{USERNAME}", methods=["PATCH"])
@blp.arguments(UserUpdateSchema)
@blp.response(200, UserSchema)
@blp.error_responses(
    e401=None,
    e403="forbidden: not an admin",
    e404="unknown_user",
    e409="duplicate_user: the NIP is taken",
    e422="weak_password, invalid_nip, invalid_email, unknown_role, unknown_org_unit, "
    "no_roles, own_account (an admin cannot deactivate himself or drop his admin role)",
)
def update_user(body, username):
    """Change a user; `active: false` and a new `password` end his sessions and tokens, and
    a new password must be changed at his next sign-in."""
    actor = admin_actor()
    return users.update_user(actor, users.get_user(username), body)


@blp.route(f"/users/{USERNAME}/unlock", methods=["POST"])
@blp.response(200, UserSchema)
@blp.error_responses(e401=None, e403="forbidden: not an admin", e404="unknown_user")
def unlock_user(username):
    """Unlock an account locked after failed sign-ins, before its lock runs out."""
    actor = admin_actor()
    user = users.get_user(username)
    users.unlock_user(actor, user)
    return user
