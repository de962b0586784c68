"""Notifications: the outbox, its worker, the channels (inbox, SMS, Web Push, the mini-program's subscription
messages) and the Chinese templates.

Producers call `enqueue(store, event, recipient, data, idempotency_key, session=…)` inside the
transaction of the change that causes the message; the worker (`flask notifications-worker` or
`python -m notifications.worker`) does the sending.
"""

from __future__ import annotations

from flask import Flask

from .channels import inbox as _inbox  # noqa: F401 - declares the inbox indexes
from .channels import sms as _sms  # noqa: F401 - declares the sms_log index
from .outbox import enqueue, requeue_dead
from .settings import NotificationSettings
from .subscriptions import SUBSCRIPTIONS  # noqa: F401 - declares the subscription index

__all__ = ["enqueue", "init_app", "requeue_dead"]


def init_app(app: Flask) -> None:
    """Check the settings, bind the app's field cipher to its store, add the `notifications-worker` command."""
    from auth.crypto import bind_app_cipher

    from .cli import init_cli
    from .miniprogram_templates import configure

    NotificationSettings.from_config(app.config)  # a bad setting fails at start-up, not at the first send
    configure(app.config.get("MINIPROGRAM_TEMPLATES"))  # which events enqueue() gives a subscription message
    bind_app_cipher(app)  # the outbox and the SMS log hold only the store: they seal phones with the app's cipher
    init_cli(app)
