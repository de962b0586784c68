"""Running the real app for a browser: a WSGI server on a free local port in a daemon thread."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path

from werkzeug.serving import make_server

from api import create_app


def make_app(data_dir: Path, pwa_dist: Path):
    return create_app({"DATA_DIR": str(data_dir), "TESTING": True, "LOG_LEVEL": "WARNING", "PWA_DIST": str(pwa_dist)})


@contextmanager
def serving(app):
    """Serve `app` until the block ends; yields its base URL, e.g. http://127.0.0.1:41234."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
