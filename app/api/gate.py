"""What an API request must be before its body is read: authenticated, unless its endpoint
is public.

flask-smorest validates a body before the view runs, so a view that authenticates first
thing would still answer an anonymous malformed body with 422 and tell a stranger about
the schema; this check runs before any of that and answers 401. Public endpoints are the
ones whose OpenAPI entry needs no security (`@blp.doc(security=[])`: health, getting a
token), and the OpenAPI document itself.
"""

from flask import Flask, current_app, request

from app.auth import api_user

# Endpoints outside the resource blueprints that anyone may read.
PUBLIC_ENDPOINTS = frozenset({"api-docs.openapi_json"})


def is_public(endpoint: str) -> bool:
    """Does `endpoint` need no authentication (its OpenAPI entry has `security: []`)?"""
    if endpoint in PUBLIC_ENDPOINTS:
        return True
    view = current_app.view_functions.get(endpoint)
    manual = (getattr(view, "_apidoc", None) or {}).get("manual_doc") or {}
    return manual.get("security") == []


def authenticate_api_request() -> None:
    """Raise 401 for an API request that is not authenticated and not for a public endpoint
    (a request that matched no endpoint goes on to its 404 or 405)."""
    if not request.path.startswith("/api/v1/") or request.endpoint is None:
        return
    if request.method == "OPTIONS" or is_public(request.endpoint):
        return
    api_user()


def init_app(app: Flask) -> None:
    """Authenticate API requests before anything reads their body."""
    app.before_request(authenticate_api_request)
