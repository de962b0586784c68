"""The session_key of jscode2session never leaves the server: not in a response, a log line or the store in clear."""

from __future__ import annotations

import json
import logging

import pytest

from tests.wechat.conftest import API, login_code, phone_code


class Everything(logging.Handler):
    """Keeps every record with its message and every extra field, as text."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.texts: list[str] = []

    def emit(self, record):
        self.texts.append(record.getMessage() + " " + json.dumps(record.__dict__, default=str, ensure_ascii=False))


@pytest.fixture
def every_log_line():
    handler, loggers = Everything(), [logging.getLogger(), logging.getLogger("onetrip")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    yield handler.texts
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)


def test_the_session_key_is_in_no_response_no_log_line_and_only_encrypted_in_the_store(
    app, store, wechat_sandbox, every_log_line, caplog
):
    caplog.set_level(logging.DEBUG)
    client = app.test_client()
    responses = [client.post(f"{API}/login", json={"code": login_code("alice")})]
    bearer = {"Authorization": "Bearer " + responses[0].get_json()["access_token"]}
    responses.append(client.post(f"{API}/phone", json={"code": phone_code("13800000021")}, headers=bearer))
    bearer = {"Authorization": "Bearer " + responses[-1].get_json()["access_token"]}
    responses += [
        client.get("/api/v1/me", headers=bearer),
        client.post("/api/v1/auth/refresh", json={}),
        client.post(f"{API}/login", json={"code": login_code("alice")}),  # a new session_key replaces the first
        client.post(f"{API}/login", json={"code": login_code("bob")}, headers=bearer),  # 409: bound already
        client.post(f"{API}/login", json={"code": "mp-"}),
        client.get("/api/v1/openapi.json"),
    ]
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 200, 409, 422, 200]
    keys = wechat_sandbox.state.session_keys
    assert len(keys) == 3
    seen = [r.get_data(as_text=True) + str(r.headers) for r in responses]
    seen += every_log_line + [record.getMessage() for record in caplog.records]
    seen += [json.dumps(doc, default=str) for name in store.list_collection_names() for doc in store[name].find({})]
    assert every_log_line, "the handler saw no log record at all"
    for key in keys:
        assert not any(key in text for text in seen)
