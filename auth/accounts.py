"""Accounts and real-name levels (实名等级).

L1: phone verified by an SMS code. L2: name + ID number match the population registry (人口库).
L3: verified in person by a clerk. Phones and ID numbers are stored encrypted, found by their
blind index; an ID number can be bound to one account only (`identity_bindings`, keyed by it).
"""

from __future__ import annotations

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from api import audit
from api.clock import now_iso
from api.errors import Conflict, Forbidden, Invalid, NotFound
from api.store import new_id

from .crypto import mask_id_number, mask_phone
from .limits import SHANGHAI, Rule, TooManyRequests, count, peek
from .validators import InvalidNumber, validate_id_number, validate_mobile

ACCOUNTS = "accounts"
BINDINGS = "identity_bindings"
REAL_NAME_RULE = Rule("real-name-failures", 5, 86400, SHANGHAI)
LOCKED = "今日实名认证失败次数过多，请明天再试"
ROLES = ("citizen", "business", "clerk", "approver", "courier", "admin")
STAFF_ROLES = ("clerk", "approver", "courier", "admin")


def _now() -> str:
    return now_iso()


def find_account(store, account_id: str) -> dict | None:
    return store[ACCOUNTS].find_one({"_id": account_id})


def get_account(store, account_id: str) -> dict:
    account = find_account(store, account_id)
    if account is None:
        raise NotFound("找不到该账户")
    return account


def normalized_phone(raw: str) -> str:
    try:
        return validate_mobile(raw)
    except InvalidNumber as exc:
        raise Invalid(str(exc), errors={"phone": [str(exc)]}) from None


def login_or_register(store, cipher, phone: str) -> tuple[dict, bool]:
    """The account of a verified phone, created at L1 on first login. Returns (account, created)."""
    phone_bi = cipher.blind_index("phone", phone)
    account = store[ACCOUNTS].find_one({"phone_bi": phone_bi})
    if account is not None:
        if account.get("disabled"):
            raise Forbidden("该账户已停用，请联系客服", code="account_disabled")
        return account, False
    now = _now()
    account = {
        "_id": new_id("acc_"),
        "phone_bi": phone_bi,
        "phone_enc": cipher.encrypt(phone, "accounts.phone"),
        "roles": ["citizen"],
        "acr": 1,
        "disabled": False,
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }
    try:
        store[ACCOUNTS].insert_one(account)
    except DuplicateKeyError:  # the same phone registered at the same moment elsewhere: use that one
        return store[ACCOUNTS].find_one({"phone_bi": phone_bi}), False
    return account, True


def real_name_upgrade(store, cipher, registry, account_id: str, name: str, id_number: str) -> dict:
    """L1 → L2 when name and ID number match the registry; 5 mismatches a day lock the attempt."""
    account = get_account(store, account_id)
    if account["acr"] >= 2:
        raise Conflict("您已完成实名认证", code="already_verified")
    if account["acr"] < 1:  # a mini-program account before its phone is bound (wechat/accounts.py)
        raise Conflict("请先绑定手机号，再进行实名认证", code="phone_required")
    try:
        id_number = validate_id_number(id_number)
    except InvalidNumber as exc:
        raise Invalid(str(exc), errors={"id_number": [str(exc)]}) from None
    name = (name or "").strip()
    if not name:
        raise Invalid("请填写姓名", errors={"name": ["请填写姓名"]})
    failures, until_tomorrow = peek(store, REAL_NAME_RULE, account_id)
    if failures >= REAL_NAME_RULE.limit:
        raise TooManyRequests(until_tomorrow, LOCKED)
    if not registry.verify_person(name, id_number):
        failures, until_tomorrow = count(store, REAL_NAME_RULE, account_id)
        left = REAL_NAME_RULE.limit - failures
        if left <= 0:
            raise TooManyRequests(until_tomorrow, LOCKED)
        raise Invalid(
            f"姓名与身份证号码不匹配，今日还可尝试{left}次",
            code="identity_mismatch",
            errors={"id_number": ["姓名与身份证号码不匹配"]},
        )
    id_bi = cipher.blind_index("id_number", id_number)
    try:
        store[BINDINGS].insert_one({"_id": id_bi, "account_id": account_id, "created_at": _now()})
    except DuplicateKeyError:
        holder = store[BINDINGS].find_one({"_id": id_bi})
        if holder and holder["account_id"] != account_id:
            raise Conflict("该身份证号码已绑定其他账户，如有疑问请到服务大厅办理", code="identity_taken") from None
    updated = store[ACCOUNTS].find_one_and_update(
        {"_id": account_id, "version": account["version"]},
        {
            "$set": {
                "acr": max(2, account["acr"]),
                "name": name,
                "id_bi": id_bi,
                "id_enc": cipher.encrypt(id_number, "accounts.id_number"),
                "real_name_at": _now(),
                "updated_at": _now(),
            },
            "$inc": {"version": 1},
        },
        return_document=ReturnDocument.AFTER,
    )
    if updated is None:
        raise Conflict()
    return updated


def verify_in_person(store, account_id: str, clerk_id: str) -> dict:
    """A clerk saw the person and their ID card at the window: L3 (现场核验)."""
    account = get_account(store, account_id)
    if account["acr"] < 2:
        raise Conflict("请先完成线上实名认证（L2）", code="real_name_required")
    with store.transaction() as session:
        verified = store[ACCOUNTS].find_one_and_update(
            {"_id": account_id},
            {"$set": {"acr": 3, "in_person_by": clerk_id, "in_person_at": _now(), "updated_at": _now()}, "$inc": {"version": 1}},
            return_document=ReturnDocument.AFTER,
            session=session,
        )
        audit.append(store, actor_id=clerk_id, actor_role="clerk", action="account.verify_in_person", subject_type="person",
                     subject_id=account_id, detail={"from_level": account["acr"], "to_level": 3}, session=session)  # fmt: skip
    return verified


def public_view(cipher, account: dict, reveal: bool = False) -> dict:
    """What the API shows of an account: sensitive values masked unless the owner asks."""
    phone = cipher.decrypt(account["phone_enc"], "accounts.phone") if account.get("phone_enc") else None
    id_number = cipher.decrypt(account["id_enc"], "accounts.id_number") if account.get("id_enc") else None
    return {
        "id": account["_id"],
        "roles": account["roles"],
        "real_name_level": account["acr"],
        "name": account.get("name"),
        "phone": phone if reveal or not phone else mask_phone(phone),
        "id_number": id_number if reveal or not id_number else mask_id_number(id_number),
        "department": account.get("department"),
        "hall": account.get("hall"),
        "created_at": account["created_at"],
    }


def id_number_of(cipher, account: dict) -> str | None:
    return cipher.decrypt(account["id_enc"], "accounts.id_number") if account.get("id_enc") else None
