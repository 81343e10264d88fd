"""SOP definitions, as the office runs them."""

from flask import current_app
from flask_smorest import Blueprint

from app.api.errors import ErrorSchema
from app.auth import api_user
from app.schemas.sops import SopDetailSchema, SopSummarySchema
from app.services.sop_definitions import (
    definition_of,
    latest_version,
    list_latest_versions,
    sync_definitions,
)

blp = Blueprint("sops", __name__, description="SOP definitions")


def _synced() -> None:
    """Pick up edited definition files (a no-op when nothing changed)."""
    sync_definitions(current_app.config["SOP_DIR"])


@blp.route("/sops")
@blp.response(200, SopSummarySchema(many=True))
@blp.alt_response(401, schema=ErrorSchema)
def list_sops():
    """List the SOPs this office runs, each at its newest version."""
    api_user()
    _synced()
    return list_latest_versions()


@blp.route("/sops/<string(maxlength=80):code>")
@blp.response(200, SopDetailSchema)
@blp.alt_response(404, schema=ErrorSchema)
def get_sop(code):
    """Show an SOP's newest version: identity, actors and steps."""
    api_user()
    _synced()
    version = latest_version(code)
    definition = definition_of(version)
    return {
        "code": definition.code,
        "title": definition.title,
        "version": version.version,
        "organisation": definition.organisation,
        "identity": definition.identity,
        "actors": definition.actors,
        "steps": definition.steps,
    }
