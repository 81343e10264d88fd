"""Command-line tasks: prepare the database, create an admin, load the demo office."""

import click
from flask import Flask, current_app
from flask_migrate import upgrade
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import ADMIN
from app.services import audit
from app.services.accounts import create_user
from app.services.office_calendar import seed_holidays
from app.services.sop_definitions import sync_definitions


def prepare_database() -> None:
    """Bring the schema up to date and load the shipped data (idempotent)."""
    upgrade()
    load_reference_data()


def load_reference_data() -> None:
    """Load the SOP definitions, the calendar's days off and the audit chain's head."""
    audit.ensure_head()
    sync_definitions(current_app.config["SOP_DIR"])
    seed_holidays()
    db.session.commit()


def init_app(app: Flask) -> None:
    """Register the commands with the `flask` CLI."""

    @app.cli.command("init-db")
    def init_db_command():
        """Create or upgrade the schema and load the SOPs and the calendar."""
        prepare_database()
        click.echo("Database ready.")

    @app.cli.command("create-admin")
    @click.option("--username", required=True)
    @click.option("--full-name", required=True)
    @click.option("--nip", default=None)
    @click.password_option()
    def create_admin_command(username, full_name, nip, password):
        """Create an administrator account."""
        try:
            create_user(
                username=username,
                full_name=full_name,
                nip=nip,
                password=password,
                roles=[ADMIN],
                actor="cli",
            )
        except IntegrityError:
            db.session.rollback()
            raise click.ClickException(
                f"A user named {username!r} (or with NIP {nip}) already exists."
            ) from None
        db.session.commit()
        click.echo(f"Admin {username} created.")

    @app.cli.command("demo")
    @click.option("--reset", is_flag=True, help="Drop every table first.")
    def demo_command(reset):
        """Load the demo office of Kecamatan Purbalingga (users, sections, a measurement)."""
        from app.demo import load_demo

        if reset:
            db.drop_all()
            db.session.execute(db.text("DROP TABLE IF EXISTS alembic_version"))
            db.session.commit()
        prepare_database()
        summary = load_demo()
        db.session.commit()
        click.echo(summary)
