"""Channels behind one port (base.Channel): the in-app inbox, SMS, Web Push and the mini-program's subscription messages."""

from __future__ import annotations

from typing import Any

from auth.crypto import FieldCipher

from ..settings import NotificationSettings
from .base import Channel, NothingToSend, RetryLater, Undeliverable

__all__ = ["Channel", "NothingToSend", "RetryLater", "Undeliverable", "build_channels"]


def build_channels(settings: NotificationSettings, store: Any, cipher: FieldCipher | None = None) -> dict[str, Channel]:
    """The production set of channels for a worker, as the settings configure them.

    `cipher` seals the phones the console SMS provider logs; default the store's (auth.crypto).
    """
    from .inbox import InboxChannel
    from .miniprogram import MiniprogramChannel
    from .sms import ConsoleSmsProvider, HttpSmsProvider, SmsChannel
    from .webpush import WebPushChannel  # imports pywebpush, which only the worker needs

    if settings.sms_provider == "http":
        provider = HttpSmsProvider(settings.sms_http_url, settings.sms_http_secret, settings.sms_http_timeout)
    else:
        provider = ConsoleSmsProvider(store, cipher)
    channels = {
        "inbox": InboxChannel(store),
        "sms": SmsChannel(provider),
        "webpush": WebPushChannel(
            store, settings.keys_dir, settings.vapid_subject, settings.webpush_endpoint_hosts, settings.webpush_timeout
        ),
    }
    if settings.wechat is not None and settings.miniprogram_templates:
        channels["miniprogram"] = MiniprogramChannel(
            store, settings.wechat, settings.miniprogram_templates, state=settings.miniprogram_state,
            fallback=settings.miniprogram_fallback, sms=channels["sms"], quiet_hours=settings.quiet_hours, cipher=cipher,
        )  # fmt: skip
    return channels
