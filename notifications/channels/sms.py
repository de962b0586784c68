"""SMS through a provider port: the console provider (embedded mode) and a signed HTTP provider.

The console provider logs each text (the phone masked) and keeps it in the `sms_log` collection, so
that tests and the demo can read the verification codes that were "sent"; the phone is kept there
encrypted (`phone_enc`, context "sms_log.phone") and found by its blind index (`phone_bi`).
The HTTP provider POSTs JSON to a configured URL with an HMAC-SHA256 signature over timestamp,
nonce and body:

    X-Timestamp: unix seconds    X-Nonce: 32 hex characters
    X-Signature: hex(HMAC-SHA256(secret, f"{timestamp}\\n{nonce}\\n{body}"))
    body: {"phone", "text", "sign": "一次办", "reference": <outbox message id, for the provider's de-duplication>}
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
from typing import Any, Protocol

import requests
from pymongo.errors import DuplicateKeyError

from api.clock import to_iso, utcnow
from auth.crypto import FieldCipher, cipher_for_store

from ..templates import Rendered, sms_segments
from .base import NothingToSend, RetryLater, Undeliverable

SMS_LOG = "sms_log"
SIGN_NAME = "一次办"
PHONE_CONTEXT = "sms_log.phone"


log = logging.getLogger("onetrip.notifications.sms")


def mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "****"


class SmsProvider(Protocol):
    def send(self, phone: str, text: str, reference: str) -> str:
        """Hand one text to the provider; return its message id. Raise RetryLater or Undeliverable."""


class ConsoleSmsProvider:
    """The embedded default: nothing leaves the machine."""

    def __init__(self, store: Any, cipher: FieldCipher | None = None):
        self.store = store
        self.cipher = cipher

    def send(self, phone: str, text: str, reference: str) -> str:
        cipher = self.cipher or cipher_for_store(self.store)
        entry = {
            "_id": reference,
            "phone_bi": cipher.blind_index("phone", phone),
            "phone_enc": cipher.encrypt(phone, PHONE_CONTEXT),
            "text": text,
            "sent_at": to_iso(utcnow()),
        }
        try:
            self.store[SMS_LOG].insert_one(entry)
        except DuplicateKeyError:
            return reference  # sent before this try; the log keeps one copy
        log.info("SMS to %s: %s", mask_phone(phone), text, extra={"reference": reference})
        return reference


def latest_sms(store: Any, phone: str, cipher: FieldCipher | None = None) -> dict | None:
    """The last text the console provider 'sent' to a phone (tests and the demo read codes here)."""
    phone_bi = (cipher or cipher_for_store(store)).blind_index("phone", phone)
    return store[SMS_LOG].find_one({"phone_bi": phone_bi}, sort=[("sent_at", -1)])


def sign_request(secret: str, timestamp: str, nonce: str, body: bytes) -> str:
    message = timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


class HttpSmsProvider:
    """An SMS gateway reached over HTTPS, authenticated by an HMAC signature on each request."""

    def __init__(self, url: str, secret: str, timeout: float = 5.0, session: requests.Session | None = None):
        if not url or not secret:
            raise ValueError("the HTTP SMS provider needs a URL and a secret")
        self.url = url
        self.secret = secret
        self.timeout = timeout
        self.http = session or requests

    def send(self, phone: str, text: str, reference: str) -> str:
        body = json.dumps({"phone": phone, "text": text, "sign": SIGN_NAME, "reference": reference}, ensure_ascii=False).encode()
        timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-Timestamp": timestamp,
            "X-Nonce": nonce,
            "X-Signature": sign_request(self.secret, timestamp, nonce, body),
        }
        try:
            response = self.http.post(self.url, data=body, headers=headers, timeout=self.timeout, allow_redirects=False)
        except requests.RequestException as exc:
            raise RetryLater(f"SMS gateway unreachable: {type(exc).__name__}") from exc
        if response.status_code in (408, 429) or response.status_code >= 500:
            raise RetryLater(f"SMS gateway answered {response.status_code}")
        if not 200 <= response.status_code < 300:
            raise Undeliverable(f"SMS gateway refused the message: {response.status_code}")
        try:
            return str(response.json().get("id") or reference)
        except (ValueError, AttributeError):
            return reference


class SmsChannel:
    name = "sms"

    def __init__(self, provider: SmsProvider):
        self.provider = provider

    def send(self, message: dict, rendered: Rendered, progress: dict) -> dict:
        phone = message["recipient"].get("phone")
        if not phone or not rendered.sms:
            raise NothingToSend("no phone or no SMS text for this event")
        provider_id = self.provider.send(phone, rendered.sms, message["_id"])
        return {"provider_id": provider_id, "segments": sms_segments(rendered.sms)}
