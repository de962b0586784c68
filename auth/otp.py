"""SMS verification codes (短信验证码): 6 digits, 5 minutes, single use, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from api.clock import iso_in, now_iso
from api.errors import Invalid
from api.store import new_id

from .limits import SHANGHAI, Rule, enforce

COLLECTION = "otp_codes"
CODE_SECONDS = 300
MAX_ATTEMPTS = 5
SEND_RULES = (Rule("sms-minute", 1, 60), Rule("sms-day", 10, 86400, SHANGHAI))
SEND_RULES_IP = (Rule("sms-ip-minute", 1, 60), Rule("sms-ip-day", 10, 86400, SHANGHAI))
PURPOSES = ("login", "bind_phone")


class CodeRejected(Invalid):
    code, message = "code_invalid", "验证码错误或已过期，请重新获取"

    def __init__(self):
        super().__init__(errors={"code": [self.message]})


def _digest(code: str, phone_bi: str, salt: str) -> str:
    return hashlib.sha256(f"{salt}:{phone_bi}:{code}".encode()).hexdigest()


def issue_code(store, phone_bi: str, phone_digits_for_limits: str, purpose: str, client_ip: str) -> tuple[str, str]:
    """Create a code (after the abuse limits); returns (its id, the code for the SMS). Only a digest is stored."""
    enforce(
        store,
        [(rule, client_ip) for rule in SEND_RULES_IP] + [(rule, phone_digits_for_limits) for rule in SEND_RULES],
        "验证码发送太频繁，请稍后再试",
    )
    code = f"{secrets.randbelow(1_000_000):06d}"
    salt = secrets.token_hex(8)
    otp_id = new_id("otp_")
    store[COLLECTION].insert_one(
        {
            "_id": otp_id,
            "phone_bi": phone_bi,
            "purpose": purpose,
            "salt": salt,
            "digest": _digest(code, phone_bi, salt),
            "attempts": 0,
            "used": False,
            "created_at": now_iso(),
            "expires_at": iso_in(CODE_SECONDS),
        }
    )
    return otp_id, code


def consume_code(store, phone_bi: str, purpose: str, code: str) -> None:
    """Accept the newest live code once; wrong guesses count against it. Raises CodeRejected."""
    current = store[COLLECTION].find_one(
        {"phone_bi": phone_bi, "purpose": purpose, "used": False, "expires_at": {"$gt": now_iso()}},
        sort=[("created_at", -1)],
    )
    if current is None or current["attempts"] >= MAX_ATTEMPTS:
        raise CodeRejected()
    expected = current["digest"]
    given = _digest(code or "", phone_bi, current["salt"])
    if not hmac.compare_digest(expected, given):
        store[COLLECTION].update_one({"_id": current["_id"]}, {"$inc": {"attempts": 1}})
        raise CodeRejected()
    # single use, even when two requests race with the right code
    claimed = store[COLLECTION].update_one({"_id": current["_id"], "used": False}, {"$set": {"used": True, "used_at": now_iso()}})
    if claimed.modified_count != 1:
        raise CodeRejected()
