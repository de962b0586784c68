"""企业开办 for founders: a person applies for a company that does not exist yet; approving 企业设立登记
registers it in the legal-person registry with a new credit code and issues it the business licence; the
founder then acts for it as its legal representative, and 开办餐饮店 for it reuses that licence."""

from __future__ import annotations

import pytest

from api.applications import founding
from api.applications.founding import new_credit_code, region_of
from auth.registry.local import ORGS, org_document
from auth.registry.port import Org
from auth.seed_registry import DEMO_ORGS
from auth.validators import validate_credit_code
from tests.applications.conftest import (
    CONTACT_ADDRESS,
    RESTAURANT_FACTS,
    Caller,
    approve_all,
    decide,
    fill,
    ok,
    provide_materials,
    start,
    submit,
    subs_by_department,
    typed_fields,
)

FOUNDING = "430200-SCJG-003"
COMPANY = "株洲湘创示例餐饮有限公司"
FOUNDING_FACTS = {
    "business.name": COMPANY,
    "business.registered_address": "湖南省株洲市芦淞区样例街20号",
    "business.type": "有限责任公司",
    "business.business_scope": "餐饮服务；食品销售",
    "business.registered_capital_wan": 50,
    "seal.set": "公章、财务专用章、发票专用章",
    "seal.engraver": "株洲市芦淞刻章服务部",
    "tax.taxpayer_type": "小规模纳税人",
    "tax.accounting_system": "小企业会计准则",
    "tax.officer_name": "赵敏",
    "tax.officer_phone": "13800000032",
    "hr.employee_count": 5,
    "housing_fund.deposit_rate": 5,
}


@pytest.fixture
def founder(resident):
    """赵敏, an L2 resident with a contact address in her vault, who has no company yet."""
    person = resident("13800000031", "赵敏")
    ok(person.put("/me/vault/own", json={"version": 0, "contact_address": CONTACT_ADDRESS}))
    return person


def _found(founder: Caller, clerk: Caller) -> dict:
    draft = start(founder, bundle="start-business")
    application = ok(submit(founder, provide_materials(founder, fill(founder, draft, FOUNDING_FACTS))))
    return ok(clerk.post(f"/clerk/applications/{application['id']}/accept"))


def _subs(founder: Caller, application_id: str) -> dict[str, dict]:
    return {s["item"]: s for subs in subs_by_department(founder, application_id).values() for s in subs}


def test_a_founder_applies_in_person_with_herself_as_legal_representative_and_the_licence_pending(founder):
    draft = start(founder, bundle="start-business")

    assert draft["acting_for"] is None
    fields = {f["name"]: f for f in draft["fields"]}
    assert (fields["business.legal_rep_name"]["value"], fields["business.legal_rep_name"]["source"]) == ("赵敏", "registry")
    assert fields["business.legal_rep_id_number"]["value"] == founder.person.id_number
    assert fields["business.legal_rep_id_number"]["locked"]
    assert typed_fields(draft) == list(FOUNDING_FACTS)
    licence = next(m for m in draft["materials"] if m["code"] == "business_licence")
    assert (licence["status"], licence["from_item"]) == ("pending", FOUNDING)


def test_a_founder_founds_a_company_and_then_opens_a_restaurant_for_it_reusing_its_licence(founder, clerk, approvers, store,
                                                                                             cipher):  # fmt: skip
    application = _found(founder, clerk)
    subs = _subs(founder, application["id"])

    early = decide(approvers["gaj"], subs["430200-GAJ-002"]["id"])  # 公章刻制 needs the licence
    assert early.status_code == 409 and early.get_json()["code"] == "waiting_for_results"

    ok(decide(approvers["scjg"], subs[FOUNDING]["id"]))

    view = ok(founder.get(f"/applications/{application['id']}"))
    code = view["founded_org"]["credit_code"]
    assert view["founded_org"]["name"] == COMPANY
    assert validate_credit_code(code) == code  # GB 32100, check character included
    assert code[:8] == "91430203" and code[8:10] == "MF"  # an enterprise of 芦淞区; founded-here organisation codes
    registered = store[ORGS].find_one({"credit_bi": cipher.blind_index("credit_code", code)})
    assert (registered["name"], registered["type"], registered["status"], registered["legal_rep_name"]) == (
        COMPANY, "company", "active", "赵敏")  # fmt: skip
    assert registered["legal_rep_bi"] == cipher.blind_index("id_number", founder.person.id_number)
    assert (registered["registered_address"], registered["registered_capital_wan"]) == ("湖南省株洲市芦淞区样例街20号", 50)
    assert registered["application_id"] == application["id"]
    licence = store["certificates"].find_one({"application_id": application["id"], "type": "business_licence"})
    assert licence["holder_kind"] == "org" and licence["holder_key"] == cipher.blind_index("credit_code", code)
    attached = next(m for m in view["materials"] if m["code"] == "business_licence")
    assert (attached["status"], attached["certificate_id"]) == ("attached", licence["_id"])

    done = approve_all(founder, approvers, application["id"])
    assert {s["state"] for s in done["subs"]} == {"issued"}
    assert done["state"] == "results_issued"  # the paper licence still goes by post

    orgs = ok(founder.get("/me/orgs"))
    assert [(o["credit_code"], o["relation"]) for o in orgs] == [(code, "legal_representative")]
    owner = Caller(founder.client, {**founder.headers, "X-Acting-For": code}, founder.account_id, founder.person)
    issued = ok(owner.get(f"/me/certificates/{licence['_id']}", query_string={"reveal": "true"}))
    assert issued["data"]["credit_code"] == code and issued["data"]["name"] == COMPANY
    assert issued["data"]["legal_rep_name"] == "赵敏" and issued["data"]["established_on"]

    restaurant = start(owner, bundle="open-restaurant")

    fields = {f["name"]: f for f in restaurant["fields"]}
    assert {name: fields[name]["value"] for name in ("business.credit_code", "business.name", "business.legal_rep_name",
                                                     "business.registered_address", "business.business_scope")} == {
        "business.credit_code": code, "business.name": COMPANY, "business.legal_rep_name": "赵敏",
        "business.registered_address": "湖南省株洲市芦淞区样例街20号", "business.business_scope": "餐饮服务；食品销售",
    }  # fmt: skip
    from_registry = ("business.credit_code", "business.name")
    assert all(fields[name]["source"] == "registry" and fields[name]["locked"] for name in from_registry)
    reused = next(m for m in restaurant["materials"] if m["code"] == "business_licence")
    assert (reused["status"], reused["trust"], reused["certificate_id"]) == ("attached", "A", licence["_id"])
    sent = ok(submit(owner, provide_materials(owner, fill(owner, restaurant, RESTAURANT_FACTS))))
    assert sent["state"] == "submitted" and sent["acting_for"] == code


def test_a_founder_acting_for_another_company_founds_a_new_one_without_reusing_that_companys_licence(restaurateur, clerk):
    owner = restaurateur()  # 李娜, acting for her company, which holds a business licence

    draft = start(owner, bundle="start-business")

    assert draft["acting_for"] is None
    licence = next(m for m in draft["materials"] if m["code"] == "business_licence")
    assert licence["status"] == "pending" and "certificate_id" not in licence
    assert ok(owner.as_self().get(f"/applications/{draft['id']}"))["id"] == draft["id"]


def test_a_second_founding_is_not_offered_the_first_companys_name(founder, clerk, approvers):
    first = _found(founder, clerk)
    ok(decide(approvers["scjg"], _subs(founder, first["id"])[FOUNDING]["id"]))
    approve_all(founder, approvers, first["id"])

    again = start(founder, bundle="start-business")

    fields = {f["name"]: f for f in again["fields"]}
    assert fields["business.name"]["value"] is None and fields["business.registered_address"]["value"] is None
    assert fields["seal.engraver"]["source"] == "previous_application"  # what is not the company's is still offered


def test_only_approving_the_founding_item_registers_a_company_and_only_once(founder, clerk, approvers, store):
    application = _found(founder, clerk)
    before = store[ORGS].count_documents({})

    ok(decide(approvers["scjg"], _subs(founder, application["id"])[FOUNDING]["id"], "reject", reason="名称与在先企业近似"))

    assert store[ORGS].count_documents({}) == before
    assert ok(founder.get(f"/applications/{application['id']}"))["founded_org"] is None


# -- credit codes -----------------------------------------------------------------------------------------


def test_a_registered_address_gives_its_zhuzhou_district_else_the_city():
    assert region_of("湖南省株洲市天元区长江北路88号") == "430211"
    assert region_of("湖南省株洲市醴陵市某路1号") == "430281"
    assert region_of("株洲市某路1号") == "430200"


def test_a_new_credit_code_is_valid_and_never_one_the_synthetic_or_demo_registries_use(store, cipher):
    codes = {new_credit_code(store, cipher, "430211") for _ in range(50)}

    assert len(codes) == 50
    assert all(validate_credit_code(code) == code and code.startswith("91430211MF") for code in codes)
    assert not codes & {entry["credit_code"] for entry in DEMO_ORGS}  # demo bodies are MD…, synthetic MA…


def test_a_credit_code_a_registered_organisation_holds_is_drawn_again(store, cipher, monkeypatch):
    bodies = iter(["MF000001", "MF000001", "MF000002"])
    monkeypatch.setattr(founding, "_org_code_body", lambda: next(bodies))
    taken = new_credit_code(store, cipher, "430203")
    org = Org(COMPANY, taken, "company", "430203198803159021", "李娜", "湖南省株洲市芦淞区样例街20号", "餐饮服务")
    store[ORGS].insert_one(org_document(cipher, org))

    again = new_credit_code(store, cipher, "430203")

    assert again != taken and again[10:16] == "000002"


# -- the catalogue ------------------------------------------------------------------------------------------


def _founding_item() -> dict:
    import json

    from api.catalog.service import DATA_DIR

    items = json.loads((DATA_DIR / "items.json").read_text(encoding="utf-8"))
    return next(item for item in items if item["code"] == FOUNDING)


def _errors(item: dict) -> dict:
    from marshmallow import ValidationError

    from api.catalog.schemas import ItemCreateSchema

    try:
        ItemCreateSchema().load(item)
    except ValidationError as error:
        return error.messages
    return {}


def test_the_seed_founding_item_is_for_a_person_and_registers_the_company_its_licence_names():
    item = _founding_item()

    assert _errors(item) == {}
    assert item["for_whom"] == "person" and item["results"][0]["registers_org"] is True
    assert item["results"][0]["fields"]["credit_code"] == "business.credit_code"


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (lambda item: item.update(for_whom="business"), "for_whom"),
        (lambda item: item.update(fields=[f for f in item["fields"] if f["name"] != "business.legal_rep_id_number"]), "fields"),
        (lambda item: item["results"][0]["fields"].pop("credit_code"), "results"),
        (lambda item: item["results"][0].pop("registers_org"), "results"),  # business.credit_code is then no form field
    ],
)
def test_a_founding_item_that_cannot_register_a_company_is_refused(change, key):
    item = _founding_item()
    change(item)

    assert key in _errors(item)
