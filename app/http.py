"""The edge of every request, for the JSON API and the pages alike: the reader's language,
the client's address and the error answers."""

import logging

from flask import (
    Flask,
    Response,
    flash,
    jsonify,
    make_response,
    render_template,
    request,
)
from flask_limiter.errors import RateLimitExceeded
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.auth import bearer_token
from app.database import SAFE_METHODS
from app.errors import DomainError, render_message
from app.extensions import csrf, db

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


# --- who is asking, in which language --------------------------------------------------


def wants_page() -> bool:
    """Is this a request of the pages (HTML) rather than of the JSON API?"""
    return not request.path.startswith("/api/") or request.path == "/api/docs"


def request_language() -> str:
    """Answer the language of this request's messages: the pages always speak Bahasa
    Indonesia; the API answers "en" when the client prefers English, else Indonesian."""
    if wants_page():
        return "id"
    return request.accept_languages.best_match(["id", "en"]) or "id"


def client_ip() -> str | None:
    """Return the caller's address for the audit trail."""
    return request.remote_addr


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
    # Whatever the refused request changed is dropped, so the page renders on a clean session.
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


def _reason(messages) -> str:
    if isinstance(messages, dict) and "json" in messages:
        return "invalid JSON body"
    return "the request could not be understood"


def handle_unexpected(error: Exception) -> Response:
    """Log a bug and answer 500 in the one shape, never a stack trace."""
    if isinstance(error, HTTPException):
        return handle_http_exception(error)
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
