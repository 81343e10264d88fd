"""The office profile on every page: its name in the header and its logo."""

from flask import make_response, request

from app.errors import not_found
from app.services.office import office_profile
from app.web import bp


@bp.app_context_processor
def _office():
    # One read per page that asks; pages without a header never do.
    return {"office_profile": office_profile}


@bp.route("/office/logo")
def office_logo():
    """Serve the office's logo (public: it is on the sign-in page and every letterhead)."""
    logo = office_profile().logo
    if logo is None:
        raise not_found("Logo")
    response = make_response(logo.content)
    response.headers["Content-Type"] = logo.media_type
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.set_etag(logo.sha256)
    return response.make_conditional(request)
