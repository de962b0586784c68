"""`python -m payments.sandbox`: serve the sandbox gateway on SANDBOX_BIND until SIGTERM or Ctrl-C."""

from __future__ import annotations

import logging
import signal
import sys
import threading

from werkzeug.serving import make_server

from api.config import load_config
from api.observability import configure_logging

from . import Sandbox

log = logging.getLogger("onetrip.payments.sandbox")


def main() -> int:
    config = load_config()
    configure_logging(config["LOG_LEVEL"])
    host, _, port = str(config["SANDBOX_BIND"]).rpartition(":")
    sandbox = Sandbox.from_config(config)
    server = make_server(host or "127.0.0.1", int(port), sandbox.app, threaded=True)
    stop = threading.Event()

    def shut_down(*_):
        stop.set()
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, shut_down)
    signal.signal(signal.SIGINT, shut_down)
    sandbox.start_notifier(stop)
    log.info("sandbox payment gateway listening", extra={"url": sandbox.settings.base_url})
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
