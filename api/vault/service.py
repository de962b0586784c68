"""The personal data vault (个人数据保险箱) and e-certificates (电子证照): the rules, no Flask.

A certificate belongs to a holder, not to an account: a person is keyed by the blind index of their
ID number (so it follows them to a new phone or account), an org by the blind index of its credit
code. Its data may hold ID numbers, so the data and the holder's name are stored encrypted; only a
masked name stays readable, for lists and for the public verify endpoint.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime

from pymongo import ReturnDocument

from api import audit
from api.clock import local_zone, now_iso, to_iso, utcnow
from api.errors import Forbidden, NotFound
from api.store import new_id
from auth.accounts import id_number_of
from auth.crypto import mask_address, mask_id_number, mask_name
from auth.registry import RegistryUnavailable

from .own_data import masked, own_data, update_own_data

__all__ = [
    "certificate_for",
    "certificates_of",
    "detail",
    "find_valid_certificate",
    "holders_of",
    "masked",
    "issue_certificate",
    "org_holder",
    "own_data",
    "person_holder",
    "revoke_certificate",
    "summary",
    "update_own_data",
    "vault_view",
    "verify_token",
]

CERTS = "certificates"
SERIALS = "certificate_serials"
DATA_CONTEXT = "certificates.data"
NAME_CONTEXT = "certificates.holder_name"
REGISTRY_SOURCE = {"source": "registry", "source_label": "政府核验", "trust_level": "A", "read_only": True}
REGISTRY_DOWN = "暂时无法连接政府数据平台，请稍后刷新"
_SUFFIX_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32: no I, L, O, U to misread


# -- holders ---------------------------------------------------------------------------------


def person_holder(account: dict) -> dict:
    """The holder key of the person behind an account; needs real-name level 2 (an ID number)."""
    if not account.get("id_bi"):
        raise Forbidden("请先完成实名认证", code="real_name_required")
    return {"kind": "person", "key": account["id_bi"]}


def org_holder(cipher, credit_code: str) -> dict:
    return {"kind": "org", "key": cipher.blind_index("credit_code", credit_code)}


def mask_org_name(value: str | None) -> str | None:
    """株洲示例餐饮管理有限公司 → 株洲示例餐饮**: the first half stays."""
    if not value:
        return value
    return value[: max(1, len(value) // 2)] + "**"


def mask_number(value: str | None) -> str | None:
    """ZZSPJY20********Q3M9: enough to match a printed number, not enough to copy it."""
    if not value or len(value) <= 14:
        return mask_id_number(value)
    return value[:8] + "*" * (len(value) - 12) + value[-4:]


def holders_of(account: dict, cipher, acting_for: str | None = None) -> list[dict]:
    """Whose certificates the caller sees: their own (from L2 on), and the org's when acting for it."""
    holders = [person_holder(account)] if account.get("id_bi") else []
    if acting_for:
        holders.append(org_holder(cipher, acting_for))
    return holders


# -- issuing ---------------------------------------------------------------------------------


def _add_years(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February into a common year
        return moment.replace(year=moment.year + years, day=28)


def _local_day(moment: datetime | None) -> str | None:
    return moment.astimezone(local_zone()).date().isoformat() if moment else None


def _type_prefix(cert_type: str) -> str:
    initials = "".join(part[:1] for part in cert_type.replace("-", "_").split("_") if part).upper()
    return initials[:4] if initials.isascii() and initials.isalnum() else "DZ"


def _new_number(store, cert_type: str, session=None) -> str:
    """ZZ + type initials + year + serial + 4 random characters: readable, unique, not enumerable."""
    year = utcnow().astimezone(local_zone()).year
    prefix = _type_prefix(cert_type)
    counter = store[SERIALS].find_one_and_update(
        {"_id": f"{prefix}{year}"},
        {"$inc": {"next": 1}},
        upsert=True,
        return_document=ReturnDocument.AFTER,
        session=session,
    )
    suffix = "".join(secrets.choice(_SUFFIX_ALPHABET) for _ in range(4))
    return f"ZZ{prefix}{year}{counter['next']:06d}{suffix}"


def issue_certificate(
    store,
    cipher,
    holder: dict,
    cert_type: str,
    type_name: str,
    data: dict,
    issuer: str,
    *,
    application_id: str | None = None,
    valid_years: int | None = None,
    number: str | None = None,
    holder_name: str,
    issuer_name: str | None = None,
    stamped: dict[str, str] | None = None,
    session=None,
) -> dict:
    """Write a valid certificate (in the caller's transaction when `session` is given); returns it.

    `stamped` names data fields that take what only the issuance knows: {"licence_no": "number",
    "valid_until": "valid_until", "inspected_on": "issued_on"} (dates as local calendar days), so that
    the licence number printed on it is in its data for the next application to read.
    A given `number` that is already taken raises pymongo's DuplicateKeyError.
    """
    issued = utcnow()
    now = to_iso(issued)
    number = number or _new_number(store, cert_type, session)
    valid_until = _add_years(issued, valid_years) if valid_years else None
    if stamped:
        facts = {"number": number, "issued_on": _local_day(issued), "valid_until": _local_day(valid_until)}
        data = {**data, **{field: facts[fact] for field, fact in stamped.items()}}
    document = {
        "_id": new_id("cert_"),
        "number": number,
        "type": cert_type,
        "type_name": type_name,
        "holder_kind": holder["kind"],
        "holder_key": holder["key"],
        "holder_name_masked": (mask_org_name if holder["kind"] == "org" else mask_name)(holder_name),
        "holder_name_enc": cipher.encrypt(holder_name, NAME_CONTEXT),
        "data_enc": cipher.encrypt(json.dumps(data, ensure_ascii=False, sort_keys=True), DATA_CONTEXT),
        "issuer": issuer,
        "issuer_name": issuer_name,
        "issued_on": now,
        "valid_until": to_iso(valid_until) if valid_until else None,
        "status": "valid",
        "application_id": application_id,
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }
    store[CERTS].insert_one(document, session=session)
    return document


def revoke_certificate(store, cert_id: str, reason: str, session=None) -> dict:
    """注销: the certificate stays on record, and verify says "revoked" from now on. Idempotent."""
    now = now_iso()
    revoked = store[CERTS].find_one_and_update(
        {"_id": cert_id, "status": "valid"},
        {"$set": {"status": "revoked", "revoked_at": now, "revoked_reason": reason, "updated_at": now}, "$inc": {"version": 1}},
        return_document=ReturnDocument.AFTER,
        session=session,
    )
    if revoked is None:
        revoked = store[CERTS].find_one({"_id": cert_id}, session=session)
        if revoked is None:
            raise NotFound("找不到该证照")
    return revoked


# -- reading ---------------------------------------------------------------------------------


def effective_status(document: dict, now: str | None = None) -> str:
    """valid | revoked | expired: expiry is read from valid_until, so no job has to flip it in time."""
    if document["status"] != "valid":
        return document["status"]
    until = document.get("valid_until")
    return "expired" if until and until <= (now or now_iso()) else "valid"


def _held_by(document: dict, holders: list[dict]) -> bool:
    return any(document["holder_kind"] == h["kind"] and document["holder_key"] == h["key"] for h in holders)


def _with_plain_data(cipher, document: dict) -> dict:
    return {
        **document,
        "data": json.loads(cipher.decrypt(document["data_enc"], DATA_CONTEXT)),
        "holder_name": cipher.decrypt(document["holder_name_enc"], NAME_CONTEXT),
    }


def certificates_of(store, cipher, holders: list[dict], include_data: bool = False) -> list[dict]:
    """Every certificate of these holders, newest first, `status` being the effective one."""
    if not holders:
        return []
    now = now_iso()
    query = {"holder_key": {"$in": sorted({h["key"] for h in holders})}}
    out = []
    for document in store[CERTS].find(query).sort("issued_on", -1):
        if _held_by(document, holders):
            document = {**document, "status": effective_status(document, now)}
            out.append(_with_plain_data(cipher, document) if include_data else document)
    return out


def find_valid_certificate(store, cipher, holders: list[dict], cert_type: str) -> dict | None:
    """The newest valid certificate of this type held by any of `holders`, with `data` as a dict."""
    if not holders:
        return None
    now = now_iso()
    query = {"holder_key": {"$in": sorted({h["key"] for h in holders})}, "type": cert_type, "status": "valid"}
    for document in store[CERTS].find(query).sort("issued_on", -1):
        if _held_by(document, holders) and effective_status(document, now) == "valid":
            return _with_plain_data(cipher, document)
    return None


def certificate_for(store, cipher, holders: list[dict], cert_id: str) -> dict:
    """One certificate with its data, if one of `holders` holds it; NotFound otherwise, never 403."""
    document = store[CERTS].find_one({"_id": cert_id}) if holders else None
    if document is None or not _held_by(document, holders):
        raise NotFound("找不到该证照")
    return _with_plain_data(cipher, {**document, "status": effective_status(document)})


def summary(document: dict) -> dict:
    return {
        "id": document["_id"],
        "number": document["number"],
        "type": document["type"],
        "type_name": document["type_name"],
        "holder_kind": document["holder_kind"],
        "holder_name": document["holder_name_masked"],
        "issuer": document["issuer"],
        "issuer_name": document.get("issuer_name"),
        "issued_on": document["issued_on"],
        "valid_until": document.get("valid_until"),
        "status": effective_status(document),
        "application_id": document.get("application_id"),
    }


def _mask_data(data: dict) -> dict:
    """ID numbers inside certificate data are masked unless the owner asks (keys ending id_number)."""
    return {
        key: mask_id_number(value) if key.endswith("id_number") and isinstance(value, str) else value
        for key, value in data.items()
    }


def detail(document: dict, reveal: bool = False) -> dict:
    """What the holder sees of their certificate (document from certificate_for)."""
    return {
        **summary(document),
        "holder_name": document["holder_name"],
        "data": document["data"] if reveal else _mask_data(document["data"]),
        "revoked_at": document.get("revoked_at"),
        "revoked_reason": document.get("revoked_reason"),
    }


# -- public verification ---------------------------------------------------------------------

NOT_GENUINE = {
    "genuine": False,
    "status": "unknown",
    "type_name": None,
    "issuer": None,
    "issuer_name": None,
    "issued_on": None,
    "valid_until": None,
    "holder": None,
    "number": None,
}


def verify_token(store, keys, token: str) -> dict:
    """核验: is the certificate behind this QR token genuine, and is it valid? Masked holder only."""
    payload = keys.verify(token)
    document = store[CERTS].find_one({"_id": payload["cid"]}) if payload else None
    if document is None or document["type"] != payload["typ"]:
        return dict(NOT_GENUINE)
    return {
        "genuine": True,
        "status": effective_status(document),
        "type_name": document["type_name"],
        "issuer": document["issuer"],
        "issuer_name": document.get("issuer_name"),
        "issued_on": document["issued_on"],
        "valid_until": document.get("valid_until"),
        "holder": document["holder_name_masked"],
        "number": mask_number(document["number"]),
    }


# -- the vault view --------------------------------------------------------------------------


def _registry_person(cipher, registry, account: dict, reveal: bool) -> dict:
    section = {**REGISTRY_SOURCE, "available": True, "message": None, "checked_at": now_iso(), "person": None}
    try:
        person = registry.find_person(id_number_of(cipher, account))
    except RegistryUnavailable:
        person = None
        section.update(available=False, message=REGISTRY_DOWN)
    if person is not None:
        section["person"] = {
            "name": person.name,
            "id_number": person.id_number if reveal else mask_id_number(person.id_number),
            "sex": person.sex,
            "birth_date": person.birth_date,
            "ethnicity": person.ethnicity,
            "household_address": person.household_address if reveal else mask_address(person.household_address),
            "relation": person.relation,
            # the others in the household are other people: their numbers stay masked even on reveal
            "household_members": [
                {"name": m.name, "relation": m.relation, "id_number": mask_id_number(m.id_number)}
                for m in person.household_members
            ],
        }
    return section


def _registry_org(registry, credit_code: str) -> dict:
    section = {**REGISTRY_SOURCE, "available": True, "message": None, "checked_at": now_iso(), "org": None}
    try:
        org = registry.find_org(credit_code)
    except RegistryUnavailable:
        org = None
        section.update(available=False, message=REGISTRY_DOWN)
    if org is not None:
        section["org"] = {
            "credit_code": org.credit_code,
            "name": org.name,
            "type": org.type,
            "status": org.status,
            "legal_rep_name": org.legal_rep_name,
            "registered_address": org.registered_address,
            "business_scope": org.business_scope,
        }
    return section


def vault_view(store, cipher, registry, account: dict, acting_for: str | None = None, reveal: bool = False) -> dict:
    """The vault: registry data (政府核验, from L2 on), own data (本人填报), certificates, and the org."""
    own = own_data(store, account["_id"], cipher)
    if not reveal:
        own = {**own, **masked(own)}
    certificates = certificates_of(store, cipher, holders_of(account, cipher, acting_for))
    view = {
        "registry": _registry_person(cipher, registry, account, reveal) if account.get("id_enc") else None,
        "own": own,
        "certificates": [summary(document) for document in certificates],
        "org": _registry_org(registry, acting_for) if acting_for else None,
    }
    sources = [name for name in ("registry", "org") if view[name] is not None]
    if sources:  # a read of registry data (政府核验), audited like prefill's: who, whose, whether in full
        audit.append(store, actor_id=account["_id"], actor_role="citizen", action="registry.read", subject_type="person",
                     subject_id=account["_id"], detail={"purpose": "vault", "sources": sources, "revealed": reveal,
                                                        "acting_for": acting_for})  # fmt: skip
    return view
