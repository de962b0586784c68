"""The Ed25519 signing keys of access tokens, one PEM file per key id under KEYS_DIR.

The newest key signs; every key still on disk verifies and is published at
/.well-known/jwks.json, so rotating keys never logs anyone out.
"""

from __future__ import annotations

import base64
import functools
import glob
import os
import time
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from api.config import read_or_create_secret

PREFIX = "jwt-ed25519-"


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: Ed25519PrivateKey
    created: float

    @functools.cached_property  # derived once per key: every remembered access token is checked against it
    def public_key(self) -> Ed25519PublicKey:
        return self.private_key.public_key()

    def jwk(self) -> dict:
        raw = self.public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        x = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
        return {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": self.kid, "use": "sig", "alg": "EdDSA"}


def _pem() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def new_key(keys_dir: str) -> str:
    """Create a key; it signs from now on. Returns its kid (sortable by creation time)."""
    now = time.time()
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now)) + f"{int(now * 1e6) % 1_000_000:06d}"
    kid = stamp + "-" + base64.b32encode(os.urandom(5)).decode().lower()
    read_or_create_secret(keys_dir, f"{PREFIX}{kid}.pem", _pem)
    return kid


def retire_keys(keys_dir: str, token_seconds: int, now: float | None = None) -> list[str]:
    """Delete the keys that no unexpired token can name; returns their kids.

    A key stopped signing when the next one was made; once a token lifetime (and a minute of
    clock skew) has passed since then, every token it signed has expired, so its public key need
    not be published or trusted any longer. The newest key is never retired.
    """
    now = time.time() if now is None else now
    made = {}
    for path in glob.glob(os.path.join(keys_dir, f"{PREFIX}*.pem")):
        made[os.path.basename(path)[len(PREFIX) : -len(".pem")]] = os.path.getmtime(path)
    kids = sorted(made)
    retired = []
    for older, newer in zip(kids, kids[1:], strict=False):
        if now - made[newer] > token_seconds + 60:
            os.remove(os.path.join(keys_dir, f"{PREFIX}{older}.pem"))
            retired.append(older)
    return retired


class KeyRing:
    """The keys on disk, reloaded every RELOAD_SECONDS (another process may rotate or retire keys).

    A token naming a kid we do not hold may be signed by a key another process just made, so it
    triggers a reload, but at most one every MISS_RELOAD_SECONDS: forged tokens with made-up kids
    must not make every request read the key directory.
    """

    RELOAD_SECONDS = 60
    MISS_RELOAD_SECONDS = 5

    def __init__(self, keys_dir: str, now=time.monotonic):
        self.keys_dir = keys_dir
        self.now = now
        self.reload()
        if not self.keys:
            new_key(keys_dir)
            self.reload()

    def reload(self) -> None:
        self.loaded_at = self.now()
        keys = {}
        for path in sorted(glob.glob(os.path.join(self.keys_dir, f"{PREFIX}*.pem"))):
            kid = os.path.basename(path)[len(PREFIX) : -len(".pem")]
            with open(path, "rb") as handle:
                private_key = serialization.load_pem_private_key(handle.read(), password=None)
            keys[kid] = SigningKey(kid, private_key, os.path.getmtime(path))
        self.keys = keys

    def _reload_if_older_than(self, seconds: float) -> None:
        if self.now() - self.loaded_at >= seconds:
            self.reload()

    @property
    def signer(self) -> SigningKey:
        """The newest key; other processes pick up a rotation within RELOAD_SECONDS."""
        self._reload_if_older_than(self.RELOAD_SECONDS)
        return self.keys[max(self.keys)]

    def public_key(self, kid: str) -> Ed25519PublicKey | None:
        self._reload_if_older_than(self.RELOAD_SECONDS)  # a retired key stops verifying here too
        key = self.keys.get(kid)
        if key is None:
            self._reload_if_older_than(self.MISS_RELOAD_SECONDS)  # another process may have rotated
            key = self.keys.get(kid)
        return key.public_key if key else None

    def jwks(self) -> dict:
        self._reload_if_older_than(self.RELOAD_SECONDS)
        return {"keys": [key.jwk() for _, key in sorted(self.keys.items())]}
