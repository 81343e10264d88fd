"""Step 12 on paper from the board: the Camat records the scan of the report he signed in
ink, with the time he signed it, and the step finishes at that time (the paper trail).

The card's signing area also says which verification address signing will print, and warns
while no one has set it (templates/board/_paper_signed.html).
"""

from datetime import datetime

from flask import current_app, flash, g, make_response, redirect, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, StringField
from wtforms.validators import Length, Optional, Regexp

from app.errors import DomainError
from app.http import client_ip
from app.rendering.format import format_datetime
from app.services import office, routing
from app.services.documents import configured_store, upload_document
from app.services.office_calendar import office_calendar
from app.services.paper_signing import paper_scan_of
from app.services.signing import signing_step, verify_url
from app.web import bp
from app.web.board import _filters, _refused

LOCAL_TIME_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S")


class PaperSignForm(FlaskForm):
    """The scan of the ink-signed report (once), and when it was signed."""

    file = FileField("Pindaian laporan bertanda tangan")
    signed_at = StringField(validators=[Optional(), Length(max=40)])
    version = HiddenField(validators=[Optional(), Regexp(r"^\d{1,9}$")])


def office_local_time(text: str | None) -> datetime | None:
    """Read a `datetime-local` value as the office's wall clock; None when empty, 422
    `invalid_signed_at` (format) when it is no date and time."""
    text = (text or "").strip()
    if not text:
        return None
    for pattern in LOCAL_TIME_FORMATS:
        try:
            naive = datetime.strptime(text, pattern)
        except ValueError:
            continue
        return naive.replace(tzinfo=office_calendar().tz)
    raise DomainError(422, "invalid_signed_at", details={"field": "signed_at"}, variant="format")


@bp.app_context_processor
def _signing_helpers():
    def signing_address() -> dict:
        """The verification link signing prints, and whether no one has set its address:
        read once a request, however many signing cards a board shows."""
        if "signing_address" not in g:
            g.signing_address = {
                "url": verify_url(office.base_url(), "…"),
                "unset": office.base_url_unset(),
            }
        return g.signing_address

    return {"signing_address": signing_address}


@bp.route("/tasks/<int(min=1, max=2147483647):task_id>/paper-signature", methods=["POST"])
@login_required
def sign_on_paper(task_id: int):
    """Record the scan of the report signed in ink (unless one is recorded) and finish the
    signing step at the time it was signed, from its card."""
    filters = _filters()
    form = PaperSignForm()
    if not form.validate_on_submit():
        return _refused(filters, task_id, DomainError(400, "bad_request", reason="formulir"))
    try:
        task = routing.get_task(task_id)
        step = signing_step(task)
        signed_at = office_local_time(form.signed_at.data)
        upload = form.file.data
        scan = paper_scan_of(task)
        if upload and upload.filename:
            scan = upload_document(
                task,
                kind=step.signed_outputs[0],
                filename=upload.filename,
                stream=upload.stream,
                actor=current_user,
                store=configured_store(),
                limit=current_app.config["MAX_CONTENT_LENGTH"],
                signed_on_paper=True,
                signed_at=signed_at,
                ip=client_ip(),
            )
        elif scan is None:
            raise DomainError(422, "paper_scan_required", details={"field": "file"})
        result = routing.complete_task(
            task,
            actor=current_user,
            occurred_at=signed_at or scan.signed_at,
            version=int(form.version.data) if form.version.data else None,
            ip=client_ip(),
        )
    except DomainError as error:
        return _refused(filters, task_id, error)
    flash(
        f"Laporan {task.instance.period} tercatat ditandatangani di atas kertas "
        f"({format_datetime(scan.signed_at)}); langkah {result.task.step_no} selesai.",
        "success",
    )
    target = url_for("web.instance_page", instance_id=task.instance_id)
    if request.headers.get("HX-Request"):
        response = make_response("", 204)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)
