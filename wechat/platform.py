"""The messaging platform's server API (微信小程序服务端接口), written from its public documents.

`config` is the app's config mapping (Flask's `app.config`, or `load_config()`); the WECHAT_* keys
are read from it through `WechatSettings.from_config` (settings.py).

- `access_token(store, config)`: the app's interface credential from `POST /cgi-bin/stable_token`,
  kept in the store collection `wechat_access_tokens` (one document per app id) so that every API
  process and worker shares one token. It is refreshed before its expiry (the platform hands out a
  new one in the last 5 minutes of the old, so we refresh with that margin). One refresher at a time:
  a process takes a short lease with a conditional update (`lease_until` in the past); the others poll
  the document until the new token is there or the lease runs out.
- `call(store, config, path, payload)`: POST JSON to `path?access_token=…`; the errcode 40001
  (invalid credential) or 42001 (expired) makes it refresh the token once and retry once. Any other
  non-zero errcode raises `PlatformError(errcode, errmsg)`; -1 (system busy), a network failure, a
  5xx or a body that is not JSON raise `PlatformUnavailable` (worth retrying later).
- `code_to_session(config, js_code)`: `GET /sns/jscode2session` (no access_token; app id + secret).
- `phone_number(store, config, code)`: `POST /wxa/business/getuserphonenumber`, the verified phone.

Nothing here logs a response body, a token or a session_key; error messages name the path only,
never the URL (it carries the access_token or the secret).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from api.clock import iso_in, now_iso
from api.store import new_id

from .settings import WechatSettings

log = logging.getLogger("onetrip.wechat")

TOKENS = "wechat_access_tokens"
REFRESH_MARGIN_SECONDS = 300  # the platform renews a stable token in its last 5 minutes
LEASE_SECONDS = 15  # how long one refresher may hold the lease before another may take over
POLL_SECONDS = 0.05
STALE_TOKEN_ERRORS = frozenset({40001, 42001})  # invalid credential, access_token expired
SYSTEM_BUSY = -1
_LONG_AGO = "1970-01-01T00:00:00.000Z"


class PlatformError(Exception):
    """The platform answered with a non-zero errcode (the request was understood and refused)."""

    def __init__(self, errcode: int, errmsg: str = ""):
        super().__init__(f"errcode {errcode}: {errmsg}")
        self.errcode, self.errmsg = int(errcode), errmsg


class PlatformUnavailable(Exception):
    """The platform could not be reached or was busy; nothing is known to have happened."""


@dataclass(frozen=True)
class CodeSession:
    """What jscode2session returns; session_key stays on the server (stored encrypted)."""

    openid: str
    unionid: str | None
    session_key: str

    def __repr__(self) -> str:  # never print the session_key, not even in a traceback's locals
        return f"CodeSession(openid={self.openid!r}, unionid={self.unionid!r}, session_key=<hidden>)"


def _settings(config: Mapping[str, Any] | WechatSettings) -> WechatSettings:
    return config if isinstance(config, WechatSettings) else WechatSettings.from_config(config)


def _http(settings: WechatSettings, method: str, path: str, params: dict, body: dict | None = None) -> dict:
    try:
        response = requests.request(
            method,
            settings.api_base + path,
            params=params,
            json=body,
            timeout=(min(2.0, settings.timeout), settings.timeout),
            allow_redirects=False,
        )
    except requests.RequestException as exc:
        raise PlatformUnavailable(f"{path}: {type(exc).__name__}") from None  # the URL may carry a secret
    if response.status_code >= 500:
        raise PlatformUnavailable(f"{path}: HTTP {response.status_code}")
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise PlatformUnavailable(f"{path}: HTTP {response.status_code}, not a JSON object")
    return answer


def _checked(path: str, answer: dict) -> dict:
    errcode = int(answer.get("errcode") or 0)
    if errcode == SYSTEM_BUSY:
        raise PlatformUnavailable(f"{path}: system busy")
    if errcode:
        raise PlatformError(errcode, str(answer.get("errmsg") or ""))
    return answer


# --- the shared access_token -------------------------------------------------------------------


def _usable(record: dict | None, stale: str | None) -> bool:
    return bool(record and record.get("token") and record["token"] != stale and record["refresh_at"] > now_iso())


def _fetch_token(settings: WechatSettings, stale: str | None) -> tuple[str, int]:
    """Normal mode first; force a new token only when the platform hands back the one it rejected."""
    path = "/cgi-bin/stable_token"
    request = {"grant_type": "client_credential", "appid": settings.appid, "secret": settings.secret}
    answer = _checked(path, _http(settings, "POST", path, {}, {**request, "force_refresh": False}))
    if stale is not None and answer.get("access_token") == stale:
        answer = _checked(path, _http(settings, "POST", path, {}, {**request, "force_refresh": True}))
    token, expires_in = answer.get("access_token"), int(answer.get("expires_in") or 0)
    if not isinstance(token, str) or not token or expires_in <= 0:
        raise PlatformUnavailable(f"{path}: no access_token in the answer")
    return token, expires_in


def _refresh(tokens, settings: WechatSettings, owner: str, stale: str | None) -> str:
    try:
        token, expires_in = _fetch_token(settings, stale)
    except BaseException:
        tokens.update_one({"_id": settings.appid, "lease_owner": owner}, {"$set": {"lease_until": _LONG_AGO}})
        raise
    margin = min(REFRESH_MARGIN_SECONDS, expires_in // 2)
    tokens.update_one(
        {"_id": settings.appid, "lease_owner": owner},
        {
            "$set": {
                "token": token,
                "expires_at": iso_in(expires_in),
                "refresh_at": iso_in(expires_in - margin),
                "lease_until": _LONG_AGO,
                "updated_at": now_iso(),
            },
            "$inc": {"refreshes": 1},
        },
    )
    log.info("wechat access_token refreshed", extra={"appid": settings.appid, "expires_in": expires_in})
    return token


def access_token(store, config, stale: str | None = None) -> str:
    """The app's current access_token; `stale` is one the platform just rejected (never returned again)."""
    settings = _settings(config)
    tokens = store[TOKENS]
    give_up = time.monotonic() + LEASE_SECONDS + 2 * settings.timeout
    while True:
        record = tokens.find_one({"_id": settings.appid})
        if _usable(record, stale):
            return record["token"]
        if record is None:
            try:
                tokens.insert_one(
                    {"_id": settings.appid, "token": None, "refresh_at": _LONG_AGO, "lease_until": _LONG_AGO,
                     "refreshes": 0, "created_at": now_iso(), "updated_at": now_iso()}
                )  # fmt: skip
            except DuplicateKeyError:
                pass
        owner = new_id("lease_")
        leased = tokens.find_one_and_update(
            {"_id": settings.appid, "lease_until": {"$lt": now_iso()}},
            {"$set": {"lease_until": iso_in(LEASE_SECONDS), "lease_owner": owner}},
            return_document=ReturnDocument.AFTER,
        )
        if leased is not None:
            if _usable(leased, stale):  # another process refreshed between our read and our lease
                tokens.update_one({"_id": settings.appid, "lease_owner": owner}, {"$set": {"lease_until": _LONG_AGO}})
                return leased["token"]
            return _refresh(tokens, settings, owner, stale)
        if time.monotonic() > give_up:
            raise PlatformUnavailable("the access_token refresh by another process did not finish")
        time.sleep(POLL_SECONDS)


# --- calls -------------------------------------------------------------------------------------


def call(store, config, path: str, payload: dict) -> dict:
    """POST `payload` to the server API `path` with the shared access_token; one refresh and retry on 40001/42001."""
    settings = _settings(config)
    token = access_token(store, settings)
    answer = _http(settings, "POST", path, {"access_token": token}, payload)
    if int(answer.get("errcode") or 0) in STALE_TOKEN_ERRORS:
        log.info("wechat access_token rejected, refreshing once", extra={"path": path, "errcode": answer["errcode"]})
        token = access_token(store, settings, stale=token)
        answer = _http(settings, "POST", path, {"access_token": token}, payload)
    return _checked(path, answer)


def code_to_session(config, js_code: str) -> CodeSession:
    """wx.login's code → openid, unionid (when the app is on an open-platform account) and session_key."""
    settings = _settings(config)
    path = "/sns/jscode2session"
    params = {"appid": settings.appid, "secret": settings.secret, "js_code": js_code, "grant_type": "authorization_code"}
    answer = _checked(path, _http(settings, "GET", path, params))
    openid, session_key = answer.get("openid"), answer.get("session_key")
    if not isinstance(openid, str) or not openid or not isinstance(session_key, str) or not session_key:
        raise PlatformUnavailable(f"{path}: no openid or session_key in the answer")
    return CodeSession(openid=openid, unionid=answer.get("unionid") or None, session_key=session_key)


def phone_number(store, config, code: str) -> dict:
    """The phone button's code → phone_info {phoneNumber, purePhoneNumber, countryCode, watermark}."""
    settings = _settings(config)
    path = "/wxa/business/getuserphonenumber"
    info = call(store, settings, path, {"code": code}).get("phone_info")
    if not isinstance(info, dict) or not info.get("purePhoneNumber"):
        raise PlatformUnavailable(f"{path}: no phone_info in the answer")
    watermark = info.get("watermark") or {}
    if watermark.get("appid") and watermark["appid"] != settings.appid:
        raise PlatformError(40029, "watermark of another app")
    return info
