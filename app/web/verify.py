"""The public verification page: is a printed or downloaded report one this office signed?

No sign-in: anyone holding the paper or the file may ask. The page states the facts of the
signed report (office, title, period, signer, time, hashes) and never serves the PDF itself,
so a hash seen on paper gives a stranger no copy of the report. A PDF sent to it is checked
twice: its SHA-256 must be a signed report's, and its embedded PAdES signature must validate
against the office certificate (app/services/pades.py), which the page also offers.
"""

import hashlib
from decimal import Decimal, InvalidOperation

from flask import current_app, make_response, redirect, render_template, request, url_for

from app.errors import DomainError
from app.extensions import csrf, limiter
from app.rendering.format import format_nip, format_percent, format_period
from app.services import pades, signing
from app.web import bp

# Typed hashes are 64 characters; anything much longer is not worth echoing back.
ECHO_LIMIT = 80
CERTIFICATE_NAME = "sertifikat-kantor.pem"


def _verify_limit() -> str:
    return current_app.config["VERIFY_RATE_LIMIT"]


def _page(template: str, status: int = 200, **context):
    response = make_response(render_template(f"verify/{template}", **context), status)
    # Answers change only when a report is signed, but a stale "unknown" would mislead.
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _overall(report) -> str | None:
    """The report's overall achievement and predikat as printed: "84,52 % (Tinggi)"."""
    measurement = report.content.get("measurement") or {}
    try:
        average = Decimal(measurement["average"])
    except (KeyError, TypeError, InvalidOperation):
        return None
    return f"{format_percent(average)} % ({measurement.get('category', '')})"


def _facts(report) -> dict:
    """What the pages say about a signed report beside the row itself."""
    return {
        "report": report,
        "intact": signing.content_is_intact(report),
        "period": format_period(report.period),
        "nip": format_nip(report.signer_nip),
        "overall": _overall(report),
        "indicators": (report.content.get("measurement") or {}).get("measurable"),
    }


def _certificate():
    """The office certificate, or None when it cannot be read (the page still answers)."""
    try:
        return pades.office_certificate()
    except DomainError:
        return None


@bp.route("/verify")
@limiter.limit(_verify_limit)
def verify_form():
    """Show a form to paste a report's SHA-256 or send its PDF; a sent hash goes to its
    verification page."""
    typed = request.args.get("sha256")
    if typed is None:
        return _page("index.html", certificate=_certificate())
    digest = signing.normalize_sha256(typed)
    if digest is None:
        return _page(
            "index.html", 422, typed=typed[:ECHO_LIMIT], invalid=True, certificate=_certificate()
        )
    return redirect(url_for("web.verify_report", digest=digest))


@bp.route("/verify", methods=["POST"])
@limiter.limit(_verify_limit)
@csrf.exempt  # public and read-only: a script may send a file with `curl -F file=@…`
def verify_upload():
    """Say whether a sent PDF is an unaltered report signed here: its SHA-256 is a signed
    report's, and its digital signature validates against the office certificate."""
    upload = request.files.get("file")
    content = upload.read() if upload is not None else b""
    if not content:
        return _page("index.html", 422, upload_missing=True, certificate=_certificate())
    digest = hashlib.sha256(content).hexdigest()
    report = signing.find_signed_report(digest)
    certificate = _certificate()
    if report is not None and report.signed_on_paper:
        check = None  # a scan carries no digital signature: its hash is the proof
    else:
        check = pades.check_signature(content, certificate) if certificate else None
    valid = report is not None and (report.signed_on_paper or bool(check and check.valid))
    context = _facts(report) if report is not None else {"report": None}
    return _page(
        "upload.html",
        200 if valid and context.get("intact", True) else 404,
        **context,
        valid=valid,
        check=check,
        digest=digest,
        filename=(upload.filename or "")[:ECHO_LIMIT],
    )


@bp.route(f"/verify/{CERTIFICATE_NAME}")
@limiter.limit(_verify_limit)
def office_certificate_pem():
    """Serve the office certificate (no key), for a PDF reader's or pyHanko's trust list."""
    certificate = pades.office_certificate()
    response = make_response(certificate.pem())
    response.headers["Content-Type"] = "application/x-pem-file"
    response.headers["Content-Disposition"] = f'attachment; filename="{CERTIFICATE_NAME}"'
    return response


@bp.route("/verify/<path:digest>")
@limiter.limit(_verify_limit)
def verify_report(digest: str):
    """Say whether `digest` is the printed or the file SHA-256 of a report signed here."""
    normalized = signing.normalize_sha256(digest)
    report = signing.find_signed_report(normalized) if normalized else None
    if report is None:
        return _page(
            "show.html",
            404,
            report=None,
            digest=(normalized or digest)[:ECHO_LIMIT],
            malformed=normalized is None,
        )
    return _page(
        "show.html",
        **_facts(report),
        digest=normalized,
        matched="file" if normalized == report.file_sha256 else "printed",
    )
