"""The office profile: the name, address, contacts and logo of every letterhead."""

from flask import make_response

from app.api.blueprint import Blueprint
from app.auth import api_user
from app.errors import not_found
from app.http import client_ip
from app.schemas.office import OfficeInputSchema, OfficeSchema
from app.services import office as service

blp = Blueprint("office", __name__, description="The office profile (kop surat)")

LOGO_PATH = "/api/v1/office/logo"


def _served(profile: service.Profile) -> dict:
    served = {name: getattr(profile, name) for name in service.TEXT_FIELDS}
    served["updated_at"] = profile.updated_at
    logo = profile.logo
    served["logo"] = logo and {
        "media_type": logo.media_type,
        "size": logo.size,
        "sha256": logo.sha256,
        "url": LOGO_PATH,
    }
    return served


@blp.route("/office")
@blp.response(200, OfficeSchema)
def get_office():
    """Show the office profile printed on every page header, letterhead and signed report."""
    api_user()
    return _served(service.office_profile())


@blp.route("/office", methods=["PUT"])
@blp.arguments(OfficeInputSchema)
@blp.response(200, OfficeSchema)
@blp.error_responses(
    e403="Only an admin",
    e409="conflict",
    e413="logo_too_large",
    e415="logo_not_an_image",
    e422="office_field_required, invalid_email, invalid_phone, invalid_url, "
    "invalid_logo_encoding, logo_too_big_picture",
)
def replace_office(body):
    """Replace the office profile (admin only; audited with the old and the new values).
    `logo` left out keeps the logo; null removes it."""
    user = api_user()
    logo = body.pop("logo", service.UNSET)
    profile = service.update_office_profile(body, actor=user, logo=logo, ip=client_ip())
    return _served(profile)


@blp.route("/office/logo")
@blp.response(200, description="The logo image (PNG or JPEG)")
@blp.error_responses(e404="The office has no logo")
def get_office_logo():
    """Fetch the office's logo image."""
    api_user()
    return logo_response(service.office_profile().logo)


def logo_response(logo: service.Logo | None):
    """Answer the logo's bytes with its media type and a validator, or 404."""
    if logo is None:
        raise not_found("Logo")
    response = make_response(logo.content)
    response.headers["Content-Type"] = logo.media_type
    response.headers["Cache-Control"] = "private, max-age=300"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.set_etag(logo.sha256)
    return response
