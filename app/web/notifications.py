"""The *Notifikasi* page and the bell's poll: a user's reminders, marked read (the bell's
count on every page comes from app/web/chrome.py)."""

from flask import redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.api.pagination import paginate
from app.services.reminders import inbox
from app.services.reminders.messages import KIND_LABELS
from app.web import bp

PER_PAGE = 50


@bp.route("/notifications")
@login_required
def notifications_page():
    """List the user's notifications, newest first, unread ones marked."""
    raw = request.args.get("page", "1")
    page = int(raw) if raw.isdigit() and len(raw) < 7 and int(raw) > 0 else 1
    unread_only = request.args.get("unread") == "1"
    query = inbox.notifications_of(current_user, unread_only=unread_only)
    items, total = paginate(query, page, PER_PAGE)
    return render_template(
        "notifications/index.html",
        items=items,
        total=total,
        page=page,
        pages=max(1, -(-total // PER_PAGE)),
        unread_only=unread_only,
        kind_labels=KIND_LABELS,
    )


@bp.route("/notifications/bell")
def notifications_bell():
    """The bell alone, for the page's poll (nothing to swap once the session has ended: the
    next page load goes to the login)."""
    if not current_user.is_authenticated:
        return "", 204
    return render_template("notifications/_bell_link.html")


@bp.route("/notifications/<int(min=1, max=2147483647):notification_id>/read", methods=["POST"])
@login_required
def notification_read(notification_id: int):
    """Mark one notification read, then go on to its measurement or back to the list."""
    row = inbox.own_notification(current_user, notification_id)
    inbox.mark_read(row)
    if request.form.get("open") == "1":
        return redirect(url_for("web.instance_page", instance_id=row.task.instance_id))
    return redirect(url_for("web.notifications_page"))


@bp.route("/notifications/read-all", methods=["POST"])
@login_required
def notifications_read_all():
    """Mark every notification of the user read."""
    inbox.mark_all_read(current_user)
    return redirect(url_for("web.notifications_page"))
