"""Documents: upload to a task, list, and download."""

from flask import current_app, send_file

from app.api.blueprint import Blueprint
from app.api.errors import ErrorSchema
from app.auth import api_user
from app.http import client_ip
from app.schemas.documents import DocumentSchema, UploadSchema
from app.services import routing
from app.services.documents import configured_store, get_document, open_content, upload_document

blp = Blueprint("documents", __name__, description="Documents of the steps")

MAX_ID = "min=1, max=2147483647"


@blp.route(f"/tasks/<int({MAX_ID}):task_id>/documents", methods=["POST"])
@blp.arguments(UploadSchema, location="multipart")
@blp.response(201, DocumentSchema)
@blp.alt_response(403, schema=ErrorSchema, description="Not an actor of the step")
@blp.alt_response(409, schema=ErrorSchema, description="task_not_open")
@blp.alt_response(413, schema=ErrorSchema, description="payload_too_large")
@blp.alt_response(415, schema=ErrorSchema, description="unsupported_media_type, paper_scan_type")
@blp.alt_response(
    422,
    schema=ErrorSchema,
    description="unknown_kind, empty_file, signature_required, not_a_signed_kind, "
    "invalid_signed_at, signed_at_without_paper",
)
def upload(body, task_id):
    """Attach a file to a task as the next version of one of its step's outputs; on the
    signing step, the scan of the report signed in ink (`signed_on_paper=true`, with
    `signed_at` when known), which `complete` then records as the signed report."""
    user = api_user()
    upload_file = body["file"]
    document = upload_document(
        routing.get_task(task_id),
        kind=body["kind"],
        filename=upload_file.filename,
        stream=upload_file.stream,
        actor=user,
        store=configured_store(),
        limit=current_app.config["MAX_CONTENT_LENGTH"],
        signed_on_paper=body["signed_on_paper"],
        signed_at=body.get("signed_at"),
        ip=client_ip(),
    )
    return document


@blp.route(f"/documents/<int({MAX_ID}):document_id>")
@blp.response(200, DocumentSchema)
@blp.alt_response(404, schema=ErrorSchema)
def get_metadata(document_id):
    """Show a document's metadata."""
    api_user()
    return get_document(document_id)


@blp.route(f"/documents/<int({MAX_ID}):document_id>/content")
@blp.response(200, description="The document's bytes", content_type="application/octet-stream")
@blp.alt_response(404, schema=ErrorSchema)
def get_content(document_id):
    """Download a document's bytes with its media type and a safe file name."""
    api_user()
    document = get_document(document_id)
    response = send_file(
        open_content(document, configured_store()),
        mimetype=document.media_type,
        as_attachment=True,
        download_name=document.filename,
        etag=document.sha256,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox"
    return response
