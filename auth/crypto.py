"""Protection of personal data at rest: field encryption, blind indexes and masking (DESIGN.md).

- Field encryption: AES-256-GCM under a random data key (DEK). A ciphertext is the string
  `v1.<kid>.<base64url(nonce | ciphertext | tag)>`; its associated data names the field it belongs
  to ("registry_people.id_number"), so a ciphertext copied into another field does not decrypt.
- Data keys rotate: `rotate()` adds a DEK; new values are encrypted under the newest one, and
  every DEK on disk still decrypts the values written under it.
- Blind index: HMAC-SHA256 of `kind:normalized value` under a separate index key. It is the only
  way to find a record by an ID number, phone or credit code; it is deterministic, so it never rotates.
- Keys on disk are stored wrapped (AES-GCM, the file's purpose as associated data) by the
  key-encryption key (KEK): `FIELD_KEK` (env ONETRIP_FIELD_KEK, base64 of 32 bytes) or, in the
  embedded/dev mode only, a generated `KEYS_DIR/field-kek.key`. Wrapped keys live in KEYS_DIR:
  `field-dek-<kid>.wrapped`, `field-index.wrapped` (0600, created on first use).
- Masking for API responses: `mask_id_number`, `mask_phone`, `mask_name`, `mask_address`.
- Code that holds only a store (the outbox, the SMS log, the notifications worker, test helpers)
  finds the cipher that goes with it through `cipher_for_store(store)`.
"""

from __future__ import annotations

import base64
import binascii
import glob
import hmac
import os
import re
import threading
import weakref
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from api.config import read_or_create_secret

from .validators import InvalidNumber, validate_mobile

VERSION = "v1"
KEK_FILE = "field-kek.key"
INDEX_FILE = "field-index.wrapped"
DEK_PREFIX = "field-dek-"
DEK_SUFFIX = ".wrapped"
_NONCE = 12


class FieldCryptoError(Exception):
    """Base of the errors below; messages never contain plaintext or key material."""


class KeyConfigurationError(FieldCryptoError):
    """The KEK is missing or malformed, or it does not unwrap the keys on disk."""


class DecryptionError(FieldCryptoError):
    """A ciphertext is malformed, was tampered with, belongs to another field or to an unknown key."""


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def decode_kek(value: str | bytes) -> bytes:
    """A KEK given as base64 (standard or url-safe) of exactly 32 bytes."""
    text = value.decode("ascii", "replace") if isinstance(value, bytes) else value
    text = text.strip()
    try:
        key = base64.b64decode(text.replace("-", "+").replace("_", "/") + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise KeyConfigurationError("FIELD_KEK must be base64 of 32 bytes (it is not valid base64)") from None
    if len(key) != 32:
        raise KeyConfigurationError(f"FIELD_KEK must be base64 of 32 bytes (it decodes to {len(key)} bytes)")
    return key


def new_kek() -> str:
    """A fresh KEK in the form FIELD_KEK / ONETRIP_FIELD_KEK expect."""
    return base64.b64encode(os.urandom(32)).decode("ascii")


def normalize(kind: str, value: str) -> str:
    """The form of a value that the blind index hashes: equal numbers, however typed, index equal."""
    value = value or ""
    if kind != "phone" and value.isascii() and value.isalnum():  # the common case, without a regex
        return value.upper()
    text = re.sub(r"[\s-]", "", value)
    if kind == "phone":
        try:
            return validate_mobile(text)
        except InvalidNumber:
            return text
    return text.upper()


class FieldCipher:
    """Encrypts, decrypts and blind-indexes field values. Thread-safe; build one per process."""

    def __init__(self, kek: bytes, keys_dir: str):
        if len(kek) != 32:
            raise KeyConfigurationError("the KEK must be 32 bytes")
        self.keys_dir = keys_dir
        self._kek = AESGCM(kek)
        self._lock = threading.Lock()
        self._index_key = self._unwrap(INDEX_FILE, read_or_create_secret(keys_dir, INDEX_FILE, self._wrapper(INDEX_FILE)))
        self._deks: dict[str, AESGCM] = {}
        self._prefixes: dict[str, str] = {}
        self.reload()
        if not self._deks:
            self.rotate()

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> FieldCipher:
        """The cipher for a settings dict (as load_config returns); no Flask needed."""
        keys_dir = config.get("KEYS_DIR") or os.path.join(config["DATA_DIR"], "keys")
        if config.get("FIELD_KEK"):
            return cls(decode_kek(config["FIELD_KEK"]), keys_dir)
        uri = config.get("MONGODB_URI") or ""
        if uri and not uri.startswith("mongomock://"):
            raise KeyConfigurationError(
                "set ONETRIP_FIELD_KEK (base64 of 32 bytes): a KEK file is generated in the embedded mode only"
            )
        return cls(decode_kek(read_or_create_secret(keys_dir, KEK_FILE, lambda: new_kek().encode("ascii"))), keys_dir)

    # -- keys --------------------------------------------------------------------------------

    def _wrapper(self, name: str):
        def generate() -> bytes:
            nonce = os.urandom(_NONCE)
            return nonce + self._kek.encrypt(nonce, os.urandom(32), name.encode())

        return generate

    def _unwrap(self, name: str, wrapped: bytes) -> bytes:
        try:
            return self._kek.decrypt(wrapped[:_NONCE], wrapped[_NONCE:], name.encode())
        except InvalidTag:
            raise KeyConfigurationError(
                f"{name} cannot be unwrapped with this FIELD_KEK: the KEK is not the one the key was created with, "
                "or the file is damaged"
            ) from None

    def reload(self) -> None:
        """Load every wrapped DEK in KEYS_DIR (another process may have rotated)."""
        with self._lock:
            for path in glob.glob(os.path.join(self.keys_dir, f"{DEK_PREFIX}*{DEK_SUFFIX}")):
                name = os.path.basename(path)
                kid = name[len(DEK_PREFIX) : -len(DEK_SUFFIX)]
                if kid in self._deks or not re.fullmatch(r"k\d+", kid):
                    continue
                with open(path, "rb") as handle:
                    self._deks[kid] = AESGCM(self._unwrap(name, handle.read()))
                self._prefixes[kid] = f"{VERSION}.{kid}."
            self.kids = sorted(self._deks, key=lambda kid: int(kid[1:]))
            self.active_kid = self.kids[-1] if self.kids else None

    def rotate(self) -> str:
        """Create the next data key; it encrypts from now on. Returns its kid."""
        self.reload()
        kid = f"k{int(self.active_kid[1:]) + 1 if self.active_kid else 1}"
        name = f"{DEK_PREFIX}{kid}{DEK_SUFFIX}"
        read_or_create_secret(self.keys_dir, name, self._wrapper(name))  # a racing process's key wins
        self.reload()
        return kid

    # -- values ------------------------------------------------------------------------------

    def encrypt(self, value: str, context: str) -> str:
        """`value` encrypted for the field named `context`, e.g. "registry_people.id_number"."""
        kid = self.active_kid
        nonce = os.urandom(_NONCE)
        sealed = self._deks[kid].encrypt(nonce, value.encode(), context.encode())
        return self._prefixes[kid] + base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode("ascii")

    def decrypt(self, token: str, context: str) -> str:
        try:
            version, kid, payload = token.split(".", 2)
            raw = _unb64url(payload)
        except (AttributeError, ValueError, binascii.Error):
            raise DecryptionError("not a field ciphertext") from None
        if version != VERSION:
            raise DecryptionError(f"unknown ciphertext version {version!r}")
        aead = self._deks.get(kid)
        if aead is None:
            self.reload()
            aead = self._deks.get(kid)
            if aead is None:
                raise DecryptionError(f"no data key {kid!r} in the key directory")
        try:
            return aead.decrypt(raw[:_NONCE], raw[_NONCE:], context.encode()).decode()
        except (InvalidTag, ValueError):
            raise DecryptionError(f"the ciphertext does not decrypt as {context} (tampered, or from another field)") from None

    def encrypt_optional(self, value: str | None, context: str) -> str | None:
        return None if value is None else self.encrypt(value, context)

    def decrypt_optional(self, token: str | None, context: str) -> str | None:
        return None if token is None else self.decrypt(token, context)

    def blind_index(self, kind: str, value: str) -> str:
        """Deterministic HMAC-SHA256 (base64url) of `kind:normalized value`; differs per kind."""
        message = f"{kind}:{normalize(kind, value)}".encode()
        return _b64url(hmac.digest(self._index_key, message, "sha256"))


def field_cipher(app: Any = None) -> FieldCipher:
    """The app's FieldCipher, built once and kept in app.extensions."""
    if app is None:
        from flask import current_app

        app = current_app._get_current_object()
    cipher = app.extensions.get("field_cipher")
    if cipher is None:
        cipher = app.extensions["field_cipher"] = FieldCipher.from_config(app.config)
    return cipher


# What seals the personal data written to a store: a FieldCipher, or a weak reference to the app
# that owns the store (its cipher is built when first needed). Weak both ways: apps and stores
# made by tests come and go.
_STORE_CIPHERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_STORE_CIPHERS_LOCK = threading.Lock()


def bind_cipher(store: Any, cipher: FieldCipher) -> FieldCipher:
    """Declare `cipher` the one for `store`: for a process that opens a store without an app."""
    with _STORE_CIPHERS_LOCK:
        _STORE_CIPHERS[store] = cipher
    return cipher


def bind_app_cipher(app: Any) -> None:
    """Let code that holds only the app's store (the outbox, the SMS log) use the app's cipher."""
    with _STORE_CIPHERS_LOCK:
        _STORE_CIPHERS[app.extensions["store"]] = weakref.ref(app)


def cipher_for_store(store: Any) -> FieldCipher:
    """The cipher for code that holds a store but no app: the outbox, the SMS log, test helpers.

    The one bound to the store (bind_cipher, bind_app_cipher); else the current app's, when that
    app owns the store; else one built from the environment's settings (api/config.load_config),
    as a script that opens the default store would, bound to the store from then on.
    """
    with _STORE_CIPHERS_LOCK:
        bound = _STORE_CIPHERS.get(store)
    if isinstance(bound, weakref.ref):
        bound = bound()
        if bound is not None:
            return field_cipher(bound)
    elif bound is not None:
        return bound
    from flask import current_app, has_app_context

    if has_app_context() and current_app.extensions.get("store") is store:
        return field_cipher(current_app._get_current_object())
    from api.config import load_config

    return bind_cipher(store, FieldCipher.from_config(load_config()))


# -- masking (API responses show these unless the owner asks for the full value) -------------

COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 长孙 令狐 夏侯 轩辕 端木 独孤 南宫 西门 司徒 申屠 太史 呼延 宇文".split()
)
_ADDRESS_HEAD = re.compile(
    r"^(?:[^省]{2,7}省|[^区]{2,10}自治区)?"  # province
    r"(?:[^市州盟]{1,10}?(?:市|自治州|地区|盟))?"  # city, prefecture
    r"(?:[^区县市旗]{1,10}?(?:区|县|市|旗))?"  # district, county, county-level city
)


def mask_id_number(value: str | None) -> str | None:
    """4302**********1234: the region of the first four and the last four characters."""
    if not value:
        return value
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str | None) -> str | None:
    """138****5678."""
    if not value:
        return value
    if len(value) < 8:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str | None) -> str | None:
    """The surname stays, every other character is a *: 张三丰 → 张**, 欧阳娜娜 → 欧阳**."""
    if not value:
        return value
    if len(value) == 1:
        return "*"
    keep = 2 if value[:2] in COMPOUND_SURNAMES and len(value) > 2 else 1
    return value[:keep] + "*" * (len(value) - keep)


def mask_address(value: str | None) -> str | None:
    """Up to the district stays: 湖南省株洲市天元区示例路12号 → 湖南省株洲市天元区****."""
    if not value:
        return value
    head = _ADDRESS_HEAD.match(value).group(0)
    if head == value:
        return value
    return head + "****"
