"""The sandbox payment gateway: WeChat Pay API v3 (Native) on loopback, for `make run` and the tests.

`Sandbox.from_config(config)` builds the WSGI app (gateway.py) and its notifier (notifier.py) on a
ledger of their own; `python -m payments.sandbox` serves them on SANDBOX_BIND (127.0.0.1:8010).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from flask import Flask

from .gateway import SandboxSettings, create_gateway, pay
from .ledger import Ledger
from .notifier import Notifier

__all__ = ["Sandbox", "SandboxSettings", "pay"]


@dataclass
class Sandbox:
    settings: SandboxSettings
    app: Flask
    ledger: Ledger
    notifier: Notifier

    @classmethod
    def from_config(cls, config, **overrides) -> Sandbox:
        settings = SandboxSettings.from_config(config)
        for name, value in overrides.items():
            setattr(settings, name, value)
        app = create_gateway(settings)
        ledger = app.extensions["sandbox"]["ledger"]
        return cls(settings, app, ledger, Notifier(settings, ledger))

    def start_notifier(self, stop: threading.Event, poll: float = 0.2) -> threading.Thread:
        thread = threading.Thread(target=self.notifier.run, args=(stop, poll), name="sandbox-notifier", daemon=True)
        thread.start()
        return thread
