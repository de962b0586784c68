"""Sessions: an access token (15 min, stateless) plus a refresh-token family kept in the store.

A refresh token is opaque, stored only as its SHA-256, and good for one use: each refresh spends it
and hands out the next one of the same family. Presenting a spent token means it was copied, so
the whole family (the session) is revoked. Access tokens carry the family id (`sid`); a revoked
session stops working at once, not 15 minutes later. A session started by a client channel other
than the PWA (the mini-program: `channel="miniprogram"`) keeps it on the session document, and every
access token of the session, refreshed ones too, carries it as the claim `chan`.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from api.clock import iso_in, now_iso
from api.errors import Forbidden, NotFound, Unauthenticated
from api.store import new_id

from .tokens import issue_access_token

SESSIONS = "sessions"
REFRESH_TOKENS = "refresh_tokens"
REFRESH_SECONDS = 30 * 86400


class RefreshRejected(Unauthenticated):
    code, message = "session_expired", "登录已失效，请重新登录"


@dataclass
class IssuedTokens:
    access_token: str
    refresh_token: str
    expires_in: int
    session_id: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_refresh_token(store, family_id: str, account_id: str) -> str:
    token = secrets.token_urlsafe(32)
    store[REFRESH_TOKENS].insert_one(
        {"_id": _hash(token), "family_id": family_id, "account_id": account_id, "spent": False, "created_at": now_iso()}
    )
    return token


def _access(app, account: dict, session_id: str, acting_for: str | None = None, channel: str | None = None) -> str:
    extra = {"sid": session_id, "chan": channel} if channel else {"sid": session_id}
    return issue_access_token(app, account["_id"], roles=account["roles"], acr=account["acr"], act=acting_for, extra=extra)


def start_session(store, app, account: dict, device: str, channel: str | None = None) -> IssuedTokens:
    """A new session (refresh-token family); `channel` ("miniprogram") goes into every access token as `chan`."""
    session_id = new_id("ses_")
    now = now_iso()
    store[SESSIONS].insert_one(
        {
            "_id": session_id,
            "account_id": account["_id"],
            "device": device[:120],
            "channel": channel,
            "created_at": now,
            "last_used_at": now,
            "expires_at": iso_in(REFRESH_SECONDS),
            "revoked": False,
        }
    )
    refresh = _new_refresh_token(store, session_id, account["_id"])
    access = _access(app, account, session_id, channel=channel)
    return IssuedTokens(access, refresh, int(app.config["ACCESS_TOKEN_SECONDS"]), session_id)


def refresh_session(store, app, refresh_token: str, load_account, acting_for: str | None = None, may_act_for=None):
    """Spend the refresh token and hand out the next; a spent token revokes the whole session.

    Returns (IssuedTokens, account). With `acting_for`, the new access token acts for that org,
    if `may_act_for(account, credit_code)` allows it (checked before the token is spent).
    """
    if not refresh_token:
        raise RefreshRejected()
    token_hash = _hash(refresh_token)
    account = None
    if acting_for:  # only this case must read the token before spending it
        known = store[REFRESH_TOKENS].find_one({"_id": token_hash})
        if known is None:
            raise RefreshRejected()
        account = load_account(known["account_id"])
        if account and not known["spent"] and not may_act_for(account, acting_for):
            raise Forbidden("您无权代表该企业办理业务", code="not_authorized_for_org")
    now = now_iso()
    record = store[REFRESH_TOKENS].find_one_and_update({"_id": token_hash}, {"$set": {"spent": True, "spent_at": now}})
    if record is None:
        raise RefreshRejected()
    if record["spent"]:
        revoke_session(store, record["family_id"], reason="refresh_token_reuse")
        raise RefreshRejected("检测到登录凭证被重复使用，已为您退出该设备，请重新登录", code="refresh_token_reused")
    if not acting_for:
        account = load_account(record["account_id"])
    live = {"_id": record["family_id"], "revoked": False, "expires_at": {"$gt": now}}
    if account is None or account.get("disabled"):
        store[SESSIONS].update_one(live, _ended("account_disabled"))  # a session already ended keeps its reason
        raise RefreshRejected()
    # read and extend the session in one write: only a live one (not revoked, not expired) is extended
    session = store[SESSIONS].find_one_and_update(live, {"$set": {"last_used_at": now, "expires_at": iso_in(REFRESH_SECONDS)}})
    if session is None:
        raise RefreshRejected()
    refresh = _new_refresh_token(store, session["_id"], account["_id"])
    access = _access(app, account, session["_id"], acting_for, channel=session.get("channel"))
    return IssuedTokens(access, refresh, int(app.config["ACCESS_TOKEN_SECONDS"]), session["_id"]), account


def session_of_refresh_token(store, refresh_token: str) -> str | None:
    record = store[REFRESH_TOKENS].find_one({"_id": _hash(refresh_token)}) if refresh_token else None
    return record["family_id"] if record else None


def _ended(reason: str) -> dict:
    """The update that ends a session: every access token of it is refused from the next request on."""
    return {"$set": {"revoked": True, "revoked_reason": reason, "revoked_at": now_iso()}}


def revoke_session(store, session_id: str, reason: str = "logout") -> None:
    store[SESSIONS].update_one({"_id": session_id}, _ended(reason))


def revoke_own_session(store, account_id: str, session_id: str) -> None:
    result = store[SESSIONS].update_one({"_id": session_id, "account_id": account_id}, _ended("logout"))
    if result.matched_count == 0:
        raise NotFound("找不到该登录设备")


def revoke_all_sessions(store, account_id: str) -> int:
    result = store[SESSIONS].update_many({"account_id": account_id, "revoked": False}, _ended("logout_everywhere"))
    return result.modified_count


def revoke_channel_sessions(store, account_id: str, channel: str) -> int:
    """End the account's sessions started by one client channel (the mini-program, when it is unbound)."""
    result = store[SESSIONS].update_many(
        {"account_id": account_id, "channel": channel, "revoked": False}, _ended(f"{channel}_unbound")
    )
    return result.modified_count


def session_is_live(store, session_id: str) -> bool:
    session = store[SESSIONS].find_one({"_id": session_id}, {"revoked": 1, "expires_at": 1})
    return bool(session) and not session["revoked"] and session["expires_at"] > now_iso()


def active_sessions(store, account_id: str) -> list[dict]:
    return list(
        store[SESSIONS]
        .find({"account_id": account_id, "revoked": False, "expires_at": {"$gt": now_iso()}})
        .sort("last_used_at", -1)
        .limit(50)
    )
