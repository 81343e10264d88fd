"""The HTML pages and HTMX partials, in Bahasa Indonesia."""

from flask import Blueprint, Flask

from app.extensions import login_manager
from app.rendering import format

bp = Blueprint("web", __name__)


def init_app(app: Flask) -> None:
    """Register the pages, the login view and the template filters."""
    from app.web import (  # noqa: F401  (routes register on import)
        analytics,
        auth,
        board,
        chrome,
        indicators,
        instance_list,
        instances,
        notifications,
        office,
        paper_signing,
        sops,
        verify,
    )
    from app.web.admin import load_pages

    load_pages()

    login_manager.login_view = "web.login"
    login_manager.login_message = "Silakan masuk untuk membuka halaman ini."
    login_manager.login_message_category = "info"
    format.init_app(app)
    app.register_blueprint(bp)
