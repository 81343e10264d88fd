"""The audit trail for auditors: list or export its events, and verify the chain."""

from flask import Response, stream_with_context

from app.api.blueprint import Blueprint
from app.auth import api_user
from app.http import client_ip
from app.schemas.audit import AuditFilterSchema, AuditPageSchema, ChainCheckSchema
from app.services import audit
from app.services.audit.export import Export, export_events
from app.services.audit.query import AuditFilters, ensure_auditor, event_page

blp = Blueprint("audit", __name__, description="The audit trail, its exports and its check")

FILTERS = ("since", "until", "actor", "action", "object_type", "object_id")
FILES = ("text/csv", "application/x-ndjson", "application/pdf", "application/xml")
BINARY = {"schema": {"type": "string", "format": "binary"}}


def filters_of(args: dict) -> AuditFilters:
    """The filters of a request's (already validated) arguments."""
    return AuditFilters(**{name: args[name] for name in FILTERS if name in args})


def file_response(export: Export) -> Response:
    """Send an export as a download; a streamed one is read from the database as it is sent
    (after the request's transaction, which holds its audit event, has been committed)."""
    body = export.body
    response = Response(
        body if isinstance(body, bytes) else stream_with_context(body),
        mimetype=export.media_type.split(";")[0],
        content_type=export.media_type,
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response.headers["X-Audit-Events"] = str(export.count)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response


@blp.route("/audit")
@blp.arguments(AuditFilterSchema, location="query")
@blp.response(200, AuditPageSchema)
@blp.doc(
    responses={
        "200": {
            "description": "`json`: a page of events, oldest first; the other formats: the file",
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/AuditPage"}},
                **{media: BINARY for media in FILES},
            },
        }
    }
)
@blp.error_responses(e401=None, e403="forbidden: admins only", e422="too_many_events (pdf)")
def list_events(args):
    """List the audit events (oldest first), or export them as CSV, JSON Lines, PDF or XES;
    an export is itself audited."""
    user = api_user()
    ensure_auditor(user)
    filters = filters_of(args)
    if args["format"] == "json":
        items, total = event_page(filters, args["page"], args["per_page"])
        return {"items": items, "page": args["page"], "per_page": args["per_page"], "total": total}
    return file_response(
        export_events(args["format"], filters, actor=user, ip=client_ip(), binary=True)
    )


@blp.route("/audit/verify")
@blp.response(200, ChainCheckSchema)
@blp.error_responses(e401=None, e403="forbidden: admins only")
def verify(args=None):
    """Verify the chain under the office's key, its head and its checkpoint journal."""
    ensure_auditor(api_user())
    return audit.verify_chain().as_dict()
