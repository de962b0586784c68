"""The outbox: messages written in the same transaction as the change that causes them.

A message moves queued → sending → sent, or sending → retry → sending … → dead after its last try.
`sending` holds a lease: `due_at` is then the lease's expiry, so a message whose worker died is
simply due again. One query, on the (state, due_at) index, finds every message a worker may claim.

Message document:
    _id, idempotency_key (unique), event, recipient {account_id, phone_enc, phone_bi}, data, urgent,
    channels {name: {state: pending|sent|skipped|failed, attempts, sent_at?, last_error?, detail?}},
    state, due_at, tries (claims), failures (failed rounds), lease_owner?, lease_token?, last_error?,
    created_at, updated_at, sent_at?, dead_at?, version

The phone is personal data: it is stored encrypted (`phone_enc`, auth.crypto, context
"outbox.recipient.phone") with its blind index (`phone_bi`); the worker opens it in memory only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from api.clock import to_iso, utcnow
from api.errors import Conflict, NotFound
from api.store import new_id
from auth.crypto import FieldCipher, cipher_for_store

from .templates import TemplateError, template_for

OUTBOX = "outbox"

QUEUED, SENDING, SENT, RETRY, DEAD = "queued", "sending", "sent", "retry", "dead"
CLAIMABLE = (QUEUED, RETRY, SENDING)  # SENDING only once its lease has expired: due_at is the expiry


_PHONE = re.compile(r"^1[3-9]\d{9}$")
PHONE_CONTEXT = "outbox.recipient.phone"


def normalize_recipient(recipient: str | Mapping[str, Any]) -> dict[str, str | None]:
    """An account id, or {"account_id": …, "phone": …} with at least one of them.

    The phone is where SMS go; a verification code goes to a phone before any account exists.
    """
    if isinstance(recipient, str):
        recipient = {"account_id": recipient}
    if not isinstance(recipient, Mapping):
        raise TypeError("recipient: an account id or a mapping with account_id and/or phone")
    unknown = set(recipient) - {"account_id", "phone"}
    if unknown:
        raise ValueError(f"recipient: unknown fields {sorted(unknown)}")
    account_id = recipient.get("account_id") or None
    phone = recipient.get("phone") or None
    if account_id is not None and not isinstance(account_id, str):
        raise TypeError("recipient.account_id must be a string")
    if phone is not None and not (isinstance(phone, str) and _PHONE.match(phone)):
        raise ValueError("recipient.phone must be a mainland mobile number (1[3-9] and 9 digits)")
    if account_id is None and phone is None:
        raise ValueError("recipient: an account_id or a phone is needed")
    return {"account_id": account_id, "phone": phone}


def seal_recipient(who: Mapping[str, str | None], cipher: FieldCipher | None) -> dict[str, str | None]:
    """The recipient as the outbox stores it: the phone encrypted, with its blind index (no cipher needed without one)."""
    phone = who["phone"]
    return {
        "account_id": who["account_id"],
        "phone_enc": cipher.encrypt(phone, PHONE_CONTEXT) if phone else None,
        "phone_bi": cipher.blind_index("phone", phone) if phone else None,
    }


def open_recipient(stored: Mapping[str, Any], cipher: FieldCipher | None) -> dict[str, str | None]:
    """{"account_id", "phone"} of a stored message, the phone decrypted (for the channels, in memory only)."""
    phone = stored.get("phone")  # a message queued before phones were encrypted
    if stored.get("phone_enc"):
        phone = cipher.decrypt(stored["phone_enc"], PHONE_CONTEXT)
    return {"account_id": stored.get("account_id"), "phone": phone}


def channels_for(template, recipient: Mapping[str, str | None]) -> list[str]:
    names = []
    if recipient["account_id"] and template.account_channels:
        names += ["inbox", "webpush"]
    if recipient["phone"] and template.sms:
        names.append("sms")
    return names


def _miniprogram_user(store: Any, event: str, account_id: str | None, session: Any) -> bool:
    """The event has a subscription-message template and the account is bound to the mini-program."""
    from wechat.accounts import BINDINGS

    from .miniprogram_templates import active

    if not account_id or event not in active():
        return False
    return store[BINDINGS].find_one({"account_id": account_id}, {"_id": 1}, session=session) is not None


def enqueue(
    store: Any,
    event: str,
    recipient: str | Mapping[str, Any],
    data: Mapping[str, Any],
    idempotency_key: str,
    *,
    send_at: datetime | None = None,
    session: Any = None,
    now: datetime | None = None,
    cipher: FieldCipher | None = None,
) -> dict:
    """Write a message to the outbox, in the caller's transaction, and return it.

    Call it inside `with store.transaction() as session:` together with the change that causes the
    message, passing `session=session` (the embedded engine ignores it; MongoDB needs it).

    - event: a key of templates_zh.TEMPLATES; data must hold every field of its template's sample.
    - recipient: an account id, or {"account_id": str | None, "phone": str | None}. The inbox and
      Web Push need the account, SMS the phone; which channels are used follows from what is given.
      An account bound to the mini-program also gets its subscription message (channels/miniprogram.py)
      when the event has a template (miniprogram_templates.py).
    - idempotency_key: names the cause, e.g. "application.submitted:<application id>". The same key
      never makes a second message: the first one is returned; a different event under the same key
      is a programming error (Conflict).
    - send_at: not before this moment (e.g. an appointment reminder); default now.
    - cipher: seals the phone; default the store's (auth.crypto.cipher_for_store).
    """
    if not isinstance(idempotency_key, str) or not idempotency_key.strip():
        raise ValueError("idempotency_key must be a non-empty string")
    template = template_for(event)
    missing = template.missing(data)
    if missing:
        raise TemplateError(f"{event}: data misses {missing}")
    template.render(data)  # a value that cannot be shown fails here, in the caller's test
    who = normalize_recipient(recipient)
    channels = channels_for(template, who)
    if not channels:
        raise ValueError(f"{event}: no channel can reach {sorted(k for k, v in who.items() if v)}")

    outbox = store[OUTBOX]
    existing = outbox.find_one({"idempotency_key": idempotency_key}, session=session)
    if existing is not None:
        return _same_cause(existing, event)
    if "inbox" in channels and _miniprogram_user(store, event, who["account_id"], session):
        channels.append("miniprogram")
    stamp = to_iso(now or utcnow())
    message = {
        "_id": new_id("msg_"),
        "idempotency_key": idempotency_key,
        "event": event,
        "recipient": seal_recipient(who, (cipher or cipher_for_store(store)) if who["phone"] else None),
        "data": dict(data),
        "urgent": template.urgent,
        "channels": {name: {"state": "pending", "attempts": 0} for name in channels},
        "state": QUEUED,
        "due_at": to_iso(send_at) if send_at else stamp,
        "tries": 0,
        "failures": 0,
        "created_at": stamp,
        "updated_at": stamp,
        "version": 1,
    }
    try:
        outbox.insert_one(message, session=session)
    except DuplicateKeyError:
        if session is not None:
            raise  # inside a MongoDB transaction the write error aborted it: the caller retries it whole
        return _same_cause(outbox.find_one({"idempotency_key": idempotency_key}), event)
    return message


def _same_cause(existing: dict, event: str) -> dict:
    if existing["event"] != event:
        raise Conflict(f"idempotency key already used for {existing['event']}", code="idempotency_key_reused")
    return existing


def latest_to_phone(store: Any, event: str, phone: str, cipher: FieldCipher | None = None) -> dict | None:
    """The newest message of `event` to a phone, found by its blind index (tests read codes here)."""
    phone_bi = (cipher or cipher_for_store(store)).blind_index("phone", phone)
    return store[OUTBOX].find_one({"event": event, "recipient.phone_bi": phone_bi}, sort=[("created_at", -1)])


def get_message(store: Any, message_id: str) -> dict:
    message = store[OUTBOX].find_one({"_id": message_id})
    if message is None:
        raise NotFound()
    return message


def requeue_dead(store: Any, message_id: str, now: datetime | None = None) -> dict:
    """Give a dead message a fresh set of tries (an operator's action once the cause is fixed)."""
    if _has_secrets(get_message(store, message_id)):
        raise Conflict("验证码已失效，请重新获取", code="secret_blanked")  # its code was blanked when it died
    stamp = to_iso(now or utcnow())
    message = store[OUTBOX].find_one_and_update(
        {"_id": message_id, "state": DEAD},
        {"$set": {"state": QUEUED, "due_at": stamp, "failures": 0, "updated_at": stamp}, "$inc": {"version": 1}},
        return_document=ReturnDocument.AFTER,
    )
    if message is None:
        get_message(store, message_id)
        raise Conflict("only a dead message can be requeued", code="not_dead")
    return message


def _has_secrets(message: dict) -> bool:
    return bool(template_for(message["event"]).secret_fields)
