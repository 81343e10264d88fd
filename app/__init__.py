"""The application factory."""

from pathlib import Path

from flask import Flask

from app.config import BASE_DIR, Config
from app.extensions import csrf, db, limiter, login_manager, migrate
from app.http import EdgeFlask
from app.models.types import render_item


def create_app(config: type[Config] | dict | None = None) -> Flask:
    """Create and configure the app: the server, the tests and the CLI all start here."""
    app = EdgeFlask(
        __name__,
        template_folder=str(BASE_DIR / "templates"),
        static_folder=str(BASE_DIR / "static"),
        instance_path=str(BASE_DIR / "instance"),
    )
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.json.sort_keys = False

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(BASE_DIR / "migrations"),
        render_as_batch=True,
        compare_type=True,
        render_item=render_item,
    )
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)

    with app.app_context():
        from app.database import configure_sqlite, ping_rested_connections

        configure_sqlite(db.engine)
        ping_rested_connections(db.engine)

    from app import auth, cli, headers, http, i18n, web
    from app.api import init_api

    i18n.init_app(app)
    auth.init_app(app)
    init_api(app)
    web.init_app(app)
    # After the API: flask-smorest registers error handlers of its own, which ours replace.
    http.init_app(app)
    cli.init_app(app)
    headers.init_app(app)
    return app
