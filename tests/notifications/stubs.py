"""Loopback HTTP stubs standing in for an SMS gateway and a browser push service (127.0.0.1 only)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class StubServer:
    """A tiny HTTP server on 127.0.0.1 that records requests and answers with `status` (settable)."""

    def __init__(self, status: int = 201, body: dict | None = None):
        self.status = status
        self.body = body or {}
        self.statuses: dict[str, int] = {}  # path -> status, overriding `status`
        self.requests: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                headers = {name.lower(): value for name, value in self.headers.items()}
                outer.requests.append({"path": self.path, "headers": headers, "body": raw})
                status = outer.answer(self.path, self.headers, raw)
                payload = json.dumps(outer.body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def answer(self, path: str, headers, raw: bytes) -> int:
        return self.statuses.get(path, self.status)

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
