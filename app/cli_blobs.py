"""`flask blobs gc`: remove the store's files that no row refers to (cron or a timer runs it)."""

import json

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.extensions import db
from app.services.blob_hygiene import collect_garbage
from app.services.documents import configured_store


def init_app(app: Flask) -> None:
    """Register the `blobs` commands."""
    blobs_cli = AppGroup("blobs", help="Look after the document store.")
    app.cli.add_command(blobs_cli)

    @blobs_cli.command("gc")
    @click.option(
        "--grace",
        type=click.FloatRange(min=0),
        default=None,
        help="Leave files written less than this many seconds ago "
        "(default BLOB_GC_GRACE_SECONDS, 3600): an upload in flight may be about to commit.",
    )
    def blobs_gc_command(grace: float | None):
        """Remove unreferenced blobs and leftover `.upload-*` files older than the grace
        period; print what was done as JSON."""
        if grace is None:
            grace = float(current_app.config["BLOB_GC_GRACE_SECONDS"])
        with db.engine.connect() as connection:
            result = collect_garbage(connection, configured_store().root, grace)
        click.echo(json.dumps(result.as_dict()))
