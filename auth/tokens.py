"""Access tokens: EdDSA (Ed25519) JWTs with a kid, 15 minutes, iss/aud/sub/roles/acr/act claims."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable
from typing import Any

import jwt
from flask import Flask, current_app

from .keys import KeyRing

ALGORITHM = "EdDSA"
AUDIENCE = "onetrip-api"


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


def verify_access_token(token: str, app: Flask | None = None) -> dict:
    app = app or current_app
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise InvalidToken("malformed token") from exc
    if header.get("alg") != ALGORITHM or not isinstance(header.get("kid"), str):
        raise InvalidToken("wrong algorithm or no key id")
    public_key = keyring(app).public_key(header["kid"])
    if public_key is None:
        raise InvalidToken("unknown key id")
    try:
        return jwt.decode(
            token,
            public_key,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=app.config["JWT_ISSUER"],
            leeway=5,
            options={"require": ["exp", "iat", "sub", "aud", "iss"]},
        )
    except jwt.PyJWTError as exc:
        raise InvalidToken(str(exc)) from exc
