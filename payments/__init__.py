"""Fee orders, the payment provider port and its sandbox gateway (issue "Paying fees on the phone").

- orders.py: fee orders and payment attempts; marking paid exactly once; closing; recovery (recovery.py)
- refunds.py: automatic and manual refunds; callbacks.py: the gateway's notifications to us
- wechatpay.py: the WeChat Pay API v3 client (the provider port, port.py); protocol.py: its wire rules
- tasks.py + worker.py: what follows a payment, off the request; reconciliation.py: the daily bill
- sandbox/: a gateway speaking the same protocol on loopback, for `make run` and the tests
See docs/payments.md.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The gateway's callbacks (outside the API document: they speak the gateway's protocol), the
    commands, and the demo data."""
    from api.cli import DEMO_SEEDERS

    from .cli import init_cli
    from .demo import seed_demo_sale_contract
    from .orders import configure
    from .routes import gateway_blp

    configure(app.config["PAYMENT_ORDER_TTL_SECONDS"])
    app.register_blueprint(gateway_blp)
    init_cli(app)
    if ("sale contract", seed_demo_sale_contract) not in DEMO_SEEDERS:
        DEMO_SEEDERS.append(("sale contract", seed_demo_sale_contract))
