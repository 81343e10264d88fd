"""The browsable API reference: Swagger UI from vendored assets, so it works offline."""

from flask import Blueprint, render_template, url_for

# The release vendored in static/vendor/ (see static/vendor/MANIFEST.md).
SWAGGER_UI = "vendor/swagger-ui-5.35.0"

blp = Blueprint("api_reference", __name__)


@blp.route("/api/docs")
def api_docs():
    """Render the OpenAPI document with Swagger UI; no sign-in needed, no internet used."""
    return render_template(
        "api/docs.html",
        swagger_ui=SWAGGER_UI,
        openapi_url=url_for("api-docs.openapi_json"),
    )
