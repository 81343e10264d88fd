"""What every response says about itself to the browser: the Content-Security-Policy and the
other security headers, and a `Server` header that names no version.

The policy allows scripts and styles from this server only: no inline `<script>`, no
`style="…"` attribute, no `eval`. Images may also be `data:` URIs (the SVG drawings and the
QR code). Pages may not be framed by anyone (clickjacking). HSTS is sent only when the
session cookie is marked Secure, i.e. when the office serves the app over HTTPS.
"""

from flask import Flask, Response, current_app, request

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}

HSTS = "max-age=31536000; includeSubDomains"

# What the `Server` header says instead of the development server's "Werkzeug/x Python/y".
# Gunicorn writes its own plain "gunicorn" (no version) and would send ours as a second one.
SERVER_NAME = "sakip"


def add_security_headers(response: Response) -> Response:
    """Put the security headers on `response` (a view may have set a stricter one)."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if not request.environ.get("SERVER_SOFTWARE", "").startswith("gunicorn"):
        response.headers["Server"] = SERVER_NAME
    return response


def trust_proxies(app: Flask) -> None:
    """Behind `TRUSTED_PROXIES` reverse proxies, take the client's address, scheme and host
    from their `X-Forwarded-*` headers (werkzeug's ProxyFix), so that the audit trail and the
    rate limits see the real client. Off (0) by default: without a proxy in front, those
    headers come from the client and must not be believed."""
    count = int(app.config.get("TRUSTED_PROXIES") or 0)
    if count > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def init_app(app: Flask) -> None:
    """Trust the configured proxies and add the security headers to every response."""
    trust_proxies(app)
    app.after_request(add_security_headers)
