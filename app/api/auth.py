"""Tokens and the signed-in user."""

from flask import current_app

from app.api.blueprint import Blueprint
from app.api.errors import ErrorSchema
from app.auth import api_user, bearer_token
from app.extensions import limiter
from app.http import client_ip
from app.schemas.auth import MeSchema, TokenRequestSchema, TokenSchema
from app.services import accounts

blp = Blueprint("auth", __name__, description="Authentication")


def _failure_limit() -> str:
    return current_app.config["LOGIN_FAILURE_LIMIT"]


@blp.route("/auth/token", methods=["POST"])
@blp.arguments(TokenRequestSchema)
@blp.response(201, TokenSchema)
@blp.alt_response(401, schema=ErrorSchema, description="invalid_credentials")
@blp.alt_response(429, schema=ErrorSchema, description="rate_limited")
@blp.doc(security=[])
@limiter.limit(_failure_limit, deduct_when=lambda response: response.status_code == 401)
def create_token(body):
    """Exchange a username and password for a bearer token."""
    user = accounts.authenticate(body["username"], body["password"], ip=client_ip())
    token, row = accounts.issue_token(user, ip=client_ip())
    return {"token": token, "token_type": "Bearer", "expires_at": row.expires_at}


@blp.route("/auth/token", methods=["DELETE"])
@blp.response(204)
@blp.alt_response(401, schema=ErrorSchema)
def revoke_token():
    """Revoke the token this request presents."""
    user = api_user()
    token = bearer_token()
    if token:
        accounts.revoke_token(token, actor=user, ip=client_ip())


@blp.route("/me")
@blp.response(200, MeSchema)
@blp.alt_response(401, schema=ErrorSchema)
def me():
    """Show who the credentials belong to."""
    return api_user()
