"""The public verification page: is a printed or downloaded report one this office signed?

No sign-in: anyone holding the paper or the file may ask. The page states the facts of the
signed report (office, title, period, signer, time, hashes) and never serves the PDF itself,
so a hash seen on paper gives a stranger no copy of the report.
"""

from decimal import Decimal, InvalidOperation

from flask import current_app, make_response, redirect, render_template, request, url_for

from app.extensions import limiter
from app.rendering.format import format_nip, format_percent, format_period
from app.services import signing
from app.web import bp

# Typed hashes are 64 characters; anything much longer is not worth echoing back.
ECHO_LIMIT = 80


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


@bp.route("/verify")
@limiter.limit(_verify_limit)
def verify_form():
    """Show a form to paste a report's SHA-256; a sent one goes to its verification page."""
    typed = request.args.get("sha256")
    if typed is None:
        return _page("index.html")
    digest = signing.normalize_sha256(typed)
    if digest is None:
        return _page("index.html", 422, typed=typed[:ECHO_LIMIT], invalid=True)
    return redirect(url_for("web.verify_report", digest=digest))


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
        report=report,
        digest=normalized,
        matched="file" if normalized == report.file_sha256 else "printed",
        intact=signing.content_is_intact(report),
        period=format_period(report.period),
        nip=format_nip(report.signer_nip),
        overall=_overall(report),
        indicators=(report.content.get("measurement") or {}).get("measurable"),
    )
