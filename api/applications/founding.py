"""企业设立: a founder's application registers the company it founds.

企业开办 is applied for by a person (the founder, at real-name level L2) for a company that does not
exist yet: the form names it (proposed name, registered address, type, scope, capital) and its legal
representative is the founder, prefilled and locked from the population registry. The item whose
result `registers_org` (企业设立登记, issuing the business licence) registers the company when it is
approved, in the approval's own transaction: a new document in the local legal-person registry
(`registry_orgs`, written with auth.registry.local's document helper) under a freshly assigned
unified social credit code. From then on the registry names the founder as its legal
representative, so they may act for it (`X-Acting-For`); the licence is issued to the company, and
the next application for it reads both.

A code assigned here is GB 32100 valid: 9 (market regulation) + 1 (enterprise) + the region (the
Zhuzhou district named in the registered address, else the city, 430200) + a GB 11714 organisation
code whose body starts "MF" (the synthetic registry's start "MA", the demo people's "MD", so none
can collide with those) + the check character; it is drawn at random and checked against the
registry before it is used (and the registry's unique index on the code stands behind that).
"""

from __future__ import annotations

import secrets

from api.catalog import service as catalog
from api.clock import now_iso
from api.errors import Conflict
from auth.crypto import field_cipher
from auth.registry.local import ORGS, org_document
from auth.registry.port import Org
from auth.registry.synthetic import REGIONS, credit_code
from auth.validators import USCC_CHARS, validate_credit_code

from .service import APPLICATIONS, form_of

FOUNDED_BODY_PREFIX = "MF"
CITY_REGION = "430200"  # 株洲市 itself, when the address names no district
DRAWS = 20


def registers_org(item: dict) -> bool:
    """Whether approving this item founds an organisation (its result's holder is that organisation)."""
    return any(result.get("registers_org") for result in item.get("results") or [])


def region_of(address: str | None) -> str:
    """The Zhuzhou district (4302xx) an address names, else the city's own code."""
    return next((code for code, district in REGIONS if district in (address or "")), CITY_REGION)


def _org_code_body() -> str:
    return FOUNDED_BODY_PREFIX + "".join(secrets.choice(USCC_CHARS) for _ in range(6))


def new_credit_code(store, cipher, region: str, session=None) -> str:
    """A valid unified social credit code for a founded company that no registered organisation holds."""
    for _ in range(DRAWS):
        code = validate_credit_code(credit_code("company", region, _org_code_body()))
        if store[ORGS].find_one({"credit_bi": cipher.blind_index("credit_code", code)}, {"_id": 1}, session=session) is None:
            return code
    raise Conflict("暂时无法分配统一社会信用代码，请稍后重试", code="credit_code_unavailable")


def register_founded_org(store, sub: dict, session=None) -> dict | None:
    """On approval of an item that `registers_org`: the new company in the legal-person registry, its
    code in the application's form (`business.credit_code`, which the licence is filled from) and the
    application's `founded_org`. Other items: nothing. Returns the founded org ({credit_code, name})."""
    if not registers_org(catalog.get_item(store, sub["item"])):
        return None
    application = store[APPLICATIONS].find_one({"_id": sub["application_id"]}, session=session)
    if application.get("founded_org"):
        return application["founded_org"]
    form, cipher, now = form_of(application), field_cipher(), now_iso()
    org = Org(
        name=form["business.name"],
        credit_code=new_credit_code(store, cipher, region_of(form.get("business.registered_address")), session),
        type="company",  # every enterprise of the form (有限责任公司 … 合伙企业) is type 1 in GB 32100; 2 is 个体工商户
        legal_rep_id_number=form["business.legal_rep_id_number"],
        legal_rep_name=form["business.legal_rep_name"],
        registered_address=form.get("business.registered_address") or "",
        business_scope=form.get("business.business_scope") or "",
    )
    document = org_document(cipher, org, _id=f"ro-{application['_id']}", source="founding", now=now)
    document.update({"application_id": application["_id"], "business_type": form.get("business.type"),
                     "registered_capital_wan": form.get("business.registered_capital_wan"), "established_at": now})  # fmt: skip
    store[ORGS].insert_one(document, session=session)
    founded = {"credit_code": org.credit_code, "name": org.name, "registered_at": now}
    store[APPLICATIONS].update_one(
        {"_id": application["_id"]},
        {"$set": {"founded_org": founded, "form.business__credit_code": org.credit_code, "updated_at": now},
         "$inc": {"version": 1}},
        session=session,
    )  # fmt: skip
    return founded
