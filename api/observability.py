"""Request IDs, JSON logs without personal data, and one access-log line per request."""

from __future__ import annotations

import json
import logging
import re
import secrets
import sys
import time

from flask import Flask, g, has_request_context, request

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_STANDARD_ATTRS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object a line. Messages name events, never people: no bodies, no query strings."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if has_request_context() and "request_id" in g:
            entry["request_id"] = g.request_id
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD_ATTRS and not k.startswith("_")})
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: str) -> None:
    root = logging.getLogger("onetrip")
    if not any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        root.addHandler(handler)
        root.propagate = False
    root.setLevel(level)


def init_request_ids(app: Flask) -> None:
    access = logging.getLogger("onetrip.access")

    @app.before_request
    def assign_request_id():
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _REQUEST_ID.match(incoming) else secrets.token_hex(8)
        g.started = time.perf_counter()

    @app.after_request
    def log_request(response):
        request_id = g.get("request_id") or secrets.token_hex(8)
        response.headers["X-Request-ID"] = request_id
        elapsed_ms = round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 2)
        # the route template, not the path: paths can carry ids of people
        route = request.url_rule.rule if request.url_rule else "<unmatched>"
        access.info("request", extra={"method": request.method, "route": route, "status": response.status_code, "ms": elapsed_ms})
        return response
