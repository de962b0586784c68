"""Every error, from any layer, is JSON in one format with the right status."""

import json

import pytest


def assert_error(response, status: int, code: str):
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"status", "code", "message", "errors"}
    assert body["status"] == status
    assert body["code"] == code
    assert any("\u4e00" <= c <= "\u9fff" for c in body["message"]), "the message is for people: Chinese"
    return body


def test_an_unknown_api_route_is_a_json_404(client):
    assert_error(client.get("/api/v1/no-such-thing"), 404, "not_found")


def test_a_wrong_method_is_a_405_that_keeps_the_allow_header(client):
    response = client.delete("/api/v1/health")
    assert_error(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


def test_a_body_sent_with_a_method_the_route_lacks_is_a_405_not_a_400(client):
    assert_error(client.post("/api/v1/health", data="{not json", content_type="application/json"), 405, "method_not_allowed")


def test_malformed_json_to_a_route_that_takes_a_body_is_a_400(app, client):
    app.view_functions["echo_for_test"] = lambda: {"ok": True}
    app.add_url_rule("/api/v1/echo-test", "echo_for_test", methods=["POST"])
    assert_error(client.post("/api/v1/echo-test", data="{not json", content_type="application/json"), 400, "invalid_json")
    assert client.post("/api/v1/echo-test", json={"a": 1}).status_code == 200


def test_a_body_that_is_not_json_is_a_415(app, client):
    app.add_url_rule("/api/v1/echo-test", "echo_for_test", lambda: {"ok": True}, methods=["POST"])
    assert_error(
        client.post("/api/v1/echo-test", data="a=1", content_type="application/x-www-form-urlencoded"),
        415,
        "unsupported_media_type",
    )
    assert_error(client.post("/api/v1/echo-test", data="hello", content_type="text/plain"), 415, "unsupported_media_type")


def test_a_body_over_the_size_limit_is_a_413(app, client):
    app.add_url_rule("/api/v1/echo-test", "echo_for_test", lambda: {"ok": True}, methods=["POST"])
    big = json.dumps({"x": "a" * (app.config["MAX_CONTENT_LENGTH"] + 10)})
    assert_error(client.post("/api/v1/echo-test", data=big, content_type="application/json"), 413, "payload_too_large")


def test_an_unexpected_exception_is_a_json_500_without_details(app, client):
    def boom():
        raise RuntimeError("secret-token-123 leaked?")

    app.add_url_rule("/api/v1/boom-test", "boom_for_test", boom)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/api/v1/boom-test")
    body = assert_error(response, 500, "internal_error")
    assert "secret-token-123" not in json.dumps(body)


def test_marshmallow_validation_errors_are_a_422_listing_each_field(app, client):
    from flask.views import MethodView
    from flask_smorest import Blueprint
    from marshmallow import Schema, fields

    blp = Blueprint("probe", __name__, url_prefix="/api/v1/probe")

    class ProbeSchema(Schema):
        name = fields.String(required=True)
        age = fields.Integer(required=True)

    @blp.route("")
    class Probe(MethodView):
        @blp.arguments(ProbeSchema)
        def post(self, data):
            return data

    app.extensions["flask-smorest"]["apis"][""]["ext_obj"].register_blueprint(blp)
    body = assert_error(client.post("/api/v1/probe", json={"age": "old"}), 422, "validation_failed")
    assert set(body["errors"]) == {"name", "age"}
    assert body["errors"]["name"] == ["此项为必填项"]
    assert body["errors"]["age"] == ["请填写整数"]


@pytest.mark.parametrize("path", ["/api/v1/health", "/api/v1/nothing", "/"])
def test_every_response_carries_security_headers(client, path):
    headers = client.get(path).headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_a_sane_request_id_is_echoed_and_a_missing_one_is_made(client):
    assert client.get("/api/v1/health", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == "abc-123"
    made = client.get("/api/v1/health", headers={"X-Request-ID": "bad id with spaces!"}).headers["X-Request-ID"]
    assert made and made != "bad id with spaces!" and len(made) == 16


def test_api_responses_are_not_cached_by_default(client):
    assert client.get("/api/v1/health").headers["Cache-Control"] == "no-store"


def test_behind_a_configured_proxy_the_client_address_comes_from_x_forwarded_for(tmp_path):
    from flask import request

    from api import create_app

    app = create_app({"DATA_DIR": str(tmp_path / "var"), "PROXY_HOPS": 1, "LOG_LEVEL": "WARNING"})
    app.add_url_rule("/api/v1/ip-test", "ip_test", lambda: {"ip": request.remote_addr})
    response = app.test_client().get("/api/v1/ip-test", headers={"X-Forwarded-For": "203.0.113.7"})
    assert response.get_json() == {"ip": "203.0.113.7"}
