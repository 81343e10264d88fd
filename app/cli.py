"""Command-line tasks: prepare the database, create an admin, load the demo office."""

import json
import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_migrate import upgrade
from sqlalchemy.exc import IntegrityError

from app.errors import DomainError
from app.extensions import db
from app.models import ADMIN
from app.services import audit
from app.services.accounts import create_user
from app.services.audit import journal
from app.services.audit.keys import current_key, ensure_key_file
from app.services.office import seed_office_profile
from app.services.office_calendar import seed_holidays
from app.services.sop_definitions import sync_definitions

STREAMED_FORMATS = ("csv", "jsonl", "xes")


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


def _ensure_signing_certificate() -> None:
    """Make the self-signed office certificate, named after the office profile, unless a
    certificate is configured or it exists (DESIGN rule 9)."""
    from app.services import pades
    from app.services.office import office_profile

    profile = office_profile()
    created = pades.ensure_self_signed_certificate(
        current_app.config,
        name=profile.name,
        organisation=profile.government,
        city=profile.city,
    )
    if created:
        click.echo(
            f"Self-signed office signing certificate created at {created} for "
            f"{profile.name}: keep a copy apart from the database and its backups, or set "
            "SIGNING_CERT_FILE and SIGNING_CERT_PASSWORD to the office's own PKCS#12 file."
        )


def load_reference_data() -> None:
    """Load the SOP definitions, the calendar's days off, the office profile's defaults and
    the audit chain's head."""
    audit.ensure_head()
    sync_definitions(current_app.config["SOP_DIR"])
    seed_holidays()
    seed_office_profile()
    db.session.commit()


def init_app(app: Flask) -> None:
    """Register the commands with the `flask` CLI."""
    from app import cli_blobs, cli_reminders

    cli_blobs.init_app(app)
    cli_reminders.init_app(app)

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
        _ensure_signing_certificate()
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

    @audit_cli.command("export")
    @click.option("--format", "fmt", type=click.Choice(STREAMED_FORMATS), default="csv")
    @click.option("--since", default=None, help="ISO date or date and time (office zone)")
    @click.option("--until", default=None, help="ISO date (its whole day) or date and time")
    @click.option("--output", type=click.Path(dir_okay=False, writable=True), required=True)
    def audit_export_command(fmt, since, until, output):
        """Export the audit trail to a file, streamed in constant memory; itself audited."""
        from app.services.audit.export import export_events
        from app.services.audit.query import AuditFilters, parse_bound

        try:
            bounds = {
                name: parse_bound(value)
                for name, value in (("since", since), ("until", until))
                if value is not None
            }
        except ValueError as error:
            raise click.BadParameter(str(error)) from None
        # Each batch ends its read transaction, so a long export never holds a lock.
        export = export_events(
            fmt, AuditFilters(**bounds), actor="cli", after_batch=db.session.rollback
        )
        db.session.commit()  # the export's own event, before the first event is read
        with open(output, "w", encoding="utf-8", newline="") as handle:
            for chunk in export.body:
                handle.write(chunk)
        click.echo(f"{export.count} audit events written to {output} ({fmt}).")

    @app.cli.command("create-admin")
    @click.option("--username", required=True)
    @click.option("--full-name", required=True)
    @click.option("--nip", default=None)
    @click.password_option()
    def create_admin_command(username, full_name, nip, password):
        """Create an administrator account (the password held to the password policy)."""
        try:
            create_user(
                username=username,
                full_name=full_name,
                nip=nip,
                password=password,
                roles=[ADMIN],
                actor="cli",
                check_policy=True,
            )
        except DomainError as error:
            db.session.rollback()
            raise click.ClickException(error.message("id")) from None
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
        _ensure_signing_certificate()
        summary = load_demo()
        db.session.commit()
        click.echo(summary)

    _backup_commands(app)


def _backup_commands(app: Flask) -> None:
    """`flask backup` and `flask restore` (DESIGN rule 13)."""
    from pathlib import Path

    from app.services import backup

    def store_and_journal() -> dict:
        config = current_app.config
        return {"store": Path(config["STORAGE_DIR"]), "journal": journal.journal_path(config)}

    @app.cli.command("backup")
    @click.option(
        "--output",
        "-o",
        required=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help="The archive to write (.tar, or .tar.gz to compress); it must not exist yet.",
    )
    def backup_command(output):
        """Write one archive of the database, every stored document and the audit journal,
        with a manifest of SHA-256s, while the app runs. The audit key is not in it."""
        try:
            summary = backup.create_backup(output, engine=db.engine, **store_and_journal())
        except backup.BackupError as error:
            raise click.ClickException(str(error)) from None
        db.session.commit()
        click.echo(
            f"Backup written to {summary.path}: {summary.tables} tables, {summary.rows} rows, "
            f"{summary.blobs} documents, {summary.events} audit events; "
            f"SHA-256 {summary.sha256}. The audit key is not in it: keep it apart."
        )

    @app.cli.command("restore")
    @click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    def restore_command(archive):
        """Restore an archive of `flask backup` into this empty installation, then verify the
        audit chain (with this installation's audit key); exit 1 if it does not verify."""
        try:
            summary = backup.restore_backup(archive, engine=db.engine, **store_and_journal())
        except backup.BackupError as error:
            raise click.ClickException(str(error)) from None
        click.echo(
            f"Restored {archive.name} (made {summary.created_at}): {summary.tables} tables, "
            f"{summary.rows} rows, {summary.blobs} documents, {summary.checkpoints} checkpoints."
        )
        check = audit.verify_chain()
        click.echo(json.dumps(check.as_dict(), ensure_ascii=False))
        if not check.ok:
            click.echo(
                "The restored audit chain does not verify: is AUDIT_KEY (or AUDIT_KEY_FILE) the "
                "key of the installation that made the backup?",
                err=True,
            )
            sys.exit(1)
        audit.record(
            "backup.restored",
            actor="cli",
            summary=f"Dipulihkan dari cadangan {archive.name} (dibuat {summary.created_at})",
            data={
                "file": archive.name,
                "created_at": summary.created_at,
                "tables": summary.tables,
                "rows": summary.rows,
                "blobs": summary.blobs,
                "schema_revision": summary.schema_revision,
            },
        )
        db.session.commit()
        click.echo("Audit chain verified. Run `flask init-db` next, to apply newer migrations.")
