"""The channel port: one small interface that the inbox, SMS and Web Push share.

`send(message, rendered, progress)` delivers one outbox message and returns a detail dict that the
worker records under `channels.<name>.detail`; `progress` is that channel's record from earlier
tries (a channel that reaches several devices keeps there which ones it already reached).
A channel tells the worker what went wrong by raising one of the exceptions below; any other
exception counts as temporary.
"""

from __future__ import annotations

from typing import Any, Protocol

from ..templates import Rendered


class Channel(Protocol):
    name: str

    def send(self, message: dict, rendered: Rendered, progress: dict) -> dict: ...


class ChannelError(Exception):
    def __init__(self, reason: str, detail: dict[str, Any] | None = None):
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


class RetryLater(ChannelError):
    """Temporary: the provider is down, slow or rate-limiting. The message is retried with backoff."""


class Undeliverable(ChannelError):
    """Permanent: retrying cannot help (a refused number, a malformed request). Recorded, not retried."""


class NothingToSend(ChannelError):
    """Nobody to reach on this channel (e.g. no push subscriptions). Recorded as skipped."""
