"""Access tokens: EdDSA (Ed25519) JWTs with a kid, 15 minutes, iss/aud/sub/roles/acr/act claims.

Verifying one costs about 0.2–0.4 ms (PyJWT's parsing and the Ed25519 check), and a client sends the
same token with every request for 15 minutes: each process remembers the tokens it has verified
(VerifiedTokens) and, when one comes again, redoes only the checks whose answer can have changed since.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from flask import Flask, current_app

from .keys import KeyRing

ALGORITHM = "EdDSA"
AUDIENCE = "onetrip-api"
LEEWAY_SECONDS = 5
REQUIRED_CLAIMS = ["exp", "iat", "sub", "aud", "iss"]
REMEMBERED_TOKENS = 4096  # per process; a token and its claims are about 1 KB


class InvalidToken(Exception):
    """The token is missing, forged, expired or meant for someone else."""


def keyring(app: Flask | None = None) -> KeyRing:
    app = app or current_app
    ring = app.extensions.get("jwt_keyring")
    if ring is None:
        ring = app.extensions["jwt_keyring"] = KeyRing(app.config["KEYS_DIR"])
    return ring


def issue_access_token(
    app: Flask | None,
    account_id: str,
    roles: Iterable[str] = ("citizen",),
    acr: int = 1,
    act: str | None = None,
    extra: dict[str, Any] | None = None,
) -> str:
    app = app or current_app
    key = keyring(app).signer
    now = int(time.time())
    claims = {
        "iss": app.config["JWT_ISSUER"],
        "aud": AUDIENCE,
        "sub": account_id,
        "roles": sorted(set(roles)),
        "acr": int(acr),
        "iat": now,
        "nbf": now,
        "exp": now + int(app.config["ACCESS_TOKEN_SECONDS"]),
        "jti": secrets.token_urlsafe(12),
    }
    if act:
        claims["act"] = act
    claims.update(extra or {})
    return jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid})


@dataclass(frozen=True)
class VerifiedToken:
    """What a full verification established, and what must be checked again on each later use."""

    claims: dict
    kid: str
    public_key: Ed25519PublicKey  # the key that verified the signature
    issuer: str
    not_before: int  # iat, or nbf when later: PyJWT refuses while either is past now + leeway
    expires: int  # exp: PyJWT refuses once exp <= now - leeway


class VerifiedTokens:
    """The access tokens this process has verified, by their exact text: a bounded LRU (thread-safe).

    Only tokens that passed every check are remembered, never a refusal. A remembered token is still
    refused as soon as its exp passes (same leeway and clock as PyJWT), when its key is no longer in
    the keyring (retired: KeyRing reloads the key directory on the same schedule either way) or is not
    the key that verified it, and when the app expects another issuer. The session behind a token is
    not remembered here: access.py asks the store about it on every request.
    """

    def __init__(self, size: int = REMEMBERED_TOKENS, now=time.time):
        self.size = size
        self.now = now
        self._entries: OrderedDict[str, VerifiedToken] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, token: str) -> VerifiedToken | None:
        with self._lock:
            entry = self._entries.get(token)
            if entry is not None:
                self._entries.move_to_end(token)
            return entry

    def remember(self, token: str, entry: VerifiedToken) -> None:
        with self._lock:
            self._entries[token] = entry
            self._entries.move_to_end(token)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def forget(self, token: str) -> None:
        with self._lock:
            self._entries.pop(token, None)


def verified_tokens(app: Flask | None = None) -> VerifiedTokens:
    app = app or current_app
    remembered = app.extensions.get("verified_tokens")
    if remembered is None:
        remembered = app.extensions.setdefault("verified_tokens", VerifiedTokens())
    return remembered


def verify_access_token(token: str, app: Flask | None = None) -> dict:
    """The token's claims if it is ours, in date and for us; InvalidToken otherwise."""
    app = app or current_app._get_current_object()  # the proxy resolved once: a remembered token costs ~4 µs, not ~8
    remembered = verified_tokens(app)
    entry = remembered.get(token)
    if entry is None or entry.issuer != app.config["JWT_ISSUER"]:
        entry = _verify(token, app)
        remembered.remember(token, entry)
        return dict(entry.claims)
    if keyring(app).public_key(entry.kid) != entry.public_key:
        remembered.forget(token)
        raise InvalidToken("unknown key id")
    now = remembered.now()
    if entry.expires <= now - LEEWAY_SECONDS:
        remembered.forget(token)
        raise InvalidToken("Signature has expired")
    if entry.not_before > now + LEEWAY_SECONDS:
        raise InvalidToken("The token is not yet valid")
    return dict(entry.claims)


def _verify(token: str, app: Flask) -> VerifiedToken:
    """Every check, by PyJWT: the header's alg and kid, the signature, aud, iss, required claims, times."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise InvalidToken("malformed token") from exc
    if header.get("alg") != ALGORITHM or not isinstance(header.get("kid"), str):
        raise InvalidToken("wrong algorithm or no key id")
    public_key = keyring(app).public_key(header["kid"])
    if public_key is None:
        raise InvalidToken("unknown key id")
    issuer = app.config["JWT_ISSUER"]
    try:
        claims = jwt.decode(
            token,
            public_key,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": REQUIRED_CLAIMS},
        )
    except jwt.PyJWTError as exc:
        raise InvalidToken(str(exc)) from exc
    # PyJWT has just checked that these are integers (int() of them succeeded) and in date
    starts = [int(claims["iat"])] + ([int(claims["nbf"])] if "nbf" in claims else [])
    return VerifiedToken(claims, header["kid"], public_key, issuer, max(starts), int(claims["exp"]))
