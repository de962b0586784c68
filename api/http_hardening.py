"""What every response and every request body must satisfy: security headers, JSON-only bodies."""

from __future__ import annotations

from flask import Flask, request
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

# Vant sets inline style attributes, hence 'unsafe-inline' for styles only; scripts come from us.
APP_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self' data:; connect-src 'self'; manifest-src 'self'; worker-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# The API documentation page starts Swagger UI with a small inline script.
DOCS_CSP = APP_CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")

BODY_TYPES = {"application/json", "multipart/form-data"}


class InvalidJson(BadRequest):
    data = {"code": "invalid_json", "message_zh": "请求体不是有效的 JSON"}


def init_http_hardening(app: Flask) -> None:
    @app.before_request
    def check_request_body():
        if request.method not in ("POST", "PUT", "PATCH", "DELETE") or not request.path.startswith("/api/"):
            return None
        if request.routing_exception is not None:
            return None  # 404/405 first: a body for a route that does not exist is not checked
        if not request.content_length and not request.headers.get("Transfer-Encoding"):
            return None
        if request.mimetype not in BODY_TYPES:
            raise UnsupportedMediaType()
        if request.mimetype == "application/json":
            request.get_data(cache=True)  # raises 413 past MAX_CONTENT_LENGTH
            if request.get_json(silent=True) is None and request.get_data(cache=True).strip():
                raise InvalidJson()
        return None

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", DOCS_CSP if request.path.startswith("/api/docs") else APP_CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", "camera=(self), geolocation=(), microphone=()")
        if request.path.startswith("/api/") and "Cache-Control" not in headers:
            headers["Cache-Control"] = "no-store"
        return response
