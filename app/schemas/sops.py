"""Schemas of SOP definitions."""

from marshmallow import Schema, fields, post_dump

from app.schemas.common import StandardSchema


class SopSummarySchema(Schema):
    code = fields.String()
    title = fields.String()
    version = fields.Integer()


class ActorSchema(Schema):
    code = fields.String(metadata={"description": "The role its users hold"})
    name = fields.String()
    escalates_to = fields.String(
        allow_none=True,
        metadata={"description": "The actor a late task of this actor is escalated to"},
    )


class StepSchema(Schema):
    no = fields.Integer()
    name = fields.String()
    kind = fields.String(metadata={"enum": ["task", "decision"]})
    actors = fields.List(fields.String())
    inputs = fields.List(fields.String())
    outputs = fields.List(fields.String())
    required_outputs = fields.List(fields.String())
    standard = fields.Nested(StandardSchema)
    generated_outputs = fields.Function(
        lambda step: dict(step.generated_outputs),
        metadata={
            "type": "object",
            "additionalProperties": {"type": "string"},
            "description": "Outputs the system can render itself: kind → generator "
            "(`signed_report` is made only by signing: POST /api/v1/tasks/{id}/sign)",
        },
    )
    next = fields.Integer(allow_none=True)
    on_return = fields.Integer(
        allow_none=True, metadata={"description": "Only on decisions: where a return goes."}
    )
    reviews = fields.Integer(
        allow_none=True,
        metadata={"description": "Only on decisions: the step whose work the decision reviews."},
    )

    @post_dump(pass_original=True)
    def only_decisions_return(self, data, step, **kwargs):
        if not step.is_decision:
            data.pop("on_return", None)
            data.pop("reviews", None)
        return data


class SopDetailSchema(SopSummarySchema):
    organisation = fields.String()
    identity = fields.Dict(
        metadata={
            "description": "legal_basis, qualifications, related_sops, equipment, warning, "
            "record_keeping"
        }
    )
    actors = fields.List(fields.Nested(ActorSchema))
    steps = fields.List(fields.Nested(StepSchema))
