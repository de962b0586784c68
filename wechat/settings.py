"""The mini-program settings from the app's config mapping (api/config.py, WECHAT_* / ONETRIP_WECHAT_*).

Against the bundled sandbox (WECHAT_API_BASE on loopback, the default) the demo app id and secret
work as they are. Pointed at the real platform, WECHAT_APPID and WECHAT_SECRET must be set: the
demo secret is refused there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

DEMO_SECRET = "onetrip-sandbox-app-secret"  # noqa: S105 - the loopback sandbox's, refused anywhere else
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class WechatConfigurationError(RuntimeError):
    pass


def is_sandbox(api_base: str) -> bool:
    return (urlsplit(api_base).hostname or "") in _LOOPBACK


@dataclass(frozen=True)
class WechatSettings:
    appid: str
    secret: str
    api_base: str
    timeout: float

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> WechatSettings:
        api_base = str(config.get("WECHAT_API_BASE") or "http://127.0.0.1:8020").rstrip("/")
        settings = cls(
            appid=str(config.get("WECHAT_APPID") or ""),
            secret=str(config.get("WECHAT_SECRET") or ""),
            api_base=api_base,
            timeout=float(config.get("WECHAT_TIMEOUT_SECONDS") or 5),
        )
        if not settings.appid or not settings.secret:
            raise WechatConfigurationError("WECHAT_APPID and WECHAT_SECRET must be set")
        if settings.secret == DEMO_SECRET and not is_sandbox(api_base):
            raise WechatConfigurationError("WECHAT_SECRET: the demo secret works with the loopback sandbox only")
        return settings
