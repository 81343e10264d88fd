"""The office's sections (seksi), which own the indicators."""

from app.api.blueprint import Blueprint
from app.api.pagination import paginate
from app.auth import api_user
from app.http import client_ip
from app.schemas.sections import (
    SectionCreateSchema,
    SectionListArgsSchema,
    SectionPageSchema,
    SectionSchema,
    SectionUpdateSchema,
)
from app.services import sections as service

blp = Blueprint("sections", __name__, description="The office's sections (seksi)")

CODE = "<string(maxlength=40):code>"


@blp.route("/sections")
@blp.arguments(SectionListArgsSchema, location="query")
@blp.response(200, SectionPageSchema)
def list_sections(args):
    """List the office's sections in the office's order (any signed-in user: indicators
    name their section by its code)."""
    api_user()
    items, total = paginate(service.list_sections(), args["page"], args["per_page"])
    return {"items": items, "page": args["page"], "per_page": args["per_page"], "total": total}


@blp.route("/sections", methods=["POST"])
@blp.arguments(SectionCreateSchema)
@blp.response(201, SectionSchema)
@blp.error_responses(
    e403="Only an admin",
    e409="duplicate_section",
    e422="invalid_section_code, section_name_required, unknown_user (head)",
)
def create_section(body):
    """Add a section, optionally with its head (a username); audited."""
    user = api_user()
    return service.create_section(**body, actor=user, ip=client_ip())


@blp.route(f"/sections/{CODE}")
@blp.response(200, SectionSchema)
@blp.error_responses(e404=None)
def get_section(code):
    """Show a section."""
    api_user()
    return service.get_section(code)


@blp.route(f"/sections/{CODE}", methods=["PATCH"])
@blp.arguments(SectionUpdateSchema)
@blp.response(200, SectionSchema)
@blp.error_responses(
    e403="Only an admin", e404=None, e422="section_name_required, unknown_user (head)"
)
def update_section(body, code):
    """Rename a section and/or set its head (null: no head); audited with old and new."""
    user = api_user()
    section = service.get_section(code)
    return service.update_section(section, body, actor=user, ip=client_ip())
