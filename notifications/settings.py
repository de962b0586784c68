"""The notification settings, read from the app's config (api/config.py) with safe embedded defaults.

Keys (all optional): SMS_PROVIDER (console | http), SMS_HTTP_URL, SMS_HTTP_SECRET,
SMS_HTTP_TIMEOUT_SECONDS, QUIET_HOURS ("22:00-08:00"; "off" for none), QUIET_HOURS_TIMEZONE,
VAPID_SUBJECT, WEBPUSH_ENDPOINT_HOSTS (comma-separated push-service host suffixes),
WEBPUSH_TIMEOUT_SECONDS, NOTIFICATIONS_LEASE_SECONDS, NOTIFICATIONS_POLL_SECONDS,
NOTIFICATIONS_BACKOFF ("30,120,600,3600,21600" seconds), NOTIFICATIONS_WORKER_THREADS, KEYS_DIR;
the mini-program's subscription messages: MINIPROGRAM_TEMPLATES (JSON, miniprogram_templates.py),
MINIPROGRAM_STATE (formal | trial | developer), MINIPROGRAM_FALLBACK (sms | inbox), and WECHAT_* (wechat/settings.py).
Values may arrive as strings from the environment, so every one is coerced here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from wechat.settings import WechatSettings

from . import miniprogram_templates
from .quiet_hours import QuietHours

# The push services of the browsers that can install the PWA. An endpoint elsewhere is refused:
# the worker POSTs to it, so an arbitrary URL would let anyone aim our server at any host.
PUSH_SERVICE_HOSTS = (
    "fcm.googleapis.com",
    "push.services.mozilla.com",
    "push.apple.com",
    "notify.windows.com",
)


def _seconds_list(value: Any) -> tuple[float, ...]:
    if isinstance(value, str):
        value = [part for part in value.split(",") if part.strip()]
    schedule = tuple(float(part) for part in value)
    if not schedule or any(step <= 0 for step in schedule):
        raise ValueError(f"NOTIFICATIONS_BACKOFF {value!r}: positive seconds, at least one")
    return schedule


def _hosts(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.split(",")
    return tuple(host.strip().lower().lstrip(".") for host in value if host.strip())


@dataclass(frozen=True)
class NotificationSettings:
    keys_dir: str
    sms_provider: str = "console"
    sms_http_url: str = ""
    sms_http_secret: str = ""
    sms_http_timeout: float = 5.0
    quiet_hours: QuietHours | None = None
    vapid_subject: str = "mailto:ops@onetrip.invalid"
    webpush_endpoint_hosts: tuple[str, ...] = PUSH_SERVICE_HOSTS
    webpush_timeout: float = 10.0
    lease_seconds: float = 60.0
    poll_seconds: float = 1.0
    backoff: tuple[float, ...] = (30, 120, 600, 3600, 21600)
    worker_threads: int = 2
    miniprogram_templates: dict[str, miniprogram_templates.MiniprogramTemplate] = field(default_factory=dict)
    miniprogram_state: str = "formal"
    miniprogram_fallback: str = "sms"
    wechat: WechatSettings | None = None  # None: no mini-program channel (WECHAT_APPID unset)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> NotificationSettings:
        get = config.get
        provider = str(get("SMS_PROVIDER") or "console").lower()
        if provider not in ("console", "http"):
            raise ValueError(f"SMS_PROVIDER {provider!r}: console or http")
        if provider == "http" and not (get("SMS_HTTP_URL") and get("SMS_HTTP_SECRET")):
            raise ValueError("SMS_PROVIDER=http needs SMS_HTTP_URL and SMS_HTTP_SECRET")
        state, fallback = str(get("MINIPROGRAM_STATE") or "formal"), str(get("MINIPROGRAM_FALLBACK") or "sms")
        if state not in ("formal", "trial", "developer") or fallback not in ("sms", "inbox"):
            raise ValueError("MINIPROGRAM_STATE: formal | trial | developer; MINIPROGRAM_FALLBACK: sms | inbox")
        return cls(
            keys_dir=str(get("KEYS_DIR") or "var/keys"),
            sms_provider=provider,
            sms_http_url=str(get("SMS_HTTP_URL") or ""),
            sms_http_secret=str(get("SMS_HTTP_SECRET") or ""),
            sms_http_timeout=float(get("SMS_HTTP_TIMEOUT_SECONDS") or 5.0),
            quiet_hours=QuietHours.parse(get("QUIET_HOURS", "22:00-08:00"), str(get("QUIET_HOURS_TIMEZONE") or "Asia/Shanghai")),
            vapid_subject=str(get("VAPID_SUBJECT") or cls.vapid_subject),
            webpush_endpoint_hosts=_hosts(get("WEBPUSH_ENDPOINT_HOSTS") or PUSH_SERVICE_HOSTS),
            webpush_timeout=float(get("WEBPUSH_TIMEOUT_SECONDS") or 10.0),
            lease_seconds=float(get("NOTIFICATIONS_LEASE_SECONDS") or 60.0),
            poll_seconds=float(get("NOTIFICATIONS_POLL_SECONDS") or 1.0),
            backoff=_seconds_list(get("NOTIFICATIONS_BACKOFF") or cls.backoff),
            worker_threads=int(get("NOTIFICATIONS_WORKER_THREADS") or 2),
            miniprogram_templates=miniprogram_templates.load(get("MINIPROGRAM_TEMPLATES")),
            miniprogram_state=state,
            miniprogram_fallback=fallback,
            wechat=WechatSettings.from_config(config) if get("WECHAT_APPID") else None,
        )
