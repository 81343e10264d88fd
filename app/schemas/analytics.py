"""Schemas of the Kinerja SOP analytics: the scope asked for, and the figures answered."""

from marshmallow import Schema, fields, validate

from app.schemas.audit import DateOrDateTime
from app.schemas.common import OfficeDateTime, StrictSchema

MINUTES = {"description": "Working minutes (office calendar)"}


class AnalyticsArgsSchema(StrictSchema):
    """Which measurements: of one SOP, started from `since` up to `until`, of one `period`."""

    sop = fields.String(
        validate=validate.Length(min=1, max=80),
        metadata={"description": "The SOP's code; the office's default SOP when left out"},
    )
    since = DateOrDateTime(
        metadata={
            "type": "string",
            "description": "Measurements started from this date (its midnight) or time.",
            "example": "2026-01-01",
        }
    )
    until = DateOrDateTime(
        metadata={
            "type": "string",
            "description": "Measurements started up to this date (its whole day) or time.",
            "example": "2026-06-30",
        }
    )
    period = fields.String(
        validate=validate.Length(max=20),
        metadata={"description": "Measurements of this period (YYYY or YYYY-Q1..Q4)"},
    )


class CountsSchema(Schema):
    tasks = fields.Integer(required=True, metadata={"description": "Closed tasks"})
    on_time = fields.Integer(required=True, metadata={"description": "Closed by the due time"})
    late = fields.Integer(required=True)
    compliance = fields.Float(
        required=True,
        allow_none=True,
        metadata={"description": "on_time / tasks × 100, one decimal; null when none closed"},
    )
    returns = fields.Integer(
        required=True, metadata={"description": "Drafts returned at this decision step"}
    )


class PercentilesSchema(CountsSchema):
    median_working_minutes = fields.Integer(
        required=True, allow_none=True, metadata={"description": "Nearest-rank median"}
    )
    p90_working_minutes = fields.Integer(
        required=True, allow_none=True, metadata={"description": "Nearest-rank 90th percentile"}
    )


class StepFiguresSchema(PercentilesSchema):
    step_no = fields.Integer(required=True)
    step_name = fields.String(required=True)
    actors = fields.List(fields.String(), required=True)
    standard_minutes = fields.Integer(
        required=True,
        metadata={
            "description": "The mutu baku in working minutes (a day standard: days × the "
            "calendar's full working day)"
        },
    )


class InstanceFiguresSchema(Schema):
    completed = fields.Integer(required=True)
    median_cycle_working_minutes = fields.Integer(required=True, allow_none=True, metadata=MINUTES)
    returns_per_instance = fields.Float(
        required=True, allow_none=True, metadata={"description": "Rounds of correction"}
    )


class RoleFiguresSchema(PercentilesSchema):
    role = fields.String(required=True, metadata={"description": "The lane's actor code"})
    role_name = fields.String(required=True)
    steps = fields.List(fields.Integer(), required=True)


class MeasurementCycleSchema(Schema):
    instance_id = fields.Integer(required=True)
    title = fields.String(required=True)
    period = fields.String(required=True)
    status = fields.String(required=True)
    quarter = fields.String(required=True)
    started_at = OfficeDateTime(required=True)
    completed_at = OfficeDateTime(required=True, allow_none=True)
    cycle_working_minutes = fields.Integer(required=True, allow_none=True, metadata=MINUTES)
    returns = fields.Integer(required=True, metadata={"description": "Rounds of correction"})


class QuarterFiguresSchema(Schema):
    quarter = fields.String(required=True, metadata={"example": "2026-Q1"})
    instances = fields.Nested(InstanceFiguresSchema, required=True)
    totals = fields.Nested(CountsSchema, required=True)
    steps = fields.List(fields.Nested(StepFiguresSchema), required=True)
    roles = fields.List(fields.Nested(RoleFiguresSchema), required=True)


class AnalyticsSchema(Schema):
    sop = fields.String(required=True)
    steps = fields.List(fields.Nested(StepFiguresSchema), required=True)
    instances = fields.Nested(InstanceFiguresSchema, required=True)
    roles = fields.List(
        fields.Nested(RoleFiguresSchema),
        required=True,
        metadata={"description": "Per lane (a step's first actor, as on the board)"},
    )
    trend = fields.List(
        fields.Nested(QuarterFiguresSchema),
        required=True,
        metadata={"description": "Per quarter the measurements started in"},
    )
    measurements = fields.List(fields.Nested(MeasurementCycleSchema), required=True)
