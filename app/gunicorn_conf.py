"""gunicorn settings of a real deployment (`bin/serve`: `--config python:app.gunicorn_conf`).

Only a start-up check lives here: the master warns once, before forking its workers, when
the verification address printed on signed reports is no one's choice.
"""

BASE_URL_WARNING = (
    "BASE_URL is not set and the office profile has no public address: signed reports will "
    "print verification links to {url}, which opens only on this machine. Set BASE_URL, or "
    "the address on Admin → Profil kantor, before the first signing."
)


def base_url_warning(app) -> str | None:
    """The warning about the printed verification address, or None when it is set."""
    import sqlalchemy.exc

    from app.extensions import db
    from app.services import office

    with app.app_context():
        try:
            unset = office.base_url_unset()
            url = office.base_url()
        except sqlalchemy.exc.SQLAlchemyError:
            return None  # no schema yet: `flask init-db` says what to do
        finally:
            db.session.remove()
            # Forked workers must not share the master's connections.
            db.engine.dispose()
    return BASE_URL_WARNING.format(url=url) if unset else None


def when_ready(server) -> None:
    """Warn once, in the master, when the printed verification address is not set."""
    from app import create_app

    warning = base_url_warning(create_app())
    if warning:
        server.log.warning(warning)
