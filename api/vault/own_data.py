"""Data the person adds to their vault themselves (本人填报): contact, bank account for refunds, family.

Trust level D (the person's own statement): shown as such, never passed off as verified data.
All of it is personal, so the whole record is stored as one AES-GCM ciphertext (context
"vault_own.data"); a masked copy is kept beside it so that a reader without the field key (a list
screen, a log) can still show what is there. One document per account (`_id` = account id), with
optimistic concurrency on `version` (0 until the first save).
"""

from __future__ import annotations

import json

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from api.clock import now_iso
from api.errors import Conflict
from auth.crypto import mask_id_number, mask_name, mask_phone

OWN = "vault_own"
CONTEXT = "vault_own.data"
SECTIONS = ("contact_address", "contact_phone", "email", "bank_account", "family")
ADDRESS_PARTS = ("province", "city", "district", "street", "detail")
SELF_SOURCE = {"source": "self", "source_label": "本人填报", "trust_level": "D", "read_only": False}


def mask_email(value: str | None) -> str | None:
    """z***@example.com: the first character and the domain stay."""
    if not value or "@" not in value:
        return value
    local, _, domain = value.partition("@")
    return f"{local[:1]}***@{domain}"


def mask_account_no(value: str | None) -> str | None:
    """6222 **** **** 1234 style: the bank's first four digits and the last four."""
    return mask_id_number(value)


def masked(values: dict) -> dict:
    """What may be shown without revealing: the address down to the district, the rest masked."""
    out = dict(values)
    if values.get("contact_address"):
        address = values["contact_address"]
        out["contact_address"] = {**address, "street": "****", "detail": "****"}
    out["contact_phone"] = mask_phone(values.get("contact_phone"))
    out["email"] = mask_email(values.get("email"))
    if values.get("bank_account"):
        account = values["bank_account"]
        out["bank_account"] = {
            **account,
            "account_name": mask_name(account.get("account_name")),
            "account_no": mask_account_no(account.get("account_no")),
        }
    out["family"] = [{**member, "id_number": mask_id_number(member.get("id_number"))} for member in values.get("family") or []]
    return out


def _empty() -> dict:
    return {"contact_address": None, "contact_phone": None, "email": None, "bank_account": None, "family": []}


def own_data(store, account_id: str, cipher=None) -> dict:
    """The self-reported data with its version and source label.

    With `cipher` (auth.crypto.field_cipher()) the values are the plain ones (for prefill, refunds,
    or the owner's "reveal"); without it they are masked.
    """
    document = store[OWN].find_one({"_id": account_id})
    if document is None:
        values = _empty()
    elif cipher is None:
        values = {**_empty(), **document["masked"]}
    else:
        values = {**_empty(), **json.loads(cipher.decrypt(document["data_enc"], CONTEXT))}
    return {
        **SELF_SOURCE,
        **values,
        "version": document["version"] if document else 0,
        "updated_at": document["updated_at"] if document else None,
    }


def update_own_data(store, account_id: str, changes: dict, expected_version: int, cipher) -> dict:
    """Replace the sections named in `changes` (None clears one); others stay. 409 on a stale version.

    `changes` is validated input (schemas.OwnDataUpdateSchema); returns own_data() with plain values.
    """
    current = own_data(store, account_id, cipher)
    if current["version"] != expected_version:
        raise Conflict("资料已在其他设备上修改，请刷新后重试", code="version_conflict")
    values = {name: current[name] for name in SECTIONS}
    values.update({name: changes[name] for name in SECTIONS if name in changes})
    values["family"] = values.get("family") or []
    now = now_iso()
    sealed = cipher.encrypt(json.dumps(values, ensure_ascii=False), CONTEXT)
    fields = {"data_enc": sealed, "masked": masked(values), "updated_at": now}
    if expected_version == 0:
        try:
            store[OWN].insert_one({"_id": account_id, **fields, "created_at": now, "version": 1})
        except DuplicateKeyError:  # saved from another device at the same moment
            raise Conflict("资料已在其他设备上修改，请刷新后重试", code="version_conflict") from None
    else:
        updated = store[OWN].find_one_and_update(
            {"_id": account_id, "version": expected_version},
            {"$set": fields, "$inc": {"version": 1}},
            return_document=ReturnDocument.AFTER,
        )
        if updated is None:
            raise Conflict("资料已在其他设备上修改，请刷新后重试", code="version_conflict")
    return own_data(store, account_id, cipher)
