"""Schemas of instances, tasks and their moves."""

from flask import current_app
from marshmallow import Schema, ValidationError, fields, validate

from app.schemas.common import OfficeDateTime, PageArgsSchema, StandardSchema, StrictSchema, page_of
from app.services.sop_definitions import actor_codes

NOTE = validate.Length(max=4000)
STATUS_ENUM = {"enum": ["active", "completed", "cancelled"]}


def _default_sop() -> str:
    return current_app.config["DEFAULT_SOP"]


def _known_actor(code: str) -> None:
    """Accept only an actor code some loaded SOP names."""
    known = actor_codes()
    if code not in known:
        raise ValidationError(f"Must be one of: {', '.join(sorted(known))}.")


class InstanceCreateSchema(StrictSchema):
    sop = fields.String(
        load_default=_default_sop,
        validate=validate.Length(min=1, max=80),
        metadata={"description": "The SOP's code; by default the office's default SOP."},
    )
    period = fields.String(
        required=True,
        validate=validate.Length(min=4, max=7),
        metadata={"description": "YYYY or YYYY-Q1..Q4", "example": "2026-Q1"},
    )
    title = fields.String(validate=validate.Length(min=1, max=300))
    started_at = fields.AwareDateTime(
        metadata={"description": "When it really started (paper trail); not in the future."}
    )


class InstanceListArgsSchema(PageArgsSchema):
    status = fields.String(validate=validate.OneOf(STATUS_ENUM["enum"]))
    period = fields.String(validate=validate.Length(max=7))
    q = fields.String(
        validate=validate.Length(max=100),
        metadata={"description": "Words the title must all hold (case-insensitive)"},
    )


class InstanceSchema(Schema):
    id = fields.Integer()
    sop = fields.String(attribute="sop_code")
    sop_version = fields.Integer(attribute="sop_version.version")
    period = fields.String()
    title = fields.String()
    status = fields.String(metadata=STATUS_ENUM)
    started_at = OfficeDateTime()
    completed_at = OfficeDateTime(allow_none=True)
    returns = fields.Integer()
    version = fields.Integer()


InstancePageSchema = page_of(InstanceSchema, "InstancePageSchema")


class TaskSchema(Schema):
    """A task, dumped from a `TaskView`."""

    id = fields.Integer(attribute="task.id")
    instance_id = fields.Integer(attribute="task.instance_id")
    step_no = fields.Integer(attribute="task.step_no")
    step_name = fields.String(attribute="step.name")
    kind = fields.String(attribute="step.kind", metadata={"enum": ["task", "decision"]})
    actors = fields.List(fields.String(), attribute="step.actors")
    status = fields.String(attribute="task.status", metadata={"enum": ["open", "done"]})
    outcome = fields.String(
        attribute="task.outcome",
        allow_none=True,
        metadata={"enum": ["completed", "approved", "returned", None]},
    )
    iteration = fields.Integer(attribute="task.iteration")
    opened_at = OfficeDateTime(attribute="task.opened_at")
    closed_at = OfficeDateTime(attribute="task.closed_at", allow_none=True)
    closed_by = fields.String(allow_none=True)
    note = fields.String(attribute="task.note", allow_none=True)
    standard = fields.Nested(StandardSchema, attribute="step.standard")
    due_at = OfficeDateTime(attribute="task.due_at")
    overdue = fields.Boolean()
    late = fields.Boolean(allow_none=True)
    working_minutes = fields.Integer()
    elapsed_minutes = fields.Integer()
    required_outputs = fields.List(fields.String(), attribute="step.required_outputs")
    missing_outputs = fields.List(fields.String())
    backdated = fields.Boolean(attribute="task.backdated")
    version = fields.Integer(attribute="task.version")
    calendar_unknown_years = fields.List(
        fields.Integer(),
        metadata={
            "description": "Years between the opening and the due time that the office has "
            "no holiday list for: the due time counts them as having no days off."
        },
    )
    signed_on_paper = fields.Method(
        "_signed_on_paper",
        metadata={
            "type": "boolean",
            "description": "A signing step whose output is the scan of the report the "
            "Camat signed in ink (the paper trail)",
        },
    )

    def _signed_on_paper(self, view) -> bool:
        if not view.step.signed_outputs:
            return False
        from app.services.paper_signing import paper_scan_of

        return paper_scan_of(view.task) is not None


TaskPageSchema = page_of(TaskSchema, "TaskPageSchema")


class InstanceDetailSchema(InstanceSchema):
    tasks = fields.List(fields.Nested(TaskSchema), metadata={"description": "Oldest first"})
    open_tasks = fields.List(fields.Nested(TaskSchema))


class TaskListArgsSchema(PageArgsSchema):
    status = fields.String(validate=validate.OneOf(["open", "done"]))
    actor = fields.String(
        validate=[validate.Length(max=40), _known_actor],
        metadata={"description": "An actor code of a loaded SOP"},
    )
    instance = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    overdue = fields.Boolean()


class CompleteSchema(StrictSchema):
    note = fields.String(allow_none=True, validate=NOTE)
    occurred_at = fields.AwareDateTime(
        metadata={"description": "When it really happened (paper trail)."}
    )
    version = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))


class DecisionSchema(CompleteSchema):
    decision = fields.String(required=True, validate=validate.OneOf(["approve", "return"]))
    note = fields.String(
        allow_none=True, validate=NOTE, metadata={"description": "Required for a return."}
    )


class MoveResultSchema(Schema):
    task = fields.Nested(TaskSchema)
    next_tasks = fields.List(fields.Nested(TaskSchema))


class TimelineRowSchema(Schema):
    task_id = fields.Integer()
    step_no = fields.Integer()
    step_name = fields.String()
    iteration = fields.Integer()
    outcome = fields.String(allow_none=True)
    standard = fields.Nested(StandardSchema)
    standard_minutes = fields.Integer(
        metadata={"description": "The standard as working minutes from the task's opening"}
    )
    working_minutes = fields.Integer()
    elapsed_minutes = fields.Integer()
    opened_at = OfficeDateTime()
    closed_at = OfficeDateTime(allow_none=True)
    due_at = OfficeDateTime()
    late = fields.Boolean(allow_none=True)
    overdue = fields.Boolean()


class TimelineTotalsSchema(Schema):
    standard_minutes = fields.Integer()
    working_minutes = fields.Integer()
    elapsed_minutes = fields.Integer()
    returns = fields.Integer()
    late_tasks = fields.Integer()


class TimelineSchema(Schema):
    instance_id = fields.Integer()
    rows = fields.List(fields.Nested(TimelineRowSchema))
    totals = fields.Nested(TimelineTotalsSchema)
