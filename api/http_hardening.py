"""What every response and every request body must satisfy: security headers, JSON-only bodies.

A JSON body is refused before any view sees it when it is not strict JSON (400: NaN and Infinity,
nesting deeper than MAX_JSON_DEPTH) or when one of its texts is longer than MAX_TEXT_LENGTH or holds
characters no person types: C0/C1 control characters other than tab, newline and carriage return, and the Unicode
bidirectional overrides and isolates that make a name display other than it reads (U+202A–U+202E,
U+2066–U+2069) — 422 naming the field, nothing stored. Fields keep their own, tighter limits.
A body must say its length (Content-Length): a chunked body of unknown length is 411; one longer than
MAX_CONTENT_LENGTH is 413 before it is read.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask, Response, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest, LengthRequired, UnsupportedMediaType

from . import fastjson
from .errors import Invalid

# Vant sets inline style attributes, hence 'unsafe-inline' for styles only; scripts come from us.
APP_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self' data:; connect-src 'self'; manifest-src 'self'; worker-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# The API documentation page starts Swagger UI with a small inline script.
DOCS_CSP = APP_CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
_SECURITY_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Frame-Options", "DENY"),
    ("Permissions-Policy", "camera=(self), geolocation=(), microphone=()"),
)

BODY_TYPES = {"application/json", "multipart/form-data"}
MAX_JSON_DEPTH = 32  # the deepest body of the API is 4 levels
MAX_TEXT_LENGTH = 10_000  # characters; the longest legitimate text is a payment notification's ciphertext
UNTYPEABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class InvalidJson(BadRequest):
    data = {"code": "invalid_json", "message_zh": "请求体不是有效的 JSON"}


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON, reading only what RFC 8259 calls JSON: no NaN, Infinity or -Infinity.

    Writing, it gives exactly Flask's text; the compact text of a response is written by msgspec when that
    text is the same (api/fastjson.py), straight to the body's bytes, and checked against json.dumps under
    FASTDUMP_CHECK. Every other call (indent, sort_keys, spaced separators, a value msgspec would write
    otherwise) is Flask's own json.dumps."""

    def _fast(self, obj: Any) -> bytes | None:
        if self.ensure_ascii or self.sort_keys:
            return None
        data = fastjson.encode(obj)
        if data is not None and self._app.config.get("FASTDUMP_CHECK"):
            return fastjson.checked(data, lambda: DefaultJSONProvider.dumps(self, obj, **fastjson.COMPACT))
        return data

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if kwargs == fastjson.COMPACT:
            data = self._fast(obj)
            if data is not None:
                return data.decode()
        return super().dumps(obj, **kwargs)

    def response(self, *args: Any, **kwargs: Any) -> Response:
        """Flask's `response` (flask 3.1), its compact body as msgspec's bytes without a round trip through str."""
        if (self.compact is None and self._app.debug) or self.compact is False:
            return super().response(*args, **kwargs)  # indented: json.dumps
        obj = self._prepare_response_obj(args, kwargs)
        data = self._fast(obj)
        body = data + b"\n" if data is not None else f"{super().dumps(obj, **fastjson.COMPACT)}\n"
        return self._app.response_class(body, mimetype=self.mimetype)

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return json.loads(s, parse_constant=_not_json, **kwargs)


def _not_json(constant: str):
    raise ValueError(f"{constant} is not JSON")


def _texts(value: Any, path: str, depth: int = 0):
    """(field path, text) for every string in a parsed body, keys included; InvalidJson past MAX_JSON_DEPTH."""
    if depth > MAX_JSON_DEPTH:
        raise InvalidJson()
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield path or str(key), key
            yield from _texts(item, f"{path}.{key}" if path else str(key), depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _texts(item, f"{path}.{index}" if path else str(index), depth + 1)


def check_texts(body: Any) -> None:
    """422 for the first texts that are too long or hold untypeable characters, naming their fields."""
    errors: dict[str, list[str]] = {}
    for path, text in _texts(body, ""):
        if len(text) > MAX_TEXT_LENGTH:
            errors.setdefault(path or "body", []).append(f"内容过长（最多{MAX_TEXT_LENGTH}个字）")
        elif UNTYPEABLE.search(text):
            errors.setdefault(path or "body", []).append("含有不可见的控制字符或文字方向控制符，请删除后重试")
    if errors:
        raise Invalid(errors=errors)


def add_security_headers(response, path: str):
    """One pass over the response's few headers instead of a case-insensitive search per header: this runs on
    every response. A header the view set itself is kept."""
    headers = response.headers
    present = {key.lower() for key in headers.keys()}
    for name, value in _SECURITY_HEADERS:
        if name.lower() not in present:
            headers.add(name, value)
    if "content-security-policy" not in present:
        headers.add("Content-Security-Policy", DOCS_CSP if path.startswith("/api/docs") else APP_CSP)
    if path.startswith("/api/") and "cache-control" not in present:
        headers.add("Cache-Control", "no-store")
    return response


def init_http_hardening(app: Flask) -> None:
    app.json = StrictJSONProvider(app)
    app.json.ensure_ascii = False
    app.json.sort_keys = False

    @app.before_request
    def check_request_body():
        if request.method not in ("POST", "PUT", "PATCH", "DELETE") or not request.path.startswith("/api/"):
            return None
        if request.routing_exception is not None:
            return None  # 404/405 first: a body for a route that does not exist is not checked
        if request.headers.get("Transfer-Encoding") and request.content_length is None:
            # A body of unknown length could only be cut at MAX_CONTENT_LENGTH after reading that much, and the
            # WSGI servers differ in how they pass it on; browsers, the mini-program and nginx always send a length.
            raise LengthRequired()
        if not request.content_length:
            return None
        if request.mimetype not in BODY_TYPES:
            raise UnsupportedMediaType()
        if request.mimetype == "application/json":
            request.get_data(cache=True)  # raises 413 past MAX_CONTENT_LENGTH
            try:
                body = request.get_json(silent=True)
            except RecursionError:  # thousands of nested brackets: the parser gives up before MAX_JSON_DEPTH is seen
                raise InvalidJson() from None
            if body is None and request.get_data(cache=True).strip():
                raise InvalidJson()
            check_texts(body)
        return None

    @app.after_request
    def security_headers(response):
        return add_security_headers(response, request.path)
