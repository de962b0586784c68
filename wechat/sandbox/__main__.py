"""`python -m wechat.sandbox`: serve the sandbox platform on WECHAT_SANDBOX_BIND until SIGTERM or Ctrl-C."""

from __future__ import annotations

import logging
import signal
import sys
import threading

from werkzeug.serving import make_server

from api.config import load_config
from api.observability import configure_logging

from . import Sandbox

log = logging.getLogger("onetrip.wechat.sandbox")


def main() -> int:
    config = load_config()
    configure_logging(config["LOG_LEVEL"])
    host, _, port = str(config["WECHAT_SANDBOX_BIND"]).rpartition(":")
    sandbox = Sandbox.from_config(config)
    server = make_server(host or "127.0.0.1", int(port), sandbox.app, threaded=True)

    def shut_down(*_):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, shut_down)
    signal.signal(signal.SIGINT, shut_down)
    log.info("sandbox messaging platform listening", extra={"url": f"http://{host}:{port}"})
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
