"""The verification tokens in the QR codes of e-certificates (电子证照核验码): Ed25519, compact, rotatable.

A token is `base64url(payload) "." base64url(signature)`, the payload being compact JSON
`{"kid", "cid", "typ", "iat"}`: the signing key's id, the certificate id, its type and the time
of signing. No personal data: the verifier looks the certificate up by id and shows only what the
verify endpoint allows. A token does not expire: the certificate's own status and validity decide.

Keys live in KEYS_DIR: `certificate-signing.pem` is the one private key that signs (0600, created on
first use); `certificate-verify-<kid>.pem` keeps the public key of every key that ever signed, so
`rotate_signing_key()` replaces the signer without invalidating a single printed QR code.
"""

from __future__ import annotations

import base64
import binascii
import glob
import hashlib
import json
import os
import re
import threading
import time

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from api.config import ensure_private_dir, private_temporary_name, read_or_create_secret

SIGNING_FILE = "certificate-signing.pem"
PUBLIC_PREFIX = "certificate-verify-"
PUBLIC_SUFFIX = ".pem"
MAX_TOKEN_LENGTH = 512
_KID = re.compile(r"^[A-Za-z0-9_-]{8}$")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(text: str) -> bytes:
    if not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _private_pem() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def key_id(key: Ed25519PublicKey) -> str:
    """8 characters derived from the public key itself, so a key file needs no separate id."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return _b64url(hashlib.sha256(raw).digest()[:6])


class CertificateKeys:
    """The signer and every public key on disk. Thread-safe; build one per process."""

    RELOAD_SECONDS = 60  # another process's rotation is picked up within this
    MISS_RELOAD_SECONDS = 5  # unknown kids (forged tokens) re-read the directory at most this often

    def __init__(self, keys_dir: str):
        self.keys_dir = keys_dir
        self._lock = threading.Lock()
        self._missed_at = 0.0
        self.reload()

    def reload(self) -> None:
        with self._lock:
            pem = read_or_create_secret(self.keys_dir, SIGNING_FILE, _private_pem)
            signer = serialization.load_pem_private_key(pem, password=None)
            if not isinstance(signer, Ed25519PrivateKey):
                raise ValueError(f"{SIGNING_FILE} must hold an Ed25519 private key")
            kid = key_id(signer.public_key())
            read_or_create_secret(self.keys_dir, f"{PUBLIC_PREFIX}{kid}{PUBLIC_SUFFIX}", lambda: _public_pem(signer.public_key()))
            public = {}
            for path in glob.glob(os.path.join(self.keys_dir, f"{PUBLIC_PREFIX}*{PUBLIC_SUFFIX}")):
                with open(path, "rb") as handle:
                    key = serialization.load_pem_public_key(handle.read())
                if isinstance(key, Ed25519PublicKey):
                    public[key_id(key)] = key  # the id comes from the key, never from the file name
            self._signer, self.kid, self._public = signer, kid, public
            self.loaded_at = time.monotonic()

    def sign(self, cert_id: str, cert_type: str, issued_at: int | None = None) -> str:
        if time.monotonic() - self.loaded_at > self.RELOAD_SECONDS:
            self.reload()
        payload = {"kid": self.kid, "cid": cert_id, "typ": cert_type, "iat": int(time.time() if issued_at is None else issued_at)}
        head = _b64url(json.dumps(payload, separators=(",", ":"), ensure_ascii=True).encode("ascii"))
        return head + "." + _b64url(self._signer.sign(head.encode("ascii")))

    def public_key(self, kid: str) -> Ed25519PublicKey | None:
        key = self._public.get(kid)
        if key is None and time.monotonic() - self._missed_at > self.MISS_RELOAD_SECONDS:
            self._missed_at = time.monotonic()
            self.reload()
            key = self._public.get(kid)
        return key

    def verify(self, token: str) -> dict | None:
        """The payload of a genuine token, or None for anything forged, tampered or malformed."""
        if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH or token.count(".") != 1:
            return None
        head, signature = token.split(".")
        try:
            payload = json.loads(_unb64url(head))
            raw_signature = _unb64url(signature)
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return None
        if not _well_formed(payload):
            return None
        key = self.public_key(payload["kid"])
        if key is None:
            return None
        try:
            key.verify(raw_signature, head.encode("ascii"))
        except InvalidSignature:
            return None
        return payload


def _well_formed(payload) -> bool:
    return (
        isinstance(payload, dict)
        and isinstance(payload.get("kid"), str)
        and bool(_KID.match(payload["kid"]))
        and isinstance(payload.get("cid"), str)
        and isinstance(payload.get("typ"), str)
        and isinstance(payload.get("iat"), int)
    )


def rotate_signing_key(keys_dir: str) -> str:
    """A new signer from now on (other processes follow within RELOAD_SECONDS); returns its kid.

    The old public key stays on disk as certificate-verify-<kid>.pem, so old QR codes still verify.
    """
    CertificateKeys(keys_dir)  # make sure the current signer's public key is kept before replacing it
    ensure_private_dir(keys_dir)
    pem = _private_pem()
    key = serialization.load_pem_private_key(pem, password=None)
    kid = key_id(key.public_key())
    read_or_create_secret(keys_dir, f"{PUBLIC_PREFIX}{kid}{PUBLIC_SUFFIX}", lambda: _public_pem(key.public_key()))
    temporary = private_temporary_name(os.path.join(keys_dir, SIGNING_FILE))
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, pem)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temporary, os.path.join(keys_dir, SIGNING_FILE))
    return kid


def certificate_keys(app=None) -> CertificateKeys:
    """The app's CertificateKeys, built once and kept in app.extensions."""
    if app is None:
        from flask import current_app

        app = current_app._get_current_object()
    keys = app.extensions.get("certificate_keys")
    if keys is None:
        keys = app.extensions["certificate_keys"] = CertificateKeys(app.config["KEYS_DIR"])
    return keys
