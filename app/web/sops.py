"""The SOP itself, as a reader of the paper SOP expects it."""

from flask import abort, render_template
from flask_login import login_required

from app.errors import DomainError
from app.rendering.svg.flowchart import flowchart_svg
from app.services.sop_definitions import definition_of, latest_version
from app.web import bp


@bp.route("/sops/<string(maxlength=80):code>")
@login_required
def sop_page(code: str):
    """Show an SOP's identity block and its table of activities with their mutu baku."""
    try:
        version = latest_version(code)
    except DomainError:
        abort(404)
    definition = definition_of(version)
    return render_template(
        "sops/show.html",
        version=version,
        definition=definition,
        flowchart=flowchart_svg(definition),
    )
