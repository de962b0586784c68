"""Settings from environment variables (prefix ONETRIP_ for ours), with safe embedded defaults.

Nothing else in the code reads the environment. `load_config(overrides)` returns a plain dict;
tests pass overrides such as a temporary DATA_DIR.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

DEFAULTS: dict[str, Any] = {
    "DATA_DIR": str(ROOT / "var"),
    "SQLITE_PATH": None,  # default: DATA_DIR/onetrip.sqlite3
    "SQLITE_BUSY_TIMEOUT_MS": 5000,
    "MONGODB_URI": None,  # set to use MongoDB (mongomock:// for in-memory tests)
    "MONGODB_DATABASE": "onetrip",
    "PWA_DIST": str(ROOT / "pwa" / "dist"),
    "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,
    "PUBLIC_BASE_URL": "http://127.0.0.1:8000",
    "LOG_LEVEL": "INFO",
    "PROXY_HOPS": 0,  # reverse proxies in front that set X-Forwarded-For/-Proto (nginx: 1)
    "JWT_ISSUER": "onetrip",
    "ACCESS_TOKEN_SECONDS": 15 * 60,
    "TESTING": False,
    # dump each response with marshmallow too and write its JSON with json.dumps too, fail on a difference
    # (api/fastdump.py, api/fastjson.py); on when TESTING
    "FASTDUMP_CHECK": False,
    # personal data and registries
    "FIELD_KEK": None,  # base64 of 32 bytes; required with MongoDB, generated under var/keys/ otherwise
    "REGISTRY_ADAPTER": "local",  # local | http
    "REGISTRY_HTTP_URL": "",
    "REGISTRY_HTTP_APP_ID": "",
    "REGISTRY_HTTP_SECRET": "",
    "REGISTRY_HTTP_CONNECT_TIMEOUT_MS": 2000,
    "REGISTRY_HTTP_READ_TIMEOUT_MS": 5000,
    # applications
    "DRAFT_RETENTION_DAYS": 30,  # drafts untouched this long are purged (flask purge-drafts)
    # retention (api/retention): days after which each kind is purged; 0 keeps it forever. Audit entries are never purged.
    "RETENTION_CLOSED_UPLOADS_DAYS": 180,  # files of rejected/withdrawn applications (the application stays)
    "RETENTION_SMS_LOG_DAYS": 90,  # sms_log entries (the console channel's log)
    "RETENTION_OUTBOX_DAYS": 90,  # outbox messages sent this long ago (the inbox copy stays)
    "RETENTION_LOGIN_CODES_DAYS": 7,  # SMS login codes expired this long ago
    "RETENTION_EVERY_SECONDS": 3600,  # how often the scheduled purge runs (flask appointments jobs --every …)
    # notifications (seconds are text: the notifications settings parse fractions)
    "SMS_PROVIDER": "console",  # console | http
    "SMS_HTTP_URL": "",
    "SMS_HTTP_SECRET": "",
    "SMS_HTTP_TIMEOUT_SECONDS": "5",
    "QUIET_HOURS": "22:00-08:00",  # "off" for none; verification codes ignore it
    "QUIET_HOURS_TIMEZONE": "Asia/Shanghai",
    "VAPID_SUBJECT": "mailto:ops@onetrip.invalid",
    "WEBPUSH_ENDPOINT_HOSTS": "",  # empty: the browsers' own push services only
    "WEBPUSH_TIMEOUT_SECONDS": "10",
    "NOTIFICATIONS_LEASE_SECONDS": "60",
    "NOTIFICATIONS_POLL_SECONDS": "1",
    "NOTIFICATIONS_BACKOFF": "30,120,600,3600,21600",
    "NOTIFICATIONS_WORKER_THREADS": 2,
    # payments: WeChat Pay API v3 (Native); against the loopback sandbox the keys are generated under var/keys/
    "WECHATPAY_BASE_URL": "http://127.0.0.1:8010",  # the bundled sandbox gateway (payments/sandbox)
    "WECHATPAY_MCHID": "1900000109",
    "WECHATPAY_APPID": "wx8888888888888888",
    "WECHATPAY_MERCHANT_KEY_FILE": "",  # PEM, RSA-2048 merchant API key
    "WECHATPAY_MERCHANT_SERIAL": "",  # serial of the merchant API certificate
    "WECHATPAY_PLATFORM_PUBLIC_KEY_FILE": "",  # PEM, the platform public key (微信支付公钥)
    "WECHATPAY_PLATFORM_SERIAL": "",  # its id, PUB_KEY_ID_…
    "WECHATPAY_APIV3_KEY": "",  # 32 characters
    "WECHATPAY_NOTIFY_BASE_URL": "",  # where the gateway reaches our callbacks; default PUBLIC_BASE_URL
    "WECHATPAY_TIMEOUT_SECONDS": "5",
    "PAYMENT_ORDER_TTL_SECONDS": 86400,  # an unpaid fee order is closed this long after submission
    "PAYMENT_RECOVERY_AFTER_SECONDS": 300,  # a payment without callback is queried after this long
    "PAYMENTS_POLL_SECONDS": "1",
    "PAYMENTS_RECONCILE_AT": "10:30",  # Asia/Shanghai: yesterday's bill is reconciled after this time
    "SANDBOX_BIND": "127.0.0.1:8010",
    "SANDBOX_NOTIFY_SCHEDULE": "15,15,30,180,600,1200,1800,1800,1800,3600,10800,10800,10800,21600,21600",
    # delivery: the carrier webhook's HMAC secret; empty: generated under var/keys/ (api/delivery/carrier.py)
    "DELIVERY_CARRIER_SECRET": "",
    # the messaging mini-program (wechat/): its app and the platform's server API (the bundled sandbox by default)
    "WECHAT_APPID": "wx8888888888888888",  # the same app id as WECHATPAY_APPID: JSAPI payers are its openids
    "WECHAT_SECRET": "onetrip-sandbox-app-secret",  # the sandbox's; set the real AppSecret for api.weixin.qq.com
    "WECHAT_API_BASE": "http://127.0.0.1:8020",  # https://api.weixin.qq.com in production
    "WECHAT_TIMEOUT_SECONDS": "5",
    "WECHAT_SANDBOX_BIND": "127.0.0.1:8020",
    # the mini-program's subscription messages (notifications/channels/miniprogram.py)
    "MINIPROGRAM_TEMPLATES": "",  # JSON {event: {template_id, page, data} | null} over notifications/miniprogram_templates.py
    "MINIPROGRAM_STATE": "formal",  # formal | trial | developer: the version of the mini-program a message opens
    "MINIPROGRAM_FALLBACK": "sms",  # sms | inbox: what stands in when no permission is left or the user refused
}

_ENV_NAMES = {
    "DATA_DIR": "ONETRIP_DATA_DIR",
    "SQLITE_PATH": "ONETRIP_SQLITE_PATH",
    "SQLITE_BUSY_TIMEOUT_MS": "ONETRIP_SQLITE_BUSY_TIMEOUT_MS",
    "MONGODB_URI": "MONGODB_URI",
    "MONGODB_DATABASE": "ONETRIP_MONGODB_DATABASE",
    "PWA_DIST": "ONETRIP_PWA_DIST",
    "MAX_CONTENT_LENGTH": "ONETRIP_MAX_CONTENT_LENGTH",
    "PUBLIC_BASE_URL": "ONETRIP_PUBLIC_BASE_URL",
    "LOG_LEVEL": "ONETRIP_LOG_LEVEL",
    "PROXY_HOPS": "ONETRIP_PROXY_HOPS",
    "JWT_ISSUER": "ONETRIP_JWT_ISSUER",
    "ACCESS_TOKEN_SECONDS": "ONETRIP_ACCESS_TOKEN_SECONDS",
    "FASTDUMP_CHECK": "ONETRIP_FASTDUMP_CHECK",
    "FIELD_KEK": "ONETRIP_FIELD_KEK",
    "REGISTRY_ADAPTER": "ONETRIP_REGISTRY_ADAPTER",
    "REGISTRY_HTTP_URL": "ONETRIP_REGISTRY_HTTP_URL",
    "REGISTRY_HTTP_APP_ID": "ONETRIP_REGISTRY_HTTP_APP_ID",
    "REGISTRY_HTTP_SECRET": "ONETRIP_REGISTRY_HTTP_SECRET",
    "REGISTRY_HTTP_CONNECT_TIMEOUT_MS": "ONETRIP_REGISTRY_HTTP_CONNECT_TIMEOUT_MS",
    "REGISTRY_HTTP_READ_TIMEOUT_MS": "ONETRIP_REGISTRY_HTTP_READ_TIMEOUT_MS",
    "DRAFT_RETENTION_DAYS": "ONETRIP_DRAFT_RETENTION_DAYS",
    "RETENTION_CLOSED_UPLOADS_DAYS": "ONETRIP_RETENTION_CLOSED_UPLOADS_DAYS",
    "RETENTION_SMS_LOG_DAYS": "ONETRIP_RETENTION_SMS_LOG_DAYS",
    "RETENTION_OUTBOX_DAYS": "ONETRIP_RETENTION_OUTBOX_DAYS",
    "RETENTION_LOGIN_CODES_DAYS": "ONETRIP_RETENTION_LOGIN_CODES_DAYS",
    "RETENTION_EVERY_SECONDS": "ONETRIP_RETENTION_EVERY_SECONDS",
    "SMS_PROVIDER": "ONETRIP_SMS_PROVIDER",
    "SMS_HTTP_URL": "ONETRIP_SMS_HTTP_URL",
    "SMS_HTTP_SECRET": "ONETRIP_SMS_HTTP_SECRET",
    "SMS_HTTP_TIMEOUT_SECONDS": "ONETRIP_SMS_HTTP_TIMEOUT_SECONDS",
    "QUIET_HOURS": "ONETRIP_QUIET_HOURS",
    "QUIET_HOURS_TIMEZONE": "ONETRIP_QUIET_HOURS_TIMEZONE",
    "VAPID_SUBJECT": "ONETRIP_VAPID_SUBJECT",
    "WEBPUSH_ENDPOINT_HOSTS": "ONETRIP_WEBPUSH_ENDPOINT_HOSTS",
    "WEBPUSH_TIMEOUT_SECONDS": "ONETRIP_WEBPUSH_TIMEOUT_SECONDS",
    "NOTIFICATIONS_LEASE_SECONDS": "ONETRIP_NOTIFICATIONS_LEASE_SECONDS",
    "NOTIFICATIONS_POLL_SECONDS": "ONETRIP_NOTIFICATIONS_POLL_SECONDS",
    "NOTIFICATIONS_BACKOFF": "ONETRIP_NOTIFICATIONS_BACKOFF",
    "NOTIFICATIONS_WORKER_THREADS": "ONETRIP_NOTIFICATIONS_WORKER_THREADS",
    "WECHATPAY_BASE_URL": "ONETRIP_WECHATPAY_BASE_URL",
    "WECHATPAY_MCHID": "ONETRIP_WECHATPAY_MCHID",
    "WECHATPAY_APPID": "ONETRIP_WECHATPAY_APPID",
    "WECHATPAY_MERCHANT_KEY_FILE": "ONETRIP_WECHATPAY_MERCHANT_KEY_FILE",
    "WECHATPAY_MERCHANT_SERIAL": "ONETRIP_WECHATPAY_MERCHANT_SERIAL",
    "WECHATPAY_PLATFORM_PUBLIC_KEY_FILE": "ONETRIP_WECHATPAY_PLATFORM_PUBLIC_KEY_FILE",
    "WECHATPAY_PLATFORM_SERIAL": "ONETRIP_WECHATPAY_PLATFORM_SERIAL",
    "WECHATPAY_APIV3_KEY": "ONETRIP_WECHATPAY_APIV3_KEY",
    "WECHATPAY_NOTIFY_BASE_URL": "ONETRIP_WECHATPAY_NOTIFY_BASE_URL",
    "WECHATPAY_TIMEOUT_SECONDS": "ONETRIP_WECHATPAY_TIMEOUT_SECONDS",
    "PAYMENT_ORDER_TTL_SECONDS": "ONETRIP_PAYMENT_ORDER_TTL_SECONDS",
    "PAYMENT_RECOVERY_AFTER_SECONDS": "ONETRIP_PAYMENT_RECOVERY_AFTER_SECONDS",
    "PAYMENTS_POLL_SECONDS": "ONETRIP_PAYMENTS_POLL_SECONDS",
    "PAYMENTS_RECONCILE_AT": "ONETRIP_PAYMENTS_RECONCILE_AT",
    "SANDBOX_BIND": "ONETRIP_SANDBOX_BIND",
    "SANDBOX_NOTIFY_SCHEDULE": "ONETRIP_SANDBOX_NOTIFY_SCHEDULE",
    "DELIVERY_CARRIER_SECRET": "ONETRIP_DELIVERY_CARRIER_SECRET",
    "WECHAT_APPID": "ONETRIP_WECHAT_APPID",
    "WECHAT_SECRET": "ONETRIP_WECHAT_SECRET",
    "WECHAT_API_BASE": "ONETRIP_WECHAT_API_BASE",
    "WECHAT_TIMEOUT_SECONDS": "ONETRIP_WECHAT_TIMEOUT_SECONDS",
    "WECHAT_SANDBOX_BIND": "ONETRIP_WECHAT_SANDBOX_BIND",
    "MINIPROGRAM_TEMPLATES": "ONETRIP_MINIPROGRAM_TEMPLATES",
    "MINIPROGRAM_STATE": "ONETRIP_MINIPROGRAM_STATE",
    "MINIPROGRAM_FALLBACK": "ONETRIP_MINIPROGRAM_FALLBACK",
    # the appointment rules (api/appointments/settings.py holds their defaults and checks them)
    "APPOINTMENTS_HORIZON_DAYS": "ONETRIP_APPOINTMENTS_HORIZON_DAYS",
    "APPOINTMENTS_BOOKING_CLOSES_MINUTES": "ONETRIP_APPOINTMENTS_BOOKING_CLOSES_MINUTES",
    "APPOINTMENTS_CANCEL_UNTIL_MINUTES": "ONETRIP_APPOINTMENTS_CANCEL_UNTIL_MINUTES",
    "APPOINTMENTS_CHECK_IN_EARLY_MINUTES": "ONETRIP_APPOINTMENTS_CHECK_IN_EARLY_MINUTES",
    "APPOINTMENTS_CHECK_IN_LATE_MINUTES": "ONETRIP_APPOINTMENTS_CHECK_IN_LATE_MINUTES",
    "APPOINTMENTS_NO_SHOW_LIMIT": "ONETRIP_APPOINTMENTS_NO_SHOW_LIMIT",
    "APPOINTMENTS_NO_SHOW_WINDOW_DAYS": "ONETRIP_APPOINTMENTS_NO_SHOW_WINDOW_DAYS",
    "APPOINTMENTS_SUSPENSION_DAYS": "ONETRIP_APPOINTMENTS_SUSPENSION_DAYS",
    "APPOINTMENTS_REMINDER_HOURS": "ONETRIP_APPOINTMENTS_REMINDER_HOURS",
    "APPOINTMENTS_AVAILABILITY_MAX_AGE": "ONETRIP_APPOINTMENTS_AVAILABILITY_MAX_AGE",
    "APPOINTMENTS_MIN_REAL_NAME_LEVEL": "ONETRIP_APPOINTMENTS_MIN_REAL_NAME_LEVEL",
}


def _coerce(default: Any, raw: str) -> Any:
    if isinstance(default, bool):
        return raw.lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        return int(raw)
    return raw


def load_config(overrides: dict[str, Any] | None = None, environ: dict[str, str] | None = None) -> dict[str, Any]:
    environ = os.environ if environ is None else environ
    config = dict(DEFAULTS)
    for key, env_name in _ENV_NAMES.items():
        if environ.get(env_name):
            config[key] = _coerce(DEFAULTS[key], environ[env_name]) if key in DEFAULTS else environ[env_name]
    config.update(overrides or {})
    if config["TESTING"] and "FASTDUMP_CHECK" not in (overrides or {}) and not environ.get("ONETRIP_FASTDUMP_CHECK"):
        config["FASTDUMP_CHECK"] = True  # the whole test suite checks the fast response dumps against marshmallow
    config["KEYS_DIR"] = config.get("KEYS_DIR") or os.path.join(config["DATA_DIR"], "keys")
    return config


def ensure_private_dir(path: str) -> str:
    """Create a directory for secrets readable by the owner only (0700)."""
    os.makedirs(path, mode=0o700, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def private_temporary_name(path: str) -> str:
    """A temporary file name beside `path` that no other process, thread or call uses."""
    return f"{path}.{os.getpid()}.{secrets.token_hex(8)}.tmp"


def read_or_create_secret(keys_dir: str, name: str, generate) -> bytes:
    """A development key kept under var/keys/ with 0600 permissions, created on first use.

    In production the key files are provisioned by the operator (see docs/deployment.md);
    the same path is read either way.
    """
    ensure_private_dir(keys_dir)
    path = os.path.join(keys_dir, name)
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        pass
    data = generate()
    temporary = private_temporary_name(path)
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(temporary, path)  # atomic, and fails if another process created the key first
    except FileExistsError:
        pass
    finally:
        os.unlink(temporary)
    with open(path, "rb") as handle:  # whoever won the race: its key is the key
        return handle.read()
