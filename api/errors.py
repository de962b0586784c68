"""One error format for every error: {"status", "code", "message" (Chinese), "errors" (by field)}.

Services raise DomainError subclasses; HTTP errors from Werkzeug, flask-smorest and marshmallow are
turned into the same body here, so a client has one shape to read.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

import marshmallow as ma
from flask import Flask, jsonify
from flask_smorest import Api
from pymongo.errors import ConnectionFailure
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

log = logging.getLogger("onetrip.errors")

# status -> (machine code, message for the user)
HTTP_ERRORS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "请求格式不正确"),
    401: ("unauthenticated", "请先登录"),
    403: ("forbidden", "您没有权限进行此操作"),
    404: ("not_found", "找不到您要的内容"),
    405: ("method_not_allowed", "不支持该请求方式"),
    406: ("not_acceptable", "无法提供所需的格式"),
    409: ("conflict", "操作与当前状态冲突，请刷新后重试"),
    411: ("length_required", "请求缺少内容长度"),
    412: ("precondition_failed", "内容已被修改，请刷新后重试"),
    413: ("payload_too_large", "提交的内容过大"),
    415: ("unsupported_media_type", "请以 JSON 格式提交"),
    422: ("validation_failed", "填写的信息有误，请检查后重试"),
    428: ("precondition_required", "请求缺少版本条件"),
    429: ("too_many_requests", "操作太频繁，请稍后再试"),
    500: ("internal_error", "服务器开小差了，请稍后再试"),
    503: ("service_unavailable", "服务繁忙，请稍后再试"),
}


class DomainError(Exception):
    """A rule of the domain was broken; carries what the API shows for it."""

    status = 400
    code = "bad_request"
    message = "请求无法处理"

    def __init__(
        self, message: str | None = None, *, code: str | None = None, errors: dict | None = None, status: int | None = None
    ):
        super().__init__(message or self.message)
        self.message = message or self.message
        self.code = code or self.code
        self.errors = errors or {}
        self.status = status or self.status


class NotFound(DomainError):
    status, code, message = 404, "not_found", "找不到您要的内容"


class Conflict(DomainError):
    status, code, message = 409, "conflict", "操作与当前状态冲突，请刷新后重试"


class Invalid(DomainError):
    status, code, message = 422, "validation_failed", "填写的信息有误，请检查后重试"


class Forbidden(DomainError):
    status, code, message = 403, "forbidden", "您没有权限进行此操作"


class Unauthenticated(DomainError):
    status, code, message = 401, "unauthenticated", "请先登录"


class Unavailable(DomainError):
    status, code, message = 503, "service_unavailable", "服务繁忙，请稍后再试"


def error_response(status: int, code: str, message: str, errors: dict | None = None, headers: Any = None):
    response = jsonify({"status": status, "code": code, "message": message, "errors": errors or {}})
    response.status_code = status
    for name, value in headers or []:
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _field_errors(error: HTTPException) -> dict:
    """marshmallow's messages as flask-smorest passes them: {location: {field: [..]}} → {field: [..]}."""
    messages = (getattr(error, "data", None) or {}).get("messages") or {}
    merged: dict = {}
    for location, fields in messages.items():
        if isinstance(fields, dict):
            merged.update(fields)
        else:
            merged[location] = fields
    return merged


def handle_http_exception(error: HTTPException):
    status = error.code or 500
    code, message = HTTP_ERRORS.get(status, ("error", error.name))
    data = getattr(error, "data", None) or {}
    message = data.get("message_zh") or message
    code = data.get("code") or code
    headers = error.get_headers()  # keeps Allow on 405 and Retry-After on 429/503
    return error_response(status, code, message, _field_errors(error), headers)


def handle_domain_error(error: DomainError):
    headers = []
    if getattr(error, "retry_after", None):
        headers.append(("Retry-After", str(error.retry_after)))
    if error.status == 401:
        headers.append(("WWW-Authenticate", 'Bearer realm="onetrip"'))
    return error_response(error.status, error.code, error.message, error.errors, headers)


STORE_BUSY_RETRY_AFTER = 1  # seconds: SQLite's write lock is held for milliseconds, a MongoDB failover for seconds


def store_busy(error: Exception) -> bool:
    """The store could not take the request now, and the same request may well succeed in a moment:
    SQLite's write lock still held past the busy timeout, or MongoDB unreachable (a primary stepping down)."""
    if isinstance(error, sqlite3.OperationalError):
        return any(text in str(error) for text in ("database is locked", "database is busy"))
    return isinstance(error, ConnectionFailure)


def handle_unexpected(error: Exception):
    if store_busy(error):  # the statement or transaction that met it was rolled back; the client may retry
        log.warning("store busy", extra={"error_type": type(error).__name__})
        busy = ServiceUnavailable(retry_after=STORE_BUSY_RETRY_AFTER)
        return handle_http_exception(busy)
    log.exception("unhandled error", extra={"error_type": type(error).__name__})
    return handle_http_exception(InternalServerError())


class ErrorSchema(ma.Schema):
    """The one error body of every endpoint."""

    status = ma.fields.Integer(required=True, metadata={"description": "HTTP status"})
    code = ma.fields.String(required=True, metadata={"description": "stable machine code, e.g. validation_failed"})
    message = ma.fields.String(required=True, metadata={"description": "what went wrong, in Chinese, for the person"})
    errors = ma.fields.Dict(required=True, metadata={"description": "field name → list of messages"})


class OneTripApi(Api):
    """flask-smorest's Api with our error body in place of its default one."""

    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error: HTTPException):
        return handle_http_exception(error)


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
