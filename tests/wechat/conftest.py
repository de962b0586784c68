"""The mini-program against the sandbox platform over loopback HTTP.

`wechat_sandbox` serves wechat/sandbox on a free 127.0.0.1 port in a thread; `app` is the real app
with WECHAT_API_BASE pointing at it. Codes follow the sandbox's rules: `mp-<who>.<n>` is a wx.login
code of the person <who>, `phone-<11 digits>.<n>` a phone button's code. Nothing of ours is mocked.
"""

from __future__ import annotations

import itertools
import shutil
import threading

import pytest
import requests
from werkzeug.serving import make_server

from api import create_app
from tests.auth.conftest import Session, add_person, cipher, login  # noqa: F401 - fixtures used here
from wechat.sandbox import Sandbox

API = "/api/v1/auth/miniprogram"
_serial = itertools.count(1)


class SandboxServer:
    """The sandbox platform serving on a free loopback port, with its test controls at hand."""

    def __init__(self, sandbox: Sandbox):
        self.sandbox = sandbox
        self.server = make_server("127.0.0.1", 0, sandbox.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), name="wechat-sandbox", daemon=True)
        self.thread.start()

    @property
    def state(self):
        return self.sandbox.state

    def control(self, method: str, path: str, **kwargs):
        response = requests.request(method, self.url + "/_sandbox" + path, timeout=5, **kwargs)
        response.raise_for_status()
        return response.json() if response.content else None

    def token_counts(self) -> dict:
        return self.control("GET", "/tokens")

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture
def wechat_sandbox():
    """The sandbox platform, serving, with the demo app id and secret of api/config.py."""
    from api.config import load_config

    server = SandboxServer(Sandbox.from_config(load_config(environ={})))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def wechat_data_template(tmp_path_factory):
    """A data directory with every index and key made once; each test starts from a copy (a second faster)."""
    template = tmp_path_factory.mktemp("wechat-template") / "var"
    create_app({"DATA_DIR": str(template), "TESTING": True, "LOG_LEVEL": "WARNING"}).extensions["store"].close()
    return template


@pytest.fixture
def config(tmp_path, wechat_sandbox, wechat_data_template):
    shutil.copytree(wechat_data_template, tmp_path / "var")
    return {
        "DATA_DIR": str(tmp_path / "var"),
        "TESTING": True,
        "LOG_LEVEL": "WARNING",
        "WECHAT_API_BASE": wechat_sandbox.url,
    }


@pytest.fixture
def app(config):
    return create_app(config)


def login_code(who: str = "alice") -> str:
    """A fresh wx.login code of the person `who` (each code works once)."""
    return f"mp-{who}.{next(_serial)}"


def phone_code(phone: str = "13800000001") -> str:
    """A fresh phone-button code that the sandbox answers with `phone`."""
    return f"phone-{phone}.{next(_serial)}"


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def mp_login(client):
    """mp_login("alice") -> the login response (200) of a fresh wx.login code of alice."""

    def log_in(who: str = "alice", headers: dict | None = None):
        response = client.post(f"{API}/login", json={"code": login_code(who)}, headers=headers or {})
        assert response.status_code == 200, response.get_json()
        return response

    return log_in


@pytest.fixture
def mp_device(app):
    """mp_device("alice") -> a Session of alice in the mini-program (its own client and cookie jar)."""

    def log_in(who: str = "alice") -> Session:
        client = app.test_client()
        response = client.post(f"{API}/login", json={"code": login_code(who)})
        assert response.status_code == 200, response.get_json()
        return Session(client, response.get_json())

    return log_in
