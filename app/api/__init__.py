"""The JSON API (v1): its blueprints and the OpenAPI document."""

from flask import Flask

from app.api.errors import ErrorSchema
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
    """Register the v1 blueprints, the OpenAPI document and its browsable rendering at
    /api/docs."""
    from app.api import (
        analytics,
        audit,
        auth,
        calendar,
        docs,
        documents,
        gate,
        health,
        indicators,
        instances,
        notifications,
        office,
        reports,
        sections,
        signing,
        sops,
        tasks,
        users,
    )

    api.ERROR_SCHEMA = ErrorSchema
    api.init_app(app, spec_kwargs=SPEC_KWARGS)
    blueprints = (
        health,
        auth,
        sops,
        instances,
        tasks,
        documents,
        indicators,
        reports,
        signing,
        calendar,
        office,
        sections,
        audit,
        users,
        analytics,
        notifications,
    )
    for module in blueprints:
        # The edge checks CSRF on writes made with a browser session (app.http); bearer
        # tokens need no CSRF token.
        csrf.exempt(module.blp)
        api.register_blueprint(module.blp, url_prefix="/api/v1")
    # Swagger UI from vendored assets; flask-smorest's own UIs (which load theirs from a CDN)
    # stay off, because their OPENAPI_*_PATH settings are left unset.
    app.register_blueprint(docs.blp)
    gate.init_app(app)
