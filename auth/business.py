"""Acting for a business (法人): its legal representative, or an agent they authorised, until expiry.

Who may act for an org is decided on every request from the legal-person registry (法人库) and the
agent grants, so a representative who is replaced, or an agent whose grant ends, loses access at
once.

A credit code that fails the GB 32100 check character is refused, unless the 法人库 holds it: some
early codes were registered that way. Then it is accepted and flagged as a data-quality case.
"""

from __future__ import annotations

import datetime as dt

from api.clock import from_iso, now_iso, to_iso, utcnow
from api.errors import Forbidden, Invalid, NotFound
from api.store import new_id

from .accounts import id_number_of
from .data_quality import flag_credit_code_checksum
from .validators import InvalidNumber, credit_code_checksum_ok, validate_credit_code, validate_id_number

GRANTS = "org_agents"
MAX_GRANT_DAYS = 366


def accept_credit_code(store, registry, raw: str) -> str:
    """A credit code someone typed, canonical; 422 if malformed, or if its check character is wrong
    and the 法人库 does not hold it (held: accepted, and flagged as a data-quality case)."""
    try:
        code = validate_credit_code(raw, checksum=False)
    except InvalidNumber as exc:
        raise Invalid(str(exc), errors={"credit_code": [str(exc)]}) from None
    if not credit_code_checksum_ok(code):
        org = registry.find_org(code)
        if org is None:
            message = "统一社会信用代码校验码错误，请核对"
            raise Invalid(message, errors={"credit_code": [message]})
        flag_credit_code_checksum(store, org)
    return code


def _live_grant_filter(**fields) -> dict:
    return {**fields, "revoked": False, "expires_at": {"$gt": now_iso()}}


def org_view(org, relation: str, expires_at: str | None = None) -> dict:
    return {
        "credit_code": org.credit_code,
        "name": org.name,
        "type": org.type,
        "status": org.status,
        "relation": relation,
        "expires_at": expires_at,
    }


def orgs_for(store, cipher, registry, account: dict) -> list[dict]:
    """The orgs this person may act for: as legal representative, or as an authorised agent."""
    id_number = id_number_of(cipher, account)
    if not id_number:
        return []
    out = [org_view(org, "legal_representative") for org in registry.orgs_represented_by(id_number) if org.status == "active"]
    seen = {o["credit_code"] for o in out}
    for grant in store[GRANTS].find(_live_grant_filter(agent_id_bi=account["id_bi"])):
        org = registry.find_org(grant["credit_code"])
        if org and org.status == "active" and org.credit_code not in seen:
            out.append(org_view(org, "agent", grant["expires_at"]))
            seen.add(org.credit_code)
    return out


def relation_to(store, cipher, registry, account: dict, credit_code: str) -> str | None:
    """'legal_representative', 'agent', or None: checked on every request that acts for an org."""
    if account.get("acr", 0) < 2 or not account.get("id_bi"):
        return None
    try:
        credit_code = validate_credit_code(credit_code, checksum=False)
    except InvalidNumber:
        return None  # not even the form of a code: no registry lookup for it
    org = registry.find_org(credit_code)
    if org is None or org.status != "active":
        return None
    if not credit_code_checksum_ok(org.credit_code):
        flag_credit_code_checksum(store, org)  # accepted because the 法人库 holds it
    if org.legal_rep_id_number == id_number_of(cipher, account):
        return "legal_representative"
    if store[GRANTS].find_one(_live_grant_filter(credit_code=org.credit_code, agent_id_bi=account["id_bi"])):
        return "agent"
    return None


def _require_representative(store, cipher, registry, account: dict, credit_code: str):
    code = accept_credit_code(store, registry, credit_code)
    if relation_to(store, cipher, registry, account, code) != "legal_representative":
        raise Forbidden("只有该企业的法定代表人可以管理经办人", code="not_legal_representative")
    return registry.find_org(code)


def authorize_agent(store, cipher, registry, account: dict, credit_code: str, name: str, id_number: str, expires_at: str) -> dict:
    """The legal representative lets another registered person act for the org until `expires_at`."""
    org = _require_representative(store, cipher, registry, account, credit_code)
    try:
        id_number = validate_id_number(id_number)
    except InvalidNumber as exc:
        raise Invalid(str(exc), errors={"id_number": [str(exc)]}) from None
    if not registry.verify_person(name, id_number):
        raise Invalid("经办人姓名与身份证号码不匹配", code="identity_mismatch", errors={"id_number": ["姓名与身份证号码不匹配"]})
    if id_number == org.legal_rep_id_number:
        raise Invalid("法定代表人无需授权自己", errors={"id_number": ["法定代表人无需授权自己"]})
    until = from_iso(expires_at) if isinstance(expires_at, str) else expires_at
    if until.tzinfo is None:
        until = until.replace(tzinfo=dt.UTC)
    if until <= utcnow() or until > utcnow() + dt.timedelta(days=MAX_GRANT_DAYS):
        raise Invalid("授权有效期应在今天之后、一年之内", errors={"expires_at": ["授权有效期应在今天之后、一年之内"]})
    agent_bi = cipher.blind_index("id_number", id_number)
    store[GRANTS].update_many(
        _live_grant_filter(credit_code=org.credit_code, agent_id_bi=agent_bi),
        {"$set": {"revoked": True, "revoked_at": now_iso()}},
    )
    grant = {
        "_id": new_id("agt_"),
        "credit_code": org.credit_code,
        "agent_id_bi": agent_bi,
        "agent_name": name.strip(),
        "agent_id_enc": cipher.encrypt(id_number, "org_agents.id_number"),
        "granted_by": account["_id"],
        "expires_at": to_iso(until),
        "revoked": False,
        "created_at": now_iso(),
    }
    store[GRANTS].insert_one(grant)
    return grant


def list_agents(store, cipher, registry, account: dict, credit_code: str) -> list[dict]:
    org = _require_representative(store, cipher, registry, account, credit_code)
    return list(store[GRANTS].find(_live_grant_filter(credit_code=org.credit_code)).sort("expires_at", 1))


def revoke_agent(store, cipher, registry, account: dict, credit_code: str, grant_id: str) -> None:
    org = _require_representative(store, cipher, registry, account, credit_code)
    result = store[GRANTS].update_one(
        {"_id": grant_id, "credit_code": org.credit_code, "revoked": False}, {"$set": {"revoked": True, "revoked_at": now_iso()}}
    )
    if result.matched_count == 0:
        raise NotFound("找不到该授权")
