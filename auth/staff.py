"""Staff accounts (clerk, approver, courier, admin): created by an operator command, password login.

The first password is one-time: the first login must set a new one. Passwords are hashed with
scrypt (n=2^14, r=8, p=1) and a per-account salt.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from api import audit
from api.clock import now_iso
from api.errors import Conflict, Forbidden, Invalid, Unauthenticated
from api.store import new_id

from .accounts import ACCOUNTS, STAFF_ROLES, normalized_phone
from .limits import Rule, enforce

LOGINS = "staff_logins"
LOGIN_RULES = (Rule("staff-login-user", 5, 300), Rule("staff-login-ip", 20, 300))
MIN_PASSWORD = 10


class PasswordChangeRequired(Forbidden):
    code, message = "password_change_required", "首次登录请设置新密码"


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    return f"scrypt$16384$8$1${salt.hex()}${digest.hex()}"


def password_matches(password: str, stored: str) -> bool:
    _, n, r, p, salt, digest = stored.split("$")
    candidate = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32)
    return hmac.compare_digest(candidate.hex(), digest)


def create_staff(
    store, cipher, username: str, name: str, phone: str, role: str, department: str | None, *, actor_id: str = "operator"
) -> tuple[dict, str]:
    """Create a staff account; returns it and its one-time password (shown once to the operator)."""
    if role not in STAFF_ROLES:
        raise Invalid(f"role must be one of {', '.join(STAFF_ROLES)}")
    if role == "approver" and not department:
        raise Invalid("an approver needs a department")
    phone = normalized_phone(phone)
    if store[LOGINS].find_one({"_id": username}):
        raise Conflict(f"username {username!r} exists")
    one_time = secrets.token_urlsafe(9)
    now = now_iso()
    account = {
        "_id": new_id("acc_"),
        "phone_bi": cipher.blind_index("phone", phone),
        "phone_enc": cipher.encrypt(phone, "accounts.phone"),
        "name": name,
        "roles": [role],
        "acr": 3,
        "department": department,
        "disabled": False,
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }
    store[ACCOUNTS].insert_one(account)
    store[LOGINS].insert_one(
        {
            "_id": username,
            "account_id": account["_id"],
            "password": hash_password(one_time),
            "must_change": True,
            "created_at": now,
        }
    )
    audit.append(store, actor_id=actor_id, actor_role="operator" if actor_id == "operator" else "admin", action="staff.create",
                 subject_type="staff_account", subject_id=account["_id"],
                 detail={"username": username, "role": role, "department": department})  # fmt: skip
    return account, one_time


def staff_login(store, username: str, password: str, new_password: str | None, client_ip: str) -> dict:
    """The staff account for a right password; the first login also sets the new password."""
    enforce(store, [(LOGIN_RULES[1], client_ip), (LOGIN_RULES[0], username)], "登录尝试过多，请稍后再试")
    login = store[LOGINS].find_one({"_id": username})
    if login is None or not password_matches(password, login["password"]):
        if login is None:
            hash_password(password)  # same work either way: no timing hint of which usernames exist
        raise Unauthenticated("用户名或密码错误", code="bad_credentials")
    if login["must_change"]:
        if not new_password:
            raise PasswordChangeRequired()
        if len(new_password) < MIN_PASSWORD or new_password == password:
            raise Invalid(f"新密码至少{MIN_PASSWORD}位，且不能与初始密码相同", errors={"new_password": ["新密码不符合要求"]})
        store[LOGINS].update_one(
            {"_id": username, "must_change": True},
            {"$set": {"password": hash_password(new_password), "must_change": False, "changed_at": now_iso()}},
        )
    account = store[ACCOUNTS].find_one({"_id": login["account_id"]})
    if account is None or account.get("disabled"):
        raise Forbidden("该账户已停用", code="account_disabled")
    return account
