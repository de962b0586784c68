"""The WeChat Pay API v3 wire rules, shared by our client, our callback and the sandbox gateway.

Written from the public v3 documents (签名生成, 签名验证, 回调报文解密):

- the parameters of the payer's client (JSAPI: `wx.requestPayment`) are signed by the merchant the same
  way over `appId\\ntimeStamp\\nnonceStr\\npackage\\n` (package = `prepay_id=…`), signType `RSA`;
- a request is signed by the merchant: SHA256withRSA (PKCS#1 v1.5) over
  `METHOD\\nURL\\ntimestamp\\nnonce\\nbody\\n` (URL = path and query, no host; body empty for GET),
  sent as `Authorization: WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",signature="…",timestamp="…",serial_no="…"`;
- a response or a notification is signed by the platform over `timestamp\\nnonce\\nbody\\n`, carried in
  the headers Wechatpay-Timestamp, Wechatpay-Nonce, Wechatpay-Signature, Wechatpay-Serial;
  a timestamp more than 5 minutes from our clock is refused (replays);
- a notification's `resource` is AEAD_AES_256_GCM under the 32-byte APIv3 key: base64 of
  ciphertext‖tag, a 12-character nonce and `associated_data` as authenticated data.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
import secrets
import time

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SCHEME = "WECHATPAY2-SHA256-RSA2048"
AEAD = "AEAD_AES_256_GCM"
MAX_SKEW_SECONDS = 300
SHANGHAI = dt.timezone(dt.timedelta(hours=8))

_AUTH_FIELDS = ("mchid", "nonce_str", "signature", "timestamp", "serial_no")
_AUTH_PAIR = re.compile(r'\s*([a-z_]+)="([^"]*)"\s*')


class ProtocolError(Exception):
    """A message does not follow the protocol: bad or missing signature, stale timestamp, undecryptable resource."""


# -- signing strings -------------------------------------------------------------------------------


def request_message(method: str, url: str, timestamp: str, nonce: str, body: str) -> str:
    """The five-line string a merchant signs; `url` is the path with its query string."""
    return f"{method.upper()}\n{url}\n{timestamp}\n{nonce}\n{body}\n"


def response_message(timestamp: str, nonce: str, body: str) -> str:
    """The three-line string the platform signs for a response or a notification."""
    return f"{timestamp}\n{nonce}\n{body}\n"


def pay_sign_message(appid: str, timestamp: str, nonce: str, package: str) -> str:
    """The four-line string a merchant signs for the payer's client (wx.requestPayment's paySign, JSAPI调起支付)."""
    return f"{appid}\n{timestamp}\n{nonce}\n{package}\n"


def new_nonce() -> str:
    """32 characters of [0-9A-Z], as the documents' examples."""
    return secrets.token_hex(16).upper()


def now_timestamp() -> str:
    return str(int(time.time()))


# -- RSA -------------------------------------------------------------------------------------------


def sign(private_key: rsa.RSAPrivateKey, message: str) -> str:
    return base64.b64encode(private_key.sign(message.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())).decode("ascii")


def verify(public_key: rsa.RSAPublicKey, message: str, signature: str) -> bool:
    try:
        raw = base64.b64decode(signature, validate=True)
        public_key.verify(raw, message.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def new_rsa_pem() -> bytes:
    """A fresh RSA-2048 private key in PKCS#8 PEM (the form the merchant tool issues)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def load_private_key(pem: bytes) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, rsa.RSAPrivateKey) or key.key_size < 2048:
        raise ValueError("an RSA private key of at least 2048 bits is required")
    return key


def load_public_key(pem: bytes) -> rsa.RSAPublicKey:
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size < 2048:
        raise ValueError("an RSA public key of at least 2048 bits is required")
    return key


def public_pem(public_key: rsa.RSAPublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def key_fingerprint(public_key: rsa.RSAPublicKey) -> str:
    """40 upper-case hex characters derived from a public key: the serial of a generated development key."""
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha1(der, usedforsecurity=False).hexdigest().upper()


# -- the Authorization header ----------------------------------------------------------------------


def authorization(mchid: str, serial_no: str, private_key, method: str, url: str, body: str,
                  timestamp: str | None = None, nonce: str | None = None) -> str:  # fmt: skip
    timestamp = timestamp or now_timestamp()
    nonce = nonce or new_nonce()
    signature = sign(private_key, request_message(method, url, timestamp, nonce, body))
    return f'{SCHEME} mchid="{mchid}",nonce_str="{nonce}",signature="{signature}",timestamp="{timestamp}",serial_no="{serial_no}"'


def parse_authorization(header: str) -> dict[str, str]:
    """The five fields of an Authorization header; ProtocolError if any is missing or the scheme differs."""
    scheme, _, rest = (header or "").strip().partition(" ")
    if scheme != SCHEME:
        raise ProtocolError("unsupported authorization scheme")
    fields: dict[str, str] = {}
    for part in rest.split(","):
        match = _AUTH_PAIR.fullmatch(part)
        if not match:
            raise ProtocolError("malformed authorization header")
        fields[match.group(1)] = match.group(2)
    missing = [name for name in _AUTH_FIELDS if not fields.get(name)]
    if missing:
        raise ProtocolError(f"authorization header misses {missing}")
    return fields


# -- platform signatures on responses and notifications -------------------------------------------------


def signed_headers(private_key, serial: str, body: str, timestamp: str | None = None, nonce: str | None = None) -> dict:
    """The Wechatpay-* headers that the platform puts on a response or a notification."""
    timestamp = timestamp or now_timestamp()
    nonce = nonce or new_nonce()
    return {
        "Wechatpay-Timestamp": timestamp,
        "Wechatpay-Nonce": nonce,
        "Wechatpay-Signature": sign(private_key, response_message(timestamp, nonce, body)),
        "Wechatpay-Serial": serial,
        "Wechatpay-Signature-Type": SCHEME,
    }


def check_platform_signature(headers, body: str, public_key, serial: str, now: float | None = None,
                             max_skew: int = MAX_SKEW_SECONDS) -> None:  # fmt: skip
    """Raise ProtocolError unless `headers` carry a fresh platform signature of `body` by the key named `serial`."""
    timestamp = headers.get("Wechatpay-Timestamp") or ""
    nonce = headers.get("Wechatpay-Nonce") or ""
    signature = headers.get("Wechatpay-Signature") or ""
    if not (timestamp and nonce and signature):
        raise ProtocolError("Wechatpay signature headers missing")
    if headers.get("Wechatpay-Serial") != serial:
        raise ProtocolError("Wechatpay-Serial names a key we do not hold")
    kind = headers.get("Wechatpay-Signature-Type")
    if kind and kind != SCHEME:
        raise ProtocolError("unsupported Wechatpay-Signature-Type")
    check_fresh(timestamp, now, max_skew)
    if not verify(public_key, response_message(timestamp, nonce, body), signature):
        raise ProtocolError("Wechatpay-Signature does not verify")


def check_fresh(timestamp: str, now: float | None = None, max_skew: int = MAX_SKEW_SECONDS) -> None:
    if not timestamp.isdigit():
        raise ProtocolError("timestamp is not a number of seconds")
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > max_skew:
        raise ProtocolError("timestamp more than 5 minutes off")


# -- AEAD_AES_256_GCM ------------------------------------------------------------------------------


def decrypt_resource(apiv3_key: bytes, resource: dict) -> str:
    """The plaintext JSON of a notification's encrypted resource."""
    if not isinstance(resource, dict) or resource.get("algorithm") != AEAD:
        raise ProtocolError("resource algorithm is not AEAD_AES_256_GCM")
    try:
        ciphertext = base64.b64decode(resource["ciphertext"], validate=True)
        nonce = resource["nonce"].encode("utf-8")
        associated = (resource.get("associated_data") or "").encode("utf-8")
        return AESGCM(apiv3_key).decrypt(nonce, ciphertext, associated).decode("utf-8")
    except (InvalidTag, KeyError, ValueError, TypeError, AttributeError):
        raise ProtocolError("resource does not decrypt under the APIv3 key") from None


def encrypt_resource(apiv3_key: bytes, plaintext: str, associated_data: str, original_type: str,
                     nonce: str | None = None) -> dict:  # fmt: skip
    nonce = nonce or secrets.token_hex(6)  # 12 characters, used as 12 bytes
    sealed = AESGCM(apiv3_key).encrypt(nonce.encode("utf-8"), plaintext.encode("utf-8"), associated_data.encode("utf-8"))
    return {
        "original_type": original_type,
        "algorithm": AEAD,
        "ciphertext": base64.b64encode(sealed).decode("ascii"),
        "associated_data": associated_data,
        "nonce": nonce,
    }


# -- times --------------------------------------------------------------------------------------


def rfc3339(moment: dt.datetime) -> str:
    """2026-05-03T14:30:00+08:00: the form the v3 API uses (Beijing time)."""
    return moment.astimezone(SHANGHAI).replace(microsecond=0).isoformat()


def parse_rfc3339(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
