"""The signed-in user's notifications: due soon, overdue, returned to you, waiting for your
review, escalated."""

from app.api.blueprint import Blueprint
from app.api.pagination import paginate
from app.auth import api_user
from app.schemas.notifications import (
    NotificationListArgsSchema,
    NotificationPageSchema,
)
from app.services.reminders import inbox

blp = Blueprint("notifications", __name__, description="Your reminders of tasks")

ID = "<int(min=1, max=2147483647):notification_id>"


@blp.route("/notifications")
@blp.arguments(NotificationListArgsSchema, location="query")
@blp.response(200, NotificationPageSchema)
def list_notifications(args):
    """List your own notifications, newest first (`unread=true`: only those not yet read)."""
    user = api_user()
    query = inbox.notifications_of(user, unread_only=args["unread"])
    items, total = paginate(query, args["page"], args["per_page"])
    return {"items": items, "page": args["page"], "per_page": args["per_page"], "total": total}


@blp.route(f"/notifications/{ID}/read", methods=["POST"])
@blp.response(204)
@blp.error_responses(e404="Not yours, or no such notification")
def read_notification(notification_id):
    """Mark one of your notifications read (again: no change)."""
    user = api_user()
    inbox.mark_read(inbox.own_notification(user, notification_id))
