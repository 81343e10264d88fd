"""Liveness: the cheapest JSON answer the app gives (load balancers, benchmarks)."""

from flask_smorest import Blueprint
from marshmallow import Schema, fields

blp = Blueprint("health", __name__, description="Liveness")


class HealthSchema(Schema):
    status = fields.String(metadata={"example": "ok"})


@blp.route("/health")
@blp.response(200, HealthSchema)
@blp.doc(security=[])
def health():
    """Say that the app is up, without touching the database."""
    return {"status": "ok"}
