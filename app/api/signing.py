"""Signing the report at its step: the Camat confirms with his password."""

from flask import current_app

from app.api.blueprint import Blueprint
from app.api.tasks import MOVE_ERRORS, move_result
from app.auth import api_user
from app.database import begin_writing, reads_first
from app.http import client_ip
from app.schemas.common import IfMatchSchema, version_from
from app.schemas.signing import SignResultSchema, SignSchema
from app.services import office, routing, signing
from app.services.documents import configured_store

blp = Blueprint("signing", __name__, description="Signing the report")

ID = "<int(min=1, max=2147483647):task_id>"


def sign_task(task_id: int, *, actor, password: str | None, version: int | None):
    """Sign on task `task_id` as `actor`: the render first, then the write lock (the view
    reads first, app/database.py)."""
    return signing.sign_report(
        routing.get_task(task_id),
        actor=actor,
        password=password,
        store=configured_store(),
        limit=current_app.config["MAX_CONTENT_LENGTH"],
        base_url=office.base_url(),
        version=version,
        ip=client_ip(),
        before_writing=begin_writing,
    )


def report_facts(result: signing.SignResult) -> dict:
    """Describe the report a signing signed for the API (its link as printed: reading the
    office's address again would be one more statement under the write lock)."""
    report = result.report
    return {
        "sha256": report.sha256,
        "file_sha256": report.file_sha256,
        "verify_url": result.verify_url,
        "document_id": report.document_id,
        "signed_at": report.signed_at,
        "signed_by": report.signed_by.username,
        "signed_on_paper": report.signed_on_paper,
    }


@blp.route(f"/tasks/{ID}/sign", methods=["POST"])
@reads_first
@blp.arguments(SignSchema)
@blp.arguments(IfMatchSchema, location="headers")
@blp.response(200, SignResultSchema)
@blp.error_responses(
    **{
        **MOVE_ERRORS,
        "e409": f"{MOVE_ERRORS['e409']}, report_changed (the figures, the office or the "
        "signer changed while the report was being signed; nothing is kept)",
    },
    e422="invalid_password (the password is wrong: the bearer token stays valid, so not a "
    "401; the attempt is audited), not_a_signing_step",
    e423="account_locked: too many wrong passwords (counted with failed sign-ins)",
)
def sign(body, headers, task_id):
    """Sign the measurement's report with your password: it is rendered, stamped with its
    hash and verification link, stored unchanged for good, and the step is finished."""
    user = api_user()
    result = sign_task(
        task_id,
        actor=user,
        password=body["password"],
        version=version_from(body.get("version"), headers),
    )
    return {**move_result(result.move), "report": report_facts(result)}
