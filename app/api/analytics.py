"""Kinerja SOP: how well the office keeps its SOP, per step, lane, measurement and quarter."""

from flask import Response, current_app

from app.api.blueprint import Blueprint
from app.auth import api_user
from app.schemas.analytics import AnalyticsArgsSchema, AnalyticsSchema
from app.services.analytics import Scope, step_analytics
from app.services.analytics.files import CSV_TYPE, XLSX_TYPE, steps_csv, steps_xlsx

blp = Blueprint("analytics", __name__, description="Kinerja SOP: how well the SOP is kept")

READERS = (
    "Readable by the actors of the SOP's decision steps (the Sekcam and the Camat), admins "
    "and viewers; anyone else gets 403."
)
ERRORS = {
    "e401": None,
    "e403": "forbidden: not a reviewer of the SOP, an admin or a viewer",
    "e404": "unknown_sop",
    "e422": "validation_error, invalid_period or analytics_range_reversed",
}


def scope_of(args: dict) -> Scope:
    """The scope of a request's (already validated) arguments; the default SOP when none."""
    return Scope(
        sop=args.get("sop") or current_app.config["DEFAULT_SOP"],
        since=args.get("since"),
        until=args.get("until"),
        period=args.get("period"),
    )


def file_response(body: bytes, media_type: str, filename: str) -> Response:
    """Send a table as a download."""
    response = Response(body, content_type=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response


@blp.route("/analytics/steps")
@blp.arguments(AnalyticsArgsSchema, location="query")
@blp.response(200, AnalyticsSchema)
@blp.doc(description=READERS)
@blp.error_responses(**ERRORS)
def get_steps(args):
    """Count the closed tasks per step against the mutu baku, with the measurements' cycle
    times, the lanes and the trend per quarter."""
    return step_analytics(scope_of(args), api_user())


def _file_doc(media_type: str) -> dict:
    return {
        "description": READERS,
        "responses": {
            "200": {
                "description": "The step table as a file",
                "content": {media_type: {"schema": {"type": "string", "format": "binary"}}},
            }
        },
    }


@blp.route("/analytics/steps.csv")
@blp.arguments(AnalyticsArgsSchema, location="query")
@blp.doc(**_file_doc("text/csv"))
@blp.error_responses(**ERRORS)
def get_steps_csv(args):
    """The step table as CSV, its header the field names of `GET /analytics/steps`."""
    scope = scope_of(args)
    body = steps_csv(step_analytics(scope, api_user()))
    return file_response(body, CSV_TYPE, scope.filename("csv"))


@blp.route("/analytics/steps.xlsx")
@blp.arguments(AnalyticsArgsSchema, location="query")
@blp.doc(**_file_doc(XLSX_TYPE))
@blp.error_responses(**ERRORS)
def get_steps_xlsx(args):
    """The step table as an .xlsx workbook (with the quarters and the lanes on their sheets)."""
    scope = scope_of(args)
    body = steps_xlsx(step_analytics(scope, api_user()))
    return file_response(body, XLSX_TYPE, scope.filename("xlsx"))
