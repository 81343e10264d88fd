"""`flask reminders send`: the reminders of due, overdue and escalated tasks (cron or a
systemd timer runs it every few minutes)."""

import click
from flask import Flask
from flask.cli import AppGroup

from app.services.reminders.sender import send_reminders


def init_app(app: Flask) -> None:
    """Register the `reminders` commands."""
    reminders_cli = AppGroup("reminders", help="Remind people of their tasks.")
    app.cli.add_command(reminders_cli)

    @reminders_cli.command("send")
    def reminders_send_command():
        """Record the reminders now due (in the app) and e-mail the pending ones; print how
        many were recorded, sent and refused."""
        summary = send_reminders()
        mail = "" if summary.mail_enabled else " (e-mail off: MAIL_SERVER is not set)"
        click.echo(
            f"Reminders: {summary.recorded} recorded, {summary.sent} sent, "
            f"{summary.failed} failed (tried again on the next run){mail}."
        )
