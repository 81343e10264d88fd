"""Command-line tasks: prepare the database, create an admin, load the demo office."""

import json
import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_migrate import upgrade
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import ADMIN
from app.services import audit
from app.services.accounts import create_user
from app.services.audit import journal
from app.services.audit.keys import current_key, ensure_key_file
from app.services.office_calendar import seed_holidays
from app.services.sop_definitions import sync_definitions


def prepare_database() -> None:
    """Bring the schema up to date and load the shipped data (idempotent)."""
    upgrade()
    load_reference_data()
    _key_the_chain()


def _key_the_chain() -> None:
    """Re-link a chain recorded before the audit key existed (an older installation)."""
    path = journal.journal_path(current_app.config)
    keyed_before = next(journal.read(path, current_key()), None) is not None
    try:
        linked = audit.key_unkeyed_chain(keyed_before)
    except audit.UnkeyedChainError as error:
        raise click.ClickException(f"The audit chain was not keyed: {error}.") from None
    if linked:
        audit.record(
            "audit.chain_keyed",
            actor="cli",
            summary=f"{linked} peristiwa audit dirantai ulang dengan kunci audit kantor",
            data={"events": linked},
        )
        db.session.commit()
        click.echo(f"Audit chain: {linked} earlier events linked under the audit key.")


def load_reference_data() -> None:
    """Load the SOP definitions, the calendar's days off and the audit chain's head."""
    audit.ensure_head()
    sync_definitions(current_app.config["SOP_DIR"])
    seed_holidays()
    db.session.commit()


def init_app(app: Flask) -> None:
    """Register the commands with the `flask` CLI."""
    from app import cli_blobs

    cli_blobs.init_app(app)

    @app.cli.command("init-db")
    def init_db_command():
        """Create or upgrade the schema, load the SOPs and the calendar, and make the audit
        key if none is configured."""
        created = ensure_key_file(current_app.config)
        if created:
            click.echo(
                f"Audit key created at {created}: keep a copy apart from the database and its "
                "backups (verifying a restored audit trail needs it)."
            )
        prepare_database()
        click.echo("Database ready.")

    audit_cli = AppGroup("audit", help="Verify and export the audit trail.")
    app.cli.add_command(audit_cli)

    @audit_cli.command("verify")
    def audit_verify_command():
        """Verify the audit chain, the head and the checkpoint journal; exit 1 if broken."""
        check = audit.verify_chain()
        click.echo(json.dumps(check.as_dict(), ensure_ascii=False))
        if not check.ok:
            sys.exit(1)

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

        ensure_key_file(current_app.config)
        if reset:
            db.drop_all()
            db.session.execute(db.text("DROP TABLE IF EXISTS alembic_version"))
            db.session.commit()
        prepare_database()
        summary = load_demo()
        db.session.commit()
        click.echo(summary)
