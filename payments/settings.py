"""The payment settings, from the app's config (api/config.py), and the keys they name.

Against the bundled sandbox gateway (WECHATPAY_BASE_URL on loopback, the default) every key may be
left unset: the merchant key, the sandbox's platform key and the APIv3 key are then generated under
KEYS_DIR (0600) on first use, and both sides read the same files. Pointed at any other gateway, the
merchant key file, its serial, the platform public key file, its id and the APIv3 key must be set;
nothing is generated for a real merchant account.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from api.config import read_or_create_secret

from . import protocol

MERCHANT_KEY_FILE = "wechatpay-merchant-key.pem"
SANDBOX_PLATFORM_KEY_FILE = "wechatpay-sandbox-platform-key.pem"
APIV3_KEY_FILE = "wechatpay-apiv3.key"
NOTIFY_PATH = "/api/v1/payments/wechatpay/notify"
REFUND_NOTIFY_PATH = "/api/v1/payments/wechatpay/refund-notify"
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class PaymentConfigurationError(RuntimeError):
    pass


def _read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def _new_apiv3_key() -> bytes:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(32)).encode("ascii")


def is_sandbox(base_url: str) -> bool:
    return (urlsplit(base_url).hostname or "") in _LOOPBACK


def platform_serial_of(public_key) -> str:
    """The id of a generated platform key, in the form of the real 微信支付公钥ID."""
    return "PUB_KEY_ID_" + protocol.key_fingerprint(public_key)[:32]


def _generated(config: Mapping[str, Any], name: str, generate) -> bytes:
    if not is_sandbox(str(config["WECHATPAY_BASE_URL"])):
        raise PaymentConfigurationError(
            f"{name}: set it for a gateway that is not the bundled sandbox (keys are generated for the sandbox only)"
        )
    return read_or_create_secret(config["KEYS_DIR"], name, generate)


def merchant_key_pem(config: Mapping[str, Any]) -> bytes:
    path = config.get("WECHATPAY_MERCHANT_KEY_FILE")
    return _read(path) if path else _generated(config, MERCHANT_KEY_FILE, protocol.new_rsa_pem)


def sandbox_platform_key_pem(config: Mapping[str, Any]) -> bytes:
    return _generated(config, SANDBOX_PLATFORM_KEY_FILE, protocol.new_rsa_pem)


def apiv3_key(config: Mapping[str, Any]) -> bytes:
    raw = config.get("WECHATPAY_APIV3_KEY")
    key = raw.encode("utf-8") if raw else _generated(config, APIV3_KEY_FILE, _new_apiv3_key).strip()
    if len(key) != 32:
        raise PaymentConfigurationError("WECHATPAY_APIV3_KEY must be 32 characters")
    return key


@dataclass(frozen=True)
class PaymentSettings:
    base_url: str
    mchid: str
    appid: str  # the app of Native orders (the QR code)
    miniprogram_appid: str  # the mini-program's (WECHAT_APPID): JSAPI orders and their payers' openids
    merchant_key: Any
    merchant_serial: str
    platform_public_key: Any
    platform_serial: str
    apiv3_key: bytes
    notify_url: str
    refund_notify_url: str
    timeout: float = 5.0
    order_ttl: int = 86400
    recovery_after: int = 300
    poll_seconds: float = 1.0
    reconcile_at: str = "10:30"

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> PaymentSettings:
        merchant_key = protocol.load_private_key(merchant_key_pem(config))
        platform_public_key, platform_serial = _platform(config)
        notify_base = (config.get("WECHATPAY_NOTIFY_BASE_URL") or config["PUBLIC_BASE_URL"]).rstrip("/")
        return cls(
            base_url=str(config["WECHATPAY_BASE_URL"]).rstrip("/"),
            mchid=str(config["WECHATPAY_MCHID"]),
            appid=str(config["WECHATPAY_APPID"]),
            miniprogram_appid=str(config.get("WECHAT_APPID") or config["WECHATPAY_APPID"]),
            merchant_key=merchant_key,
            merchant_serial=config.get("WECHATPAY_MERCHANT_SERIAL") or protocol.key_fingerprint(merchant_key.public_key()),
            platform_public_key=platform_public_key,
            platform_serial=platform_serial,
            apiv3_key=apiv3_key(config),
            notify_url=notify_base + NOTIFY_PATH,
            refund_notify_url=notify_base + REFUND_NOTIFY_PATH,
            timeout=float(config.get("WECHATPAY_TIMEOUT_SECONDS", 5)),
            order_ttl=int(config.get("PAYMENT_ORDER_TTL_SECONDS", 86400)),
            recovery_after=int(config.get("PAYMENT_RECOVERY_AFTER_SECONDS", 300)),
            poll_seconds=float(config.get("PAYMENTS_POLL_SECONDS", 1)),
            reconcile_at=str(config.get("PAYMENTS_RECONCILE_AT", "10:30")),
        )


def _platform(config: Mapping[str, Any]) -> tuple[Any, str]:
    """The platform public key we trust, and its id: configured, or the sandbox's own."""
    path = config.get("WECHATPAY_PLATFORM_PUBLIC_KEY_FILE")
    if path:
        serial = config.get("WECHATPAY_PLATFORM_SERIAL")
        if not serial:
            raise PaymentConfigurationError("WECHATPAY_PLATFORM_SERIAL: the id of the platform public key is required")
        return protocol.load_public_key(_read(path)), serial
    public_key = protocol.load_private_key(sandbox_platform_key_pem(config)).public_key()
    return public_key, config.get("WECHATPAY_PLATFORM_SERIAL") or platform_serial_of(public_key)


def settings_for(app) -> PaymentSettings:
    """The app's payment settings, loaded (and any development key made) on first use."""
    settings = app.extensions.get("payments.settings")
    if settings is None:
        settings = app.extensions["payments.settings"] = PaymentSettings.from_config(app.config)
    return settings
