"""Indicators: the sections' performance indicators, their values, their import, and the
measurement sheet of an instance."""

from flask import request

from app.api.blueprint import Blueprint
from app.api.errors import ErrorSchema
from app.api.pagination import paginate
from app.auth import api_user
from app.http import client_ip, request_language
from app.schemas.indicators import (
    ImportFileSchema,
    ImportJsonSchema,
    ImportResultSchema,
    IndicatorCreateSchema,
    IndicatorListArgsSchema,
    IndicatorPageSchema,
    IndicatorSchema,
    IndicatorUpdateSchema,
    IndicatorValuesSchema,
    MeasurementSchema,
    ScaleInputSchema,
    ScaleSchema,
    ValueResultSchema,
    ValueSetSchema,
)
from app.services import indicators as service
from app.services import routing

blp = Blueprint("indicators", __name__, description="Indicators, their values and measurement")

CODE = "<string(maxlength=40):code>"
PERIOD = "<string(maxlength=20):period>"
WRITERS = "Only an admin or an anggota of the Tim SAKIP"


@blp.route("/indicators")
@blp.arguments(IndicatorListArgsSchema, location="query")
@blp.response(200, IndicatorPageSchema)
def list_indicators(args):
    """List the indicators by code, of one section when `section` is given."""
    api_user()
    items, total = paginate(
        service.list_indicators(args.get("section")), args["page"], args["per_page"]
    )
    return {"items": items, "page": args["page"], "per_page": args["per_page"], "total": total}


@blp.route("/indicators", methods=["POST"])
@blp.arguments(IndicatorCreateSchema)
@blp.response(201, IndicatorSchema)
@blp.alt_response(403, schema=ErrorSchema, description=WRITERS)
@blp.alt_response(409, schema=ErrorSchema, description="duplicate_indicator")
@blp.alt_response(422, schema=ErrorSchema, description="unknown_section")
def create_indicator(body):
    """Add an indicator to a section."""
    user = api_user()
    indicator = service.create_indicator(**body, actor=user, ip=client_ip())
    return indicator


@blp.route(f"/indicators/{CODE}", methods=["PATCH"])
@blp.arguments(IndicatorUpdateSchema)
@blp.response(200, IndicatorSchema)
@blp.error_responses(
    e403="Only an admin", e404=None, e409="conflict", e422="unknown_section, validation_error"
)
def update_indicator(body, code):
    """Change an indicator (admin only; audited with old and new values); `active: false`
    retires it: its values stay, and new periods' sheets leave it out."""
    user = api_user()
    indicator = service.get_indicator(code)
    return service.update_indicator(indicator, body, actor=user, ip=client_ip())


@blp.route(f"/indicators/{CODE}")
@blp.response(200, IndicatorSchema)
@blp.error_responses(e404=None)
def get_indicator(code):
    """Show an indicator."""
    api_user()
    return service.get_indicator(code)


def _value_result(code: str, figures: service.Figures) -> dict:
    return {"indicator": code, **vars(figures)}


@blp.route(f"/indicators/{CODE}/values/{PERIOD}", methods=["PUT"])
@blp.arguments(ValueSetSchema)
@blp.response(200, ValueResultSchema)
@blp.alt_response(403, schema=ErrorSchema, description=WRITERS)
@blp.alt_response(404, schema=ErrorSchema)
@blp.alt_response(409, schema=ErrorSchema, description="conflict")
@blp.alt_response(
    422,
    schema=ErrorSchema,
    description="invalid_period, negative_value, value_not_finite, value_too_large, "
    "value_too_precise, realization_on_zero_target, nothing_to_set, validation_error "
    "(not a number)",
)
def set_value(body, code, period):
    """Set an indicator's target and/or realisation for a period (YYYY or YYYY-Q1..Q4); a
    field left out stays, null clears it. Answers the period's figures (a year's missing
    fields are made of its quarters)."""
    user = api_user()
    indicator = service.get_indicator(code)
    figures = service.set_value(indicator, period, actor=user, ip=client_ip(), **body)
    return _value_result(indicator.code, figures)


@blp.route(f"/indicators/{CODE}/values")
@blp.response(200, IndicatorValuesSchema)
@blp.alt_response(404, schema=ErrorSchema)
def get_values(code):
    """Show every period's values of an indicator, and each year's aggregate."""
    api_user()
    return service.values_of(service.get_indicator(code))


@blp.route("/indicators/import", methods=["POST"])
@blp.doc(
    requestBody={
        "required": True,
        "content": {
            "application/json": {"schema": ImportJsonSchema},
            "multipart/form-data": {"schema": ImportFileSchema},
        },
    }
)
@blp.response(200, ImportResultSchema)
@blp.alt_response(403, schema=ErrorSchema, description=WRITERS)
@blp.alt_response(409, schema=ErrorSchema, description="conflict")
@blp.alt_response(413, schema=ErrorSchema, description="payload_too_large")
@blp.alt_response(
    422,
    schema=ErrorSchema,
    description="import_invalid (details.errors lists every bad row: row, line in a CSV "
    "file or row of an XLSX sheet, field, code, message), import_unreadable",
)
def import_values():
    """Import targets and realisations (e-Kinerja's export), all or nothing: a JSON body
    `{"rows": [...]}`, or a CSV, XLSX or JSON file as multipart `file`."""
    user = api_user()
    parser = blp.ARGUMENTS_PARSER
    if request.mimetype == "multipart/form-data":
        upload = parser.parse(ImportFileSchema(), request, location="multipart")["file"]
        rows, source = service.rows_from_file(upload.filename, upload.stream.read())
    else:
        body = parser.parse(ImportJsonSchema(), request, location="json")
        rows, source = service.rows_from_json(body["rows"]), "json"
    try:
        result = service.import_values(rows, actor=user, source=source, ip=client_ip())
    except service.ImportRejected as rejected:
        raise rejected.in_language(request_language()) from None
    return result


@blp.route("/instances/<int(min=1, max=2147483647):instance_id>/measurement")
@blp.response(200, MeasurementSchema)
@blp.alt_response(404, schema=ErrorSchema)
def get_measurement(instance_id):
    """Show the instance period's worksheet rows per section, each section's summary and
    the overall one."""
    api_user()
    instance = routing.get_instance(instance_id)
    sheet = service.measurement_sheet(instance.period)
    return {"instance_id": instance.id, **vars(sheet)}


@blp.route("/category-scale")
@blp.response(200, ScaleSchema)
def get_category_scale():
    """Show the office's category scale (predikat), highest band first."""
    api_user()
    return {"bands": service.current_bands()}


@blp.route("/category-scale", methods=["PUT"])
@blp.arguments(ScaleInputSchema)
@blp.response(200, ScaleSchema)
@blp.alt_response(403, schema=ErrorSchema, description="Only an admin")
@blp.alt_response(422, schema=ErrorSchema, description="invalid_scale")
def replace_category_scale(body):
    """Replace the category scale; every achievement is categorised by it from now on."""
    user = api_user()
    bands = service.replace_category_scale(body["bands"], actor=user, ip=client_ip())
    return {"bands": bands}
