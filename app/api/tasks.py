"""Tasks: the steps of instances, and the moves that finish them."""

import sqlalchemy as sa

from app.api.blueprint import Blueprint
from app.api.errors import ErrorSchema
from app.api.pagination import paginate
from app.auth import api_user
from app.http import client_ip
from app.models import Task, TaskStatus, utcnow
from app.schemas.common import IfMatchSchema, version_from
from app.schemas.instances import (
    CompleteSchema,
    DecisionSchema,
    MoveResultSchema,
    TaskListArgsSchema,
    TaskPageSchema,
    TaskSchema,
)
from app.services import routing, task_views

blp = Blueprint("tasks", __name__, description="Steps of instances and their moves")

ID = "<int(min=1, max=2147483647):task_id>"
# The refusals every move can answer, besides its own 422s.
MOVE_ERRORS = {
    "e403": "forbidden_role",
    "e404": None,
    "e409": "task_not_open, stale_version, conflict",
}


@blp.route("/tasks")
@blp.arguments(TaskListArgsSchema, location="query")
@blp.response(200, TaskPageSchema)
def list_tasks(args):
    """List tasks by status, actor, instance and overdue, oldest first."""
    api_user()
    query = sa.select(Task).join(Task.instance).order_by(Task.id)
    if "status" in args:
        query = query.where(Task.status == TaskStatus(args["status"]))
    if "instance" in args:
        query = query.where(Task.instance_id == args["instance"])
    if "actor" in args:
        query = query.where(routing.tasks_of_actor(args["actor"]))
    if "overdue" in args:
        overdue = sa.and_(Task.status == TaskStatus.OPEN, Task.due_at < utcnow())
        query = query.where(overdue if args["overdue"] else sa.not_(overdue))
    items, total = paginate(query, args["page"], args["per_page"])
    return {
        "items": task_views.describe_tasks(items),
        "page": args["page"],
        "per_page": args["per_page"],
        "total": total,
    }


@blp.route(f"/tasks/{ID}")
@blp.response(200, TaskSchema)
@blp.alt_response(404, schema=ErrorSchema)
def get_task(task_id):
    """Show a task: its step, clock and missing outputs."""
    api_user()
    return task_views.describe_tasks([routing.get_task(task_id)])[0]


def move_result(result: routing.MoveResult) -> dict:
    """Describe a move's closed task and the tasks it opened, as the API answers them."""
    views = task_views.describe_move(result)
    return {"task": views[0], "next_tasks": views[1:]}


@blp.route(f"/tasks/{ID}/complete", methods=["POST"])
@blp.arguments(CompleteSchema)
@blp.arguments(IfMatchSchema, location="headers")
@blp.response(200, MoveResultSchema)
@blp.error_responses(
    **MOVE_ERRORS, e422="missing_documents, decision_required, invalid_occurred_at"
)
def complete_task(body, headers, task_id):
    """Finish a plain step; the next step opens."""
    user = api_user()
    result = routing.complete_task(
        routing.lock_task(task_id),
        actor=user,
        note=body.get("note"),
        occurred_at=body.get("occurred_at"),
        version=version_from(body.get("version"), headers),
        ip=client_ip(),
    )
    return move_result(result)


@blp.route(f"/tasks/{ID}/decision", methods=["POST"])
@blp.arguments(DecisionSchema)
@blp.arguments(IfMatchSchema, location="headers")
@blp.response(200, MoveResultSchema)
@blp.error_responses(
    **{
        **MOVE_ERRORS,
        "e403": "forbidden_role; self_review when the reviewer did the work under review in "
        "this round (finished the reviewed step, or approved an earlier review of it)",
    },
    e422="note_required, not_a_decision, missing_documents",
)
def decide(body, headers, task_id):
    """Approve a review forward, or return it for correction with a note (arahan)."""
    user = api_user()
    result = routing.decide(
        routing.lock_task(task_id),
        actor=user,
        decision=body["decision"],
        note=body.get("note"),
        occurred_at=body.get("occurred_at"),
        version=version_from(body.get("version"), headers),
        ip=client_ip(),
    )
    return move_result(result)
