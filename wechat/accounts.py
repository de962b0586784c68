"""Mini-program identities bound to accounts (微信账号绑定), and the login and phone rules on them.

`wechat_accounts`: {_id, account_id, appid, openid, unionid, session_key_enc, created_at, updated_at,
version}. One binding per (appid, openid) and one per (account_id, appid): an account has at most
one openid of an app, and an openid belongs to one account. The session_key is the platform's key
for this user's encrypted data; it is stored encrypted (auth/crypto.py, field
"wechat_accounts.session_key") and never leaves the server.

- `login`: the first login of an openid creates an account with no phone yet, real-name level 0
  (below L1: it may look around, but every service item needs at least L1); with a caller already
  logged in (`current_account_id`), the openid is bound to that account instead. Later logins reuse
  the bound account.
- `bind_phone`: the phone verified by the platform (getuserphonenumber) is bound to the account and
  makes it L1 without an SMS code. A phone that already belongs to another account is a 409, never
  a takeover: that person logs in with SMS and binds the mini-program from there.
  An openid held by such an empty level-0 account moves to the account of a caller who logged in
  with SMS (the person already had an account): the empty one is closed (`merged_into`).
- `unbind`: the openid is released; the account stays (with its phone it can log in by SMS).
"""

from __future__ import annotations

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from api.clock import now_iso
from api.errors import Conflict, Forbidden, Invalid, NotFound, Unavailable
from api.store import new_id
from auth.accounts import ACCOUNTS, find_account, get_account, normalized_phone
from auth.limits import TooManyRequests
from auth.sessions import revoke_channel_sessions

from . import platform
from .settings import WechatSettings

BINDINGS = "wechat_accounts"
CHANNEL = "miniprogram"
SESSION_KEY_FIELD = "wechat_accounts.session_key"
CODE_ERRORS = {40029: "invalid code", 40163: "code been used"}
RATE_LIMITED = 45011


def openid_of(store, account_id: str, appid: str) -> str | None:
    """The account's openid in the app `appid` (the payer of a JSAPI order), or None if not bound."""
    binding = store[BINDINGS].find_one({"account_id": account_id, "appid": appid}, {"openid": 1})
    return binding["openid"] if binding else None


def binding_of(store, account_id: str, appid: str) -> dict | None:
    return store[BINDINGS].find_one({"account_id": account_id, "appid": appid})


def _platform_refusal(error: platform.PlatformError, what: str):
    if error.errcode in CODE_ERRORS:
        return Invalid(f"{what}已失效，请重新获取后再试", code="wechat_code_invalid", errors={"code": [f"{what}无效或已使用"]})
    if error.errcode == RATE_LIMITED:
        return TooManyRequests(60, "操作太频繁，请稍后再试")
    return Unavailable("暂时无法连接微信服务，请稍后再试", code="wechat_unavailable")


def exchange_code(config, js_code: str) -> platform.CodeSession:
    try:
        return platform.code_to_session(config, js_code)
    except platform.PlatformError as error:
        raise _platform_refusal(error, "登录凭证") from None
    except platform.PlatformUnavailable:
        raise Unavailable("暂时无法连接微信服务，请稍后再试", code="wechat_unavailable") from None


def _new_binding(store, cipher, account_id: str, appid: str, session: platform.CodeSession, db_session=None) -> dict:
    now = now_iso()
    binding = {
        "_id": new_id("wxa_"),
        "account_id": account_id,
        "appid": appid,
        "openid": session.openid,
        "unionid": session.unionid,
        "session_key_enc": cipher.encrypt(session.session_key, SESSION_KEY_FIELD),
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }
    store[BINDINGS].insert_one(binding, session=db_session)
    return binding


def _renew_session_key(store, cipher, binding: dict, session: platform.CodeSession) -> None:
    store[BINDINGS].update_one(
        {"_id": binding["_id"]},
        {
            "$set": {
                "session_key_enc": cipher.encrypt(session.session_key, SESSION_KEY_FIELD),
                "unionid": session.unionid or binding.get("unionid"),
                "updated_at": now_iso(),
            },
            "$inc": {"version": 1},
        },
    )


def _usable_account(store, account_id: str) -> dict:
    account = find_account(store, account_id)
    if account is None:
        raise NotFound("找不到该账户")
    if account.get("disabled"):
        raise Forbidden("该账户已停用，请联系客服", code="account_disabled")
    return account


def _bind_to(store, cipher, account_id: str, appid: str, session: platform.CodeSession) -> None:
    try:
        _new_binding(store, cipher, account_id, appid, session)
    except DuplicateKeyError:
        holder = store[BINDINGS].find_one({"appid": appid, "openid": session.openid})
        if holder is not None and holder["account_id"] != account_id:
            raise Conflict("该微信已绑定其他账户", code="wechat_bound_elsewhere") from None
        if holder is None:
            raise Conflict("您的账户已绑定另一个微信，请先解除绑定", code="wechat_already_bound") from None


def login(store, cipher, config, js_code: str, current_account_id: str | None = None) -> tuple[dict, bool]:
    """wx.login's code → (account, created). See the module docstring for the rules."""
    appid = WechatSettings.from_config(config).appid
    session = exchange_code(config, js_code)
    binding = store[BINDINGS].find_one({"appid": appid, "openid": session.openid})
    if binding is not None:
        if current_account_id and binding["account_id"] != current_account_id:
            return _move_from_empty_account(store, cipher, binding, current_account_id, session), False
        account = _usable_account(store, binding["account_id"])
        _renew_session_key(store, cipher, binding, session)
        return account, False
    if current_account_id:
        account = _usable_account(store, current_account_id)
        _bind_to(store, cipher, account["_id"], appid, session)
        return account, False
    return _register(store, cipher, appid, session)


def _move_from_empty_account(store, cipher, binding: dict, account_id: str, session: platform.CodeSession) -> dict:
    """The openid's account never got a phone (level 0) and its owner has now logged in to their real
    account: the openid moves there and the empty account is closed. Any other holder: 409."""
    holder = find_account(store, binding["account_id"])
    if holder is not None and (holder.get("phone_enc") or holder["acr"] > 0):
        raise Conflict("该微信已绑定其他账户", code="wechat_bound_elsewhere")
    account = _usable_account(store, account_id)
    try:
        moved = store[BINDINGS].update_one(
            {"_id": binding["_id"], "account_id": binding["account_id"]},
            {
                "$set": {
                    "account_id": account_id,
                    "session_key_enc": cipher.encrypt(session.session_key, SESSION_KEY_FIELD),
                    "updated_at": now_iso(),
                },
                "$inc": {"version": 1},
            },
        )
    except DuplicateKeyError:
        raise Conflict("您的账户已绑定另一个微信，请先解除绑定", code="wechat_already_bound") from None
    if moved.matched_count == 0:
        raise Conflict()
    store[ACCOUNTS].update_one(
        {"_id": binding["account_id"], "acr": 0},
        {"$set": {"disabled": True, "merged_into": account_id, "updated_at": now_iso()}, "$inc": {"version": 1}},
    )
    revoke_channel_sessions(store, binding["account_id"], CHANNEL)
    return account


def _register(store, cipher, appid: str, session: platform.CodeSession) -> tuple[dict, bool]:
    now, account_id = now_iso(), new_id("acc_")
    account = {
        "_id": account_id,
        "phone_bi": f"none:{account_id}",  # no phone yet; a placeholder keeps the unique index (as api/applications/window.py)
        "roles": ["citizen"],
        "acr": 0,  # no verified phone yet: below L1
        "disabled": False,
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }
    try:
        with store.transaction() as db_session:
            store[ACCOUNTS].insert_one(account, session=db_session)
            _new_binding(store, cipher, account["_id"], appid, session, db_session)
    except DuplicateKeyError:
        # the same openid logged in at the same moment elsewhere: use that one. Our account is rolled
        # back with the transaction; an engine without transactions (mongomock, a standalone server) kept it
        store[ACCOUNTS].delete_one({"_id": account_id, "acr": 0})
        holder = store[BINDINGS].find_one({"appid": appid, "openid": session.openid})
        if holder is None:
            raise Conflict() from None
        return _usable_account(store, holder["account_id"]), False
    return account, True


def bind_phone(store, cipher, config, account_id: str, phone_code: str) -> dict:
    """The platform-verified phone of the phone button's code → bound to the account, L1 (no SMS)."""
    try:
        info = platform.phone_number(store, config, phone_code)
    except platform.PlatformError as error:
        raise _platform_refusal(error, "手机号授权凭证") from None
    except platform.PlatformUnavailable:
        raise Unavailable("暂时无法连接微信服务，请稍后再试", code="wechat_unavailable") from None
    if str(info.get("countryCode") or "86") != "86":
        raise Invalid("目前仅支持中国大陆手机号", code="phone_not_supported", errors={"code": ["目前仅支持中国大陆手机号"]})
    phone = normalized_phone(str(info["purePhoneNumber"]))
    account = get_account(store, account_id)
    phone_bi = cipher.blind_index("phone", phone)
    if account.get("phone_bi") == phone_bi:
        return account
    holder = store[ACCOUNTS].find_one({"phone_bi": phone_bi}, {"_id": 1})
    if holder is not None:
        raise _phone_taken()
    if account.get("phone_enc"):
        raise Conflict("您的账户已绑定其他手机号", code="phone_already_bound")
    try:
        updated = store[ACCOUNTS].find_one_and_update(
            {"_id": account_id, "version": account["version"], "phone_enc": {"$exists": False}},
            {
                "$set": {
                    "phone_bi": phone_bi,
                    "phone_enc": cipher.encrypt(phone, "accounts.phone"),
                    "acr": max(1, account["acr"]),
                    "phone_verified_by": CHANNEL,
                    "updated_at": now_iso(),
                },
                "$inc": {"version": 1},
            },
            return_document=ReturnDocument.AFTER,
        )
    except DuplicateKeyError:  # bound to another account at the same moment
        raise _phone_taken() from None
    if updated is None:
        raise Conflict()
    return updated


def _phone_taken() -> Conflict:
    return Conflict(
        "该手机号已绑定其他账户，请用该手机号短信登录后再绑定微信，如有疑问请到服务大厅办理",
        code="phone_bound_elsewhere",
    )


def unbind(store, account_id: str, appid: str) -> None:
    """Release the account's openid of `appid` and end its mini-program sessions; the account stays."""
    account = get_account(store, account_id)
    if binding_of(store, account_id, appid) is None:
        raise NotFound("您的账户未绑定微信", code="wechat_not_bound")
    if not account.get("phone_enc"):
        raise Conflict("请先绑定手机号再解除微信绑定，否则将无法再次登录该账户", code="phone_required")
    store[BINDINGS].delete_one({"account_id": account_id, "appid": appid})
    revoke_channel_sessions(store, account_id, CHANNEL)
