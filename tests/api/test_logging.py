"""Each request writes one JSON access-log line: request id, method, route, status, duration, and no personal data."""

import io
import json
import logging

import pytest

from api.observability import JsonFormatter

PHONE, ID_NUMBER = "13800138000", "430211199001011234"


@pytest.fixture
def log_lines(app):
    """The JSON lines our loggers write while the test runs, parsed (INFO and up)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    ours = logging.getLogger("onetrip")
    level = ours.level
    ours.addHandler(handler)
    ours.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    ours.removeHandler(handler)
    ours.setLevel(level)


def access_lines(lines):
    return [line for line in lines if line["logger"] == "onetrip.access"]


def test_each_request_logs_one_json_line_with_its_request_id_method_status_and_duration(client, log_lines):
    response = client.get("/api/v1/health")
    [line] = access_lines(log_lines())
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert (line["method"], line["route"], line["status"]) == ("GET", "/api/v1/health", 200)
    assert isinstance(line["ms"], int | float) and line["ms"] >= 0
    assert line["level"] == "INFO" and line["msg"] == "request" and line["ts"].endswith("Z")


def test_a_well_formed_incoming_request_id_is_kept_and_a_malformed_one_replaced(client, log_lines):
    client.get("/api/v1/health", headers={"X-Request-ID": "lb-7f3a.42"})
    client.get("/api/v1/health", headers={"X-Request-ID": "no spaces or <html> please"})
    kept, replaced = access_lines(log_lines())
    assert kept["request_id"] == "lb-7f3a.42"
    assert replaced["request_id"] != "no spaces or <html> please" and len(replaced["request_id"]) == 16


def test_errors_are_logged_once_each_with_their_status(client, log_lines):
    client.get("/api/v1/no-such-thing")
    client.delete("/api/v1/health")
    statuses = [(line["method"], line["route"], line["status"]) for line in access_lines(log_lines())]
    assert statuses == [("GET", "<unmatched>", 404), ("DELETE", "<unmatched>", 405)]  # no rule matched that method


@pytest.mark.parametrize(
    "method, url, body",
    [
        ("post", f"/api/v1/auth/sms-codes?phone={PHONE}&id_number={ID_NUMBER}", {"phone": PHONE}),
        ("get", f"/api/v1/staff/accounts/{ID_NUMBER}?phone={PHONE}", None),
        ("get", f"/api/v1/people/{ID_NUMBER}/phones/{PHONE}", None),
        ("post", "/api/v1/me/real-name", {"name": "张晓明", "id_number": ID_NUMBER}),
        ("get", f"/api/v1/me?reveal=true&phone={PHONE}", None),
    ],
)
def test_no_phone_id_number_or_query_string_reaches_the_log(client, log_lines, method, url, body):
    getattr(client, method)(url, json=body, environ_base={"REMOTE_ADDR": "198.51.100.7"})
    lines = log_lines()
    assert len(access_lines(lines)) == 1
    text = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines)
    assert PHONE not in text and ID_NUMBER not in text
    assert "?" not in text and "reveal" not in text and "phone=" not in text
