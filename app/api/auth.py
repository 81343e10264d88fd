"""Tokens, the signed-in user and his password."""

from app.api.blueprint import Blueprint
from app.auth import api_user, bearer_token, current_session_key
from app.http import client_ip
from app.schemas.auth import MeSchema, TokenRequestSchema, TokenSchema
from app.schemas.users import PasswordChangeSchema
from app.services import accounts

blp = Blueprint("auth", __name__, description="Authentication")


@blp.route("/auth/token", methods=["POST"])
@blp.arguments(TokenRequestSchema)
@blp.response(201, TokenSchema)
@blp.error_responses(
    e401="invalid_credentials (the same for an unknown user and a wrong password)",
    e423="account_locked: too many failed sign-ins of this account (details.locked_until); "
    "an admin can unlock it sooner",
    e429="rate_limited: too many failed sign-ins from this address",
)
@blp.doc(security=[])
def create_token(body):
    """Exchange a username and password for a bearer token."""
    user = accounts.authenticate(body["username"], body["password"], ip=client_ip())
    token, row = accounts.issue_token(user, ip=client_ip())
    return {"token": token, "token_type": "Bearer", "expires_at": row.expires_at}


@blp.route("/auth/token", methods=["DELETE"])
@blp.response(204)
@blp.error_responses(e401=None)
def revoke_token():
    """Revoke the token this request presents."""
    user = api_user()
    token = bearer_token()
    if token:
        accounts.revoke_token(token, actor=user, ip=client_ip())


@blp.route("/me")
@blp.response(200, MeSchema)
@blp.error_responses(e401=None)
def me():
    """Show who the credentials belong to."""
    return api_user()


@blp.route("/me/password", methods=["POST"])
@blp.arguments(PasswordChangeSchema)
@blp.response(204)
@blp.error_responses(
    e401=None,
    e422="invalid_password (the current password is wrong; counted with failed sign-ins), "
    "weak_password (details.reasons), password_unchanged",
    e423="account_locked",
)
def change_password(body):
    """Change your password; your other sessions and tokens end, this one stays."""
    user = api_user()
    token = bearer_token()
    accounts.change_own_password(
        user,
        current_password=body["current_password"],
        new_password=body["new_password"],
        keep_token=token,
        keep_session=None if token else current_session_key(),
        ip=client_ip(),
    )
