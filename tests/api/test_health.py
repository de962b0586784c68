"""GET /api/v1/health: the version and the store engine when the store answers, a JSON 503 when not."""

import sqlite3

import pytest

from api import VERSION, create_app

from .test_errors import assert_error


def test_health_reports_ok_with_the_version_and_the_embedded_store(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "version": VERSION, "store": "sqlite"}


def test_health_names_mongodb_when_the_store_is_mongodb(tmp_path):
    app = create_app({"DATA_DIR": str(tmp_path / "var"), "TESTING": True, "LOG_LEVEL": "WARNING", "MONGODB_URI": "mongomock://"})
    assert app.test_client().get("/api/v1/health").get_json()["store"] == "mongodb"


@pytest.mark.parametrize("failure", [sqlite3.OperationalError("database is locked"), ConnectionError("db1:27017: timed out")])
def test_an_unreachable_store_is_a_503_in_the_json_error_format_without_the_cause(app, client, monkeypatch, failure):
    def unreachable():
        raise failure

    monkeypatch.setattr(app.extensions["store"], "ping", unreachable)
    response = client.get("/api/v1/health")
    body = assert_error(response, 503, "service_unavailable")
    assert body["message"] == "数据存储暂不可用"
    assert str(failure) not in response.get_data(as_text=True)


def test_health_answers_again_once_the_store_is_back(app, client, monkeypatch):
    with monkeypatch.context() as patched:
        patched.setattr(app.extensions["store"], "ping", lambda: (_ for _ in ()).throw(TimeoutError("no answer")))
        assert client.get("/api/v1/health").status_code == 503
    assert client.get("/api/v1/health").status_code == 200
