"""Instances: runs of an SOP for a period."""

from flask import current_app

from app.api.blueprint import Blueprint
from app.api.errors import ErrorSchema
from app.api.pagination import paginate
from app.auth import api_user
from app.http import client_ip
from app.schemas.documents import DocumentSchema
from app.schemas.instances import (
    InstanceCreateSchema,
    InstanceDetailSchema,
    InstanceListArgsSchema,
    InstancePageSchema,
    TimelineSchema,
)
from app.services import routing, task_views
from app.services.documents import documents_of_instance
from app.services.measurements import find_instances
from app.services.sop_definitions import sync_definitions

blp = Blueprint("instances", __name__, description="Runs of an SOP for a period")

ID = "<int(min=1, max=2147483647):instance_id>"


@blp.route("/instances", methods=["POST"])
@blp.arguments(InstanceCreateSchema)
@blp.response(201, InstanceDetailSchema)
@blp.alt_response(
    403, schema=ErrorSchema, description="Only an actor of the first step, or an admin, starts one"
)
@blp.alt_response(409, schema=ErrorSchema, description="duplicate_instance")
@blp.alt_response(422, schema=ErrorSchema, description="invalid_period, invalid_started_at")
def create_instance(body):
    """Start a measurement: its first step opens at once."""
    user = api_user()
    sync_definitions(current_app.config["SOP_DIR"])
    instance = routing.start_instance(
        sop_code=body["sop"],
        period=body["period"],
        title=body.get("title"),
        started_at=body.get("started_at"),
        actor=user,
        ip=client_ip(),
    )
    return task_views.instance_detail(instance)


@blp.route("/instances")
@blp.arguments(InstanceListArgsSchema, location="query")
@blp.response(200, InstancePageSchema)
def list_instances(args):
    """List instances, newest first, by status and period, and by words of the title."""
    api_user()
    query = find_instances(
        status=args.get("status"), period=args.get("period"), search=args.get("q")
    )
    items, total = paginate(query, args["page"], args["per_page"])
    return {"items": items, "page": args["page"], "per_page": args["per_page"], "total": total}


@blp.route(f"/instances/{ID}")
@blp.response(200, InstanceDetailSchema)
@blp.alt_response(404, schema=ErrorSchema)
def get_instance(instance_id):
    """Show an instance with its whole task history, returns included, oldest first."""
    api_user()
    return task_views.instance_detail(routing.get_instance(instance_id))


@blp.route(f"/instances/{ID}/timeline")
@blp.response(200, TimelineSchema)
@blp.alt_response(404, schema=ErrorSchema)
def get_timeline(instance_id):
    """Compare each task's working time with its mutu baku."""
    api_user()
    return task_views.timeline(routing.get_instance(instance_id))


@blp.route(f"/instances/{ID}/documents")
@blp.response(200, DocumentSchema(many=True))
@blp.alt_response(404, schema=ErrorSchema)
def list_instance_documents(instance_id):
    """List every version of every document of an instance."""
    api_user()
    routing.get_instance(instance_id)
    return documents_of_instance(instance_id)
