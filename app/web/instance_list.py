"""Daftar pengukuran: every measurement, filtered by status and period, searched by title,
a page at a time; each row links its page, its signed report and its audit trail."""

from flask import current_app, render_template, request
from flask_login import current_user, login_required

from app.api.pagination import paginate
from app.models import ADMIN, InstanceStatus
from app.services.measurements import MAX_SEARCH, find_instances, periods_in_use, signed_reports_of
from app.services.periods import is_period
from app.web import bp

PER_PAGE = 20
STATUS_LABELS = {
    InstanceStatus.ACTIVE.value: "Berjalan",
    InstanceStatus.COMPLETED.value: "Selesai",
    InstanceStatus.CANCELLED.value: "Dibatalkan",
}
AUDIT_ENDPOINT = "web.admin_audit"


def _filters() -> dict[str, str]:
    """The list's filters from the query string; anything unknown is dropped, not refused."""
    args = request.args
    status = args.get("status", "")
    period = args.get("period", "")
    return {
        "status": status if status in STATUS_LABELS else "",
        "period": period if is_period(period) else "",
        "q": " ".join(args.get("q", "").split())[:MAX_SEARCH],
    }


def _page_number() -> int:
    raw = request.args.get("page", "1")
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 7):
        return 1
    return max(1, int(raw))


def audit_link_available() -> bool:
    """Can this reader follow a measurement's audit trail? Only when the audit page exists
    (another part of the admin's side) and the reader is an admin."""
    return AUDIT_ENDPOINT in current_app.view_functions and current_user.has_role(ADMIN)


@bp.route("/instances")
@login_required
def instance_list():
    """List every measurement, newest first, by status, period and words of the title."""
    filters = _filters()
    page = _page_number()
    query = find_instances(
        status=filters["status"] or None, period=filters["period"] or None, search=filters["q"]
    )
    items, total = paginate(query, page, PER_PAGE)
    pages = max(1, -(-total // PER_PAGE))
    context = {
        "filters": filters,
        "query_args": {name: value for name, value in filters.items() if value},
        "items": items,
        "total": total,
        "page": page,
        "pages": pages,
        "signed": signed_reports_of(items),
        "status_labels": STATUS_LABELS,
        "periods": periods_in_use(),
        "audit_endpoint": AUDIT_ENDPOINT if audit_link_available() else None,
    }
    template = (
        "instances/_list.html" if request.headers.get("HX-Request") else "instances/list.html"
    )
    return render_template(template, **context)
