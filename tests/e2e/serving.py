"""Running the real app for a browser: a WSGI server on a free local port in a daemon thread."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path

from werkzeug.serving import make_server

from api import create_app


def make_app(data_dir: Path, pwa_dist: Path, **config):
    settings = {"DATA_DIR": str(data_dir), "TESTING": True, "LOG_LEVEL": "WARNING", "PWA_DIST": str(pwa_dist)}
    return create_app({**settings, **config})


class LoopbackServer:
    """A server whose port is known before its app exists: the app and a payment gateway each need
    the other's address in their settings."""

    def __init__(self, name: str = "e2e-live-server"):
        self.server = make_server("127.0.0.1", 0, lambda environ, start_response: [], threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, name=name, daemon=True)

    def serve(self, app) -> None:
        self.server.app = app
        self.thread.start()

    def stop(self) -> None:
        if self.thread.is_alive():
            self.server.shutdown()
            self.thread.join(timeout=5)


@contextmanager
def serving(app):
    """Serve `app` until the block ends; yields its base URL, e.g. http://127.0.0.1:41234."""
    server = LoopbackServer()
    server.serve(app)
    try:
        yield server.url
    finally:
        server.stop()


def demo_city(pwa_dist, tmp_path_factory, name: str):
    """A real app holding a demo city of its own (`seed-demo`: people, companies, staff, catalogue,
    certificates), in a fresh data directory named after `name`."""
    from .one_thing import seed_demo

    app = make_app(tmp_path_factory.mktemp(name) / "var", pwa_dist)
    seed_demo(app)
    return app


@contextmanager
def serving_city(app):
    """Serve a demo city; its verification links (QR codes) point at the served address."""
    with serving(app) as base_url:
        app.config["PUBLIC_BASE_URL"] = base_url
        yield base_url
