"""Reports: the measurement's documents as PDF (and the worksheets and recap as XLSX), and
generating them as step outputs."""

import io

from flask import current_app, send_file
from marshmallow import fields, validate

from app.api.blueprint import Blueprint
from app.api.errors import ErrorSchema
from app.auth import api_user
from app.http import client_ip
from app.rendering.xlsx import MEDIA_TYPE
from app.schemas.common import StrictSchema
from app.schemas.documents import DocumentSchema
from app.services import reports, routing, signing, spreadsheets
from app.services.documents import configured_store, open_content, safe_filename

blp = Blueprint("reports", __name__, description="The measurement's documents as PDF")

INSTANCE = "<int(min=1, max=2147483647):instance_id>"
TASK = "<int(min=1, max=2147483647):task_id>"
SECTION = "<string(maxlength=40):section>"
PDF = {"content_type": "application/pdf", "description": "The PDF, shown inline"}
XLSX_TYPE = MEDIA_TYPE
XLSX = {"content_type": XLSX_TYPE, "description": "The workbook, as an attachment"}


class GenerateSchema(StrictSchema):
    """Which output of the task's step to render."""

    kind = fields.String(
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "One of the step's generated outputs"},
    )


def download_response(
    content: bytes, media_type: str, filename: str, *, attachment: bool, fallback: str
):
    """Answer rendered bytes under a safe file name, never cached by a shared cache."""
    response = send_file(
        io.BytesIO(content),
        mimetype=media_type,
        as_attachment=attachment,
        download_name=safe_filename(filename, fallback=fallback),
        etag=False,
        max_age=0,
    )
    response.cache_control.private = True
    response.cache_control.no_store = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def pdf_response(content: bytes, filename: str):
    """A PDF, shown inline."""
    return download_response(
        content, "application/pdf", filename, attachment=False, fallback="laporan"
    )


@blp.route(f"/instances/{INSTANCE}/worksheets/{SECTION}.pdf")
@blp.response(200, **PDF)
@blp.alt_response(404, schema=ErrorSchema, description="Unknown instance or section")
def get_worksheet(instance_id, section):
    """Render the Kertas Kerja Pengukuran Kinerja of one section."""
    api_user()
    instance = routing.get_instance(instance_id)
    pdf = reports.worksheet_pdf(instance, section)
    return pdf_response(pdf, reports.filename_of(reports.WORKSHEET_TITLE, instance, section))


@blp.route(f"/instances/{INSTANCE}/recap.pdf")
@blp.response(200, **PDF)
@blp.alt_response(404, schema=ErrorSchema)
def get_recap(instance_id):
    """Render the Rekapitulasi Hasil Pengukuran Kinerja: each section, the summary, a chart."""
    api_user()
    instance = routing.get_instance(instance_id)
    return pdf_response(
        reports.recap_pdf(instance), reports.filename_of(reports.RECAP_TITLE, instance)
    )


def xlsx_response(content: bytes, filename: str):
    """A workbook, as a download."""
    return download_response(content, XLSX_TYPE, filename, attachment=True, fallback="lembar-kerja")


@blp.route(f"/instances/{INSTANCE}/worksheets/{SECTION}.xlsx")
@blp.response(200, **XLSX)
@blp.alt_response(404, schema=ErrorSchema, description="Unknown instance or section")
def get_worksheet_xlsx(instance_id, section):
    """The Kertas Kerja of one section as a spreadsheet: numbers as numbers, print titles."""
    api_user()
    instance = routing.get_instance(instance_id)
    content = spreadsheets.worksheet_xlsx(instance, section)
    return xlsx_response(
        content, spreadsheets.filename_of(reports.WORKSHEET_TITLE, instance, section)
    )


@blp.route(f"/instances/{INSTANCE}/recap.xlsx")
@blp.response(200, **XLSX)
@blp.alt_response(404, schema=ErrorSchema)
def get_recap_xlsx(instance_id):
    """The Rekapitulasi as a spreadsheet: the summary per section, then every indicator."""
    api_user()
    instance = routing.get_instance(instance_id)
    return xlsx_response(
        spreadsheets.recap_xlsx(instance),
        spreadsheets.filename_of(reports.RECAP_TITLE, instance),
    )


def signed_pdf_response(report):
    """Answer the stored bytes of a signed report, never rendered again: the same on every
    download, tagged with the file's SHA-256 (a matching If-None-Match gets 304)."""
    document = report.document
    response = send_file(
        open_content(document, configured_store()),
        mimetype=document.media_type,  # a report signed on paper may be a scanned picture
        as_attachment=False,
        download_name=safe_filename(document.filename, fallback="laporan"),
        etag=report.file_sha256,
        conditional=True,
        max_age=0,
    )
    response.cache_control.private = True
    response.cache_control.no_cache = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@blp.route(f"/instances/{INSTANCE}/report.pdf")
@blp.response(200, **PDF)
@blp.alt_response(404, schema=ErrorSchema)
def get_report(instance_id):
    """The Laporan Hasil Pengukuran Kinerja: marked KONSEP until it is signed, then the signed
    file exactly as stored (ETag: its SHA-256)."""
    api_user()
    instance = routing.get_instance(instance_id)
    signed = signing.signed_report_of(instance)
    if signed is not None:
        return signed_pdf_response(signed)
    final = reports.report_is_final(instance)
    title = reports.REPORT_TITLE if final else f"Konsep {reports.REPORT_TITLE}"
    name = reports.filename_of(title, instance)
    return pdf_response(reports.report_pdf(instance, final=final), name)


@blp.route(f"/instances/{INSTANCE}/timeline.pdf")
@blp.response(200, **PDF)
@blp.alt_response(404, schema=ErrorSchema)
def get_timeline_pdf(instance_id):
    """Render each task's working time against its mutu baku."""
    api_user()
    instance = routing.get_instance(instance_id)
    return pdf_response(
        reports.timeline_pdf(instance), reports.filename_of(reports.TIMELINE_TITLE, instance)
    )


@blp.route(f"/tasks/{TASK}/documents/generate", methods=["POST"])
@blp.arguments(GenerateSchema)
@blp.response(201, DocumentSchema)
@blp.alt_response(403, schema=ErrorSchema, description="Not an actor of the step")
@blp.alt_response(404, schema=ErrorSchema)
@blp.alt_response(409, schema=ErrorSchema, description="task_not_open, instance_not_active")
@blp.alt_response(
    422,
    schema=ErrorSchema,
    description="unknown_kind, not_generated, no_indicators, signature_required",
)
def generate(body, task_id):
    """Render one of the step's outputs as PDF and attach it as that kind's next version."""
    user = api_user()
    document = reports.generate_document(
        routing.get_task(task_id),
        kind=body["kind"],
        actor=user,
        store=configured_store(),
        limit=current_app.config["MAX_CONTENT_LENGTH"],
        ip=client_ip(),
    )
    return document
