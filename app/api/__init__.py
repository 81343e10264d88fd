"""The JSON API (v1): blueprints, the OpenAPI document, errors and request helpers."""

from flask import Flask, request
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from app.api.errors import (
    ErrorSchema,
    handle_domain_error,
    handle_http_exception,
    handle_unexpected,
)
from app.auth import bearer_token
from app.database import SAFE_METHODS
from app.errors import DomainError
from app.extensions import api, csrf

SPEC_KWARGS = {
    "info": {
        "description": (
            "JSON API of the SOP Mekanisme Pengukuran Kinerja Kecamatan Purbalingga. "
            "Authenticate with `POST /api/v1/auth/token`, then send "
            "`Authorization: Bearer <token>`. Every error has the shape "
            '`{"error": {"status", "code", "message", "details"}}`.'
        )
    },
    "components": {
        "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
    },
    "security": [{"bearerAuth": []}],
}


def init_api(app: Flask) -> None:
    """Register the v1 blueprints, the OpenAPI document, its browsable rendering at
    /api/docs, and the error handlers."""
    from app.api import (
        auth,
        docs,
        documents,
        health,
        indicators,
        instances,
        reports,
        signing,
        sops,
        tasks,
    )

    api.ERROR_SCHEMA = ErrorSchema
    api.init_app(app, spec_kwargs=SPEC_KWARGS)
    for module in (health, auth, sops, instances, tasks, documents, indicators, reports, signing):
        # Browser sessions are checked for CSRF below; bearer tokens need no CSRF token.
        csrf.exempt(module.blp)
        api.register_blueprint(module.blp, url_prefix="/api/v1")
    # Swagger UI from vendored assets; flask-smorest's own UIs (which load theirs from a CDN)
    # stay off, because their OPENAPI_*_PATH settings are left unset.
    app.register_blueprint(docs.blp)
    app.before_request(_csrf_for_session_writes)

    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)


def _csrf_for_session_writes() -> None:
    if not request.path.startswith("/api/"):
        return
    if request.method in SAFE_METHODS or bearer_token() is not None:
        return
    if current_user.is_authenticated:
        csrf.protect()


def client_ip() -> str | None:
    """Return the caller's address for the audit trail."""
    return request.remote_addr
