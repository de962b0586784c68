"""Who is calling: the bearer token on each request, and small decorators for the rules.

401 means "we don't know who you are" (no token, bad token, session ended); 403 means "we know,
and you may not". `X-Acting-For: <credit code>` (or the token's `act` claim) selects a business to
act for; it is checked against the registry and the agent grants on every request.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace

from flask import current_app, g, request

from api.errors import Forbidden, Unauthenticated, Unavailable

from .tokens import InvalidToken, verify_access_token


@dataclass(frozen=True)
class Principal:
    account_id: str
    roles: tuple[str, ...]
    acr: int
    acting_for: str | None = None
    acting_as: str | None = None  # legal_representative | agent
    session_id: str | None = None
    channel: str | None = None  # the token's `chan` claim: "miniprogram" for a mini-program session, else None

    def has_role(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)


class LoginRequired(Unauthenticated):
    pass


def _principal_from_request() -> Principal:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise LoginRequired(code="unauthenticated")
    try:
        claims = verify_access_token(token.strip())
    except InvalidToken as exc:
        raise LoginRequired("登录已过期或无效，请重新登录", code="invalid_token") from exc
    session_id = claims.get("sid")
    if session_id is not None:
        from .sessions import session_is_live

        if not session_is_live(current_app.extensions["store"], session_id):
            raise LoginRequired("登录已失效，请重新登录", code="session_ended")
    principal = Principal(
        account_id=claims["sub"],
        roles=tuple(claims.get("roles") or ()),
        acr=int(claims.get("acr") or 0),
        session_id=session_id,
        channel=claims.get("chan"),
    )
    wanted = request.headers.get("X-Acting-For") or claims.get("act")
    return _acting_for(principal, wanted.strip().upper()) if wanted else principal


def _acting_for(principal: Principal, credit_code: str) -> Principal:
    from .accounts import find_account
    from .business import relation_to
    from .crypto import field_cipher
    from .registry import RegistryUnavailable, registry_for

    store = current_app.extensions["store"]
    account = find_account(store, principal.account_id)
    try:
        relation = account and relation_to(store, field_cipher(), registry_for(current_app), account, credit_code)
    except RegistryUnavailable as outage:  # not a refusal: the 法人库 could not say, so the client may retry
        raise Unavailable("暂时无法连接政府数据平台，请稍后再试", code="registry_unavailable") from outage
    if not relation:
        raise Forbidden("您无权代表该企业办理业务", code="not_authorized_for_org")
    return replace(principal, acting_for=credit_code, acting_as=relation, roles=tuple(sorted({*principal.roles, "business"})))


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


def real_name_required(level: int):
    """The caller must have reached real-name level `level` (2: registry-checked, 3: in person)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if current_principal().acr < level:
                raise Forbidden(f"该事项需要实名认证等级L{level}", code="real_name_level_too_low")
            return view(*args, **kwargs)

        return wrapper

    return decorator
