"""The admin's pages: one module per area (users, sections, indicators, calendar, office,
audit, …), each registering its entry on the admin's index page with `admin_page`."""

import importlib
import pkgutil
from dataclasses import dataclass
from functools import wraps

from flask import abort, render_template
from flask_login import current_user, login_required

from app.models import ADMIN
from app.web import bp


@dataclass(frozen=True)
class AdminPage:
    title: str
    endpoint: str
    description: str
    order: int


PAGES: list[AdminPage] = []


def admin_page(title: str, description: str, order: int = 50):
    """Register a view as an entry of the admin's index page (lowest `order` first)."""

    def register(view):
        PAGES.append(AdminPage(title, f"web.{view.__name__}", description, order))
        return view

    return register


def admin_required(view):
    """Let only a signed-in admin in; anyone else signed in gets 403."""

    @wraps(view)
    @login_required
    def guarded(*args, **kwargs):
        if not current_user.has_role(ADMIN):
            abort(403)
        return view(*args, **kwargs)

    return guarded


@bp.route("/admin")
@admin_required
def admin_index():
    """List the admin's pages."""
    return render_template("admin/index.html", pages=sorted(PAGES, key=lambda p: p.order))


def load_pages() -> None:
    """Import every module of this package, so their routes and entries register."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
