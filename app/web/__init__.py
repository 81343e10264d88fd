"""The HTML pages and HTMX partials, in Bahasa Indonesia."""

from datetime import datetime

from flask import Blueprint, Flask

from app.extensions import login_manager
from app.services.office_calendar import office_timezone

bp = Blueprint("web", __name__)

MONTHS = [
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "Mei",
    "Jun",
    "Jul",
    "Agu",
    "Sep",
    "Okt",
    "Nov",
    "Des",
]
DAYS = ["Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min"]


def format_local(value: datetime | None, with_day: bool = True) -> str:
    """Write an instant in the office's zone the Indonesian way: "Sen 2 Mar 2026 07.30"."""
    if value is None:
        return "—"
    local = value.astimezone(office_timezone())
    text = f"{local.day} {MONTHS[local.month - 1]} {local.year} {local:%H.%M}"
    return f"{DAYS[local.weekday()]} {text}" if with_day else text


def format_minutes(minutes: int | None) -> str:
    """Write a duration in working minutes as "2 j 05 m" or "45 m"."""
    if minutes is None:
        return "—"
    hours, rest = divmod(int(minutes), 60)
    return f"{hours} j {rest:02d} m" if hours else f"{rest} m"


def format_standard(standard) -> str:
    """Write a mutu baku: "15 menit", "2 hari"."""
    return f"{standard.value} {'menit' if standard.unit == 'minute' else 'hari'}"


def init_app(app: Flask) -> None:
    """Register the pages, the login view and the template filters."""
    from app.web import auth, board, indicators, instances, sops, verify  # noqa: F401  (routes register on import)

    login_manager.login_view = "web.login"
    login_manager.login_message = "Silakan masuk untuk membuka halaman ini."
    login_manager.login_message_category = "info"
    app.jinja_env.filters["local"] = format_local
    app.jinja_env.filters["minutes"] = format_minutes
    app.jinja_env.filters["standard"] = format_standard
    app.register_blueprint(bp)
