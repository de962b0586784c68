"""VAPID keys (RFC 8292): one P-256 key pair, generated on first use into var/keys/ (0600)."""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from api.config import read_or_create_secret

KEY_FILE = "vapid_private_key.pem"


def _generate_pem() -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


@lru_cache(maxsize=8)
def private_key(keys_dir: str) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(read_or_create_secret(keys_dir, KEY_FILE, _generate_pem), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise ValueError(f"{KEY_FILE} must hold a P-256 private key")
    return key


def public_key_b64(keys_dir: str) -> str:
    """The applicationServerKey a browser subscribes with: the uncompressed point, base64url without padding."""
    public = private_key(keys_dir).public_key()
    raw = public.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
