"""Who is calling: the bearer token on each request, and small decorators for the rules.

401 means "we don't know who you are" (no token, bad token); 403 means "we know, and you may not".
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from flask import g, request

from api.errors import Forbidden, Unauthenticated

from .tokens import InvalidToken, verify_access_token


@dataclass(frozen=True)
class Principal:
    account_id: str
    roles: tuple[str, ...]
    acr: int
    acting_for: str | None = None
    claims: dict | None = None

    def has_role(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)


class LoginRequired(Unauthenticated):
    retry_after = None


def _principal_from_request() -> Principal:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise LoginRequired(code="unauthenticated")
    try:
        claims = verify_access_token(token.strip())
    except InvalidToken as exc:
        raise LoginRequired("登录已过期或无效，请重新登录", code="invalid_token") from exc
    return Principal(
        account_id=claims["sub"],
        roles=tuple(claims.get("roles") or ()),
        acr=int(claims.get("acr") or 0),
        acting_for=claims.get("act"),
        claims=claims,
    )


def current_principal() -> Principal:
    principal = g.get("principal")
    if principal is None:
        principal = g.principal = _principal_from_request()
    return principal


def login_required(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        current_principal()
        return view(*args, **kwargs)

    return wrapper


def roles_required(*roles: str):
    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if not current_principal().has_role(*roles):
                raise Forbidden()
            return view(*args, **kwargs)

        return wrapper

    return decorator
