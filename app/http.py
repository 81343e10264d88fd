"""The edge of every request, for the JSON API and the pages alike: the reader's language,
the client's address, one commit or rollback per request, and the error answers.

A request's transaction ends once, in `EdgeFlask.dispatch_request`, after the view has
built its response and before Flask finalises it: a view that succeeded is committed, one
that failed is rolled back. A failing commit becomes the 409 `conflict` refusal, so no
answer ever claims what the database did not keep. A refusal whose error has
`keep_changes` (an audited wrong password) is committed all the same.
"""

import logging

from flask import (
    Flask,
    Response,
    current_app,
    flash,
    g,
    has_request_context,
    jsonify,
    make_response,
    render_template,
    request,
    session,
)
from flask_limiter.errors import RateLimitExceeded
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from app.auth import bearer_token
from app.database import SAFE_METHODS
from app.errors import DomainError, Phrase, render_message
from app.extensions import csrf, db
from app.i18n import DEFAULT_LANGUAGE, LANGUAGES, N_

log = logging.getLogger(__name__)

# Werkzeug's HTTP errors by status, as our stable codes.
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
}

# PostgreSQL's "another transaction got in the way": serialization failure, deadlock, lock
# not available. SQLite says "database is locked" instead.
RACE_SQLSTATES = frozenset({"40001", "40P01", "55P03"})


# --- who is asking, in which language --------------------------------------------------


def wants_page() -> bool:
    """Is this a request of the pages (HTML) rather than of the JSON API?"""
    return not request.path.startswith("/api/") or request.path == "/api/docs"


def request_language() -> str:
    """Answer the language of this request's messages: the pages always speak Bahasa
    Indonesia; the API answers "en" when the client prefers English, else Indonesian.
    Outside a request (the CLI, a PDF rendered by a command) it is Indonesian.

    Flask-Babel's locale selector too (app/i18n.py): the one place that decides."""
    if not has_request_context() or wants_page():
        return DEFAULT_LANGUAGE
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def client_ip() -> str | None:
    """Return the caller's address for the audit trail and the rate limits (the limiter's
    key is this same function): behind `TRUSTED_PROXIES` proxies, the address ProxyFix took
    from `X-Forwarded-For` (app/headers.py)."""
    return request.remote_addr


# --- one transaction per request --------------------------------------------------------


class EdgeFlask(Flask):
    """Flask, ending each request's transaction once: between the view and its response.

    Not in an `after_request` hook: by then the response is built and a failing commit
    could only turn into a 500. Here it is still an error the handlers answer."""

    def dispatch_request(self) -> Response:
        """Run the view, then commit what it did, or roll it back when it failed."""
        try:
            response = self.make_response(super().dispatch_request())
        except Exception as error:
            outcome = _end_failed(error)
            if outcome is error:
                raise
            raise outcome from error
        _end_answered(response)
        return response


def refuse(error: DomainError) -> DomainError:
    """Mark this request as refused with `error` although its view answers the refusal
    itself (an inline message, a redirect): the edge then rolls back what the request
    changed, unless the error keeps its changes."""
    g.refusal = error
    return error


def refused_with(code: str) -> bool:
    """Was this request refused with `code` (rate limits count some refusals)?"""
    refusal = g.get("refusal")
    return refusal is not None and refusal.code == code


def _end_answered(response: Response) -> None:
    """End the transaction of a view that answered: commit unless it refused (a marked
    refusal, or any error status)."""
    refusal = g.get("refusal")
    keep = refusal.keep_changes if refusal is not None else response.status_code < 400
    if keep:
        _commit()
    else:
        db.session.rollback()


def _end_failed(error: Exception) -> Exception:
    """End the transaction of a view that raised `error`, and return what to raise: the
    error itself, or the 409 conflict a database race becomes."""
    refusal = error if isinstance(error, DomainError) else _conflict_of(error)
    if refusal is not None:
        g.refusal = refusal
    if refusal is not None and refusal.keep_changes:
        _commit()
    else:
        db.session.rollback()
    # The error answer replaces whatever the view meant to say (a flash, a sign-in).
    _forget_session_changes()
    return refusal if refusal is not None else error


def _commit() -> None:
    """Commit the request's transaction; a commit that fails becomes a 409 conflict, and
    the browser's session forgets what the request put there."""
    try:
        db.session.commit()
    except SQLAlchemyError as error:
        db.session.rollback()
        if _conflict_of(error) is None:
            log.exception("Commit failed on %s %s", request.method, request.path)
        else:
            log.warning("Commit lost a race on %s %s: %s", request.method, request.path, error)
        _forget_session_changes()
        raise refuse(DomainError(409, "conflict")) from error


def _conflict_of(error: Exception) -> DomainError | None:
    """Return the 409 conflict that a database error from a concurrent write means, if it
    is one (a twin row, a stale version, a lock or serialization failure)."""
    if isinstance(error, IntegrityError | StaleDataError):
        return DomainError(409, "conflict")
    if isinstance(error, OperationalError):
        sqlstate = getattr(error.orig, "sqlstate", None)
        if sqlstate in RACE_SQLSTATES or "database is locked" in str(error.orig):
            return DomainError(409, "conflict")
    return None


def _forget_session_changes() -> None:
    """Give the browser's session back as the request brought it: a success message or a
    sign-in of a request that did not go through must not outlive it."""
    if not session.modified:
        return
    original = current_app.session_interface.open_session(current_app, request)
    session.clear()
    session.update(original or {})
    # Flask-Login caches the signed-in user per request; let it read the session again.
    g.pop("_login_user", None)


# --- the error answers ------------------------------------------------------------------


def _page_error(status: int, message: str, headers=None) -> Response:
    if request.headers.get("HX-Request"):
        # A fragment would land in whatever the request targeted; reload the page instead
        # and show the message there.
        flash(message, "error")
        response = make_response("", 204)
        response.headers["HX-Refresh"] = "true"
    else:
        response = make_response(
            render_template("errors/error.html", status=status, message=message), status
        )
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def error_response(status: int, code: str, details=None, headers=None, **params) -> Response:
    """Build the error answer: the one JSON shape for the API, a page for the pages."""
    # The view's transaction has ended by now; this drops what a hook before it left, so
    # the page renders on a clean session.
    db.session.rollback()
    message = render_message(code, request_language(), **params)
    if wants_page():
        return _page_error(status, message, headers)
    body = {"status": status, "code": code, "message": message}
    if details:
        body["details"] = details
    response = jsonify({"error": body})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def handle_domain_error(error: DomainError) -> Response:
    """Render a service's refusal."""
    return error_response(error.status, error.code, error.details, **error.params)


def handle_http_exception(error: HTTPException) -> Response:
    """Render werkzeug's and webargs's errors (bad JSON, schema errors, 404s) in our shape."""
    status = error.code or 500
    if isinstance(error, RateLimitExceeded):
        return error_response(429, "rate_limited", headers={"Retry-After": "60"})
    if isinstance(error, CSRFError):
        return error_response(400, "csrf_failed")
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") or data.get("errors")
    headers = data.get("headers") or {}
    if status == 400 or (status == 422 and _is_json_syntax_error(messages)):
        return error_response(400, "bad_request", details=messages, reason=_reason(messages))
    if status == 413:
        limit = (request.max_content_length or 0) // (1024 * 1024)
        return error_response(413, "payload_too_large", limit_mb=limit)
    if status == 404:
        what = "Halaman" if wants_page() else request.path
        return error_response(404, "not_found", what=what)
    if status == 405:
        return error_response(
            405,
            "method_not_allowed",
            headers={"Allow": ", ".join(getattr(error, "valid_methods", None) or [])},
        )
    code = HTTP_CODES.get(status, "internal_error" if status >= 500 else "bad_request")
    return error_response(status, code, details=messages, headers=headers)


def _is_json_syntax_error(messages) -> bool:
    return isinstance(messages, dict) and "Invalid JSON body." in str(messages.get("json", ""))


def _reason(messages) -> Phrase:
    if isinstance(messages, dict) and "json" in messages:
        return Phrase(N_("invalid JSON body"))
    return Phrase(N_("the request could not be understood"))


def handle_unexpected(error: Exception) -> Response:
    """Log a bug and answer 500 in the one shape, never a stack trace."""
    if isinstance(error, HTTPException):
        return handle_http_exception(error)
    refusal = _conflict_of(error)
    if refusal is not None:
        # A lock waited out before the view ran (the token look-up of a request that found
        # SQLite's write lock held past the busy timeout): nothing was written, try again.
        db.session.rollback()
        log.warning("Lost a race before the view on %s %s: %s", request.method, request.path, error)
        return handle_domain_error(refusal)
    log.exception("Unhandled error on %s %s", request.method, request.path)
    return error_response(500, "internal_error")


# --- CSRF for API writes made with the browser's session --------------------------------


def _csrf_for_session_writes() -> None:
    """Check the CSRF token of an API write that rides on the browser's session cookie; a
    bearer token needs none (the API's blueprints are exempt from Flask-WTF's own check,
    which the pages' forms keep)."""
    if not request.path.startswith("/api/"):
        return
    if request.method in SAFE_METHODS or bearer_token() is not None:
        return
    if current_user.is_authenticated:
        csrf.protect()


def init_app(app: Flask) -> None:
    """Register the error answers and the CSRF check of session writes to the API."""
    app.before_request(_csrf_for_session_writes)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
