"""One resident opens a restaurant through 开办餐饮店, end to end over HTTP, and the next application
reuses what the first one issued."""

from __future__ import annotations

from api.clock import from_iso, local_zone
from tests.applications.conftest import (
    CONTACT_ADDRESS_TEXT,
    RESTAURANT_FACTS,
    approve_all,
    fill,
    ok,
    provide_materials,
    start,
    submit,
    typed_fields,
)

# Everything the government or the person's vault already holds for 开办餐饮店, and where it comes from.
HELD_BY_GOVERNMENT = {
    "business.credit_code": "registry",
    "business.name": "registry",
    "business.legal_rep_name": "registry",
    "business.legal_rep_id_number": "registry",
    "business.registered_address": "registry",
    "business.type": "registry",
    "business.business_scope": "registry",
    "applicant.name": "registry",
    "applicant.id_number": "registry",
    "applicant.phone": "account",
    "applicant.contact_address": "vault",
}
NEW_FACTS = [
    "shop.name",
    "shop.address",
    "shop.area_sqm",
    "shop.main_category",
    "shop.business_items",
    "shop.seats",
    "shop.food_safety_officer",
    "signboard.text",
    "signboard.width_m",
    "signboard.height_m",
    "signboard.placement",
    "signboard.lighting",
    "shop.floor",
    "fire.safety_manager",
    "fire.acceptance",
]


def test_a_legal_representative_opens_a_restaurant_and_the_next_application_reuses_its_licence(restaurateur, clerk, approvers):
    owner = restaurateur()
    org, person = owner.org, owner.person

    draft = start(owner, bundle="open-restaurant")

    fields = {f["name"]: f for f in draft["fields"]}
    prefilled = {name: f["source"] for name, f in fields.items() if f["source"]}
    assert prefilled == HELD_BY_GOVERNMENT
    assert typed_fields(draft) == NEW_FACTS
    assert fields["business.credit_code"]["value"] == org.credit_code
    assert fields["business.legal_rep_id_number"]["value"] == person.id_number
    assert fields["applicant.contact_address"]["value"] == CONTACT_ADDRESS_TEXT
    assert all(fields[name]["locked"] for name, source in HELD_BY_GOVERNMENT.items() if source == "registry")
    assert not fields["applicant.contact_address"]["locked"] and fields["applicant.contact_address"]["source_label"] == "本人填报"
    assert draft["prefilled_share"] == round(len(HELD_BY_GOVERNMENT) / len(fields), 3) == 0.423  # 11 of 26 fields
    assert draft["missing_fields"] == NEW_FACTS
    licence = next(m for m in draft["materials"] if m["code"] == "business_licence")
    assert licence["status"] == "attached" and licence["trust"] == "A"
    assert licence["certificate_id"] == owner.extra["licence"]["_id"]

    filled = fill(owner, draft, RESTAURANT_FACTS)
    assert filled["missing_fields"] == []
    ready = provide_materials(owner, filled)
    assert {m["code"]: (m["status"], m["trust"]) for m in ready["materials"]} == {
        "business_licence": ("attached", "A"),
        "food_layout_plan": ("uploaded", "C"),
        "food_safety_rules": ("declared", "D"),
        "food_commitment": ("declared", "D"),
        "signboard_design": ("uploaded", "C"),
        "premises_proof": ("uploaded", "C"),
        "signboard_safety_commitment": ("declared", "D"),
        "fire_safety_rules": ("declared", "D"),
        "fire_floor_plan": ("uploaded", "C"),
        "fire_commitment": ("declared", "D"),
    }

    sent = ok(submit(owner, ready))
    assert sent["state"] == "submitted"
    assert sorted((s["department"], s["state"]) for s in sent["subs"]) == [
        ("cgj", "submitted"),
        ("scjg", "submitted"),
        ("scjg", "submitted"),
        ("xfjy", "submitted"),
    ]

    queue = ok(clerk.get("/clerk/applications"))
    assert [a["id"] for a in queue] == [sent["id"]]
    assert ok(clerk.post(f"/clerk/applications/{sent['id']}/accept"))["state"] == "in_review"

    done = approve_all(owner, approvers, sent["id"])
    assert done["state"] == "results_issued"  # paper originals of two licences still go by post
    assert {s["state"] for s in done["subs"]} == {"issued"}

    certificates = ok(owner.get("/me/certificates"))
    issued = {c["type"]: c for c in certificates if c["application_id"] == sent["id"]}
    assert set(issued) == {"food_business_licence", "signboard_permit", "fire_safety_inspection"}
    assert all(c["status"] == "valid" and c["holder_kind"] == "org" for c in issued.values())
    food_licence = ok(owner.get(f"/me/certificates/{issued['food_business_licence']['id']}", query_string={"reveal": "true"}))
    assert food_licence["data"]["business_name"] == org.name
    assert food_licence["data"]["premises_address"] == RESTAURANT_FACTS["shop.address"]
    assert food_licence["data"]["licence_no"] == food_licence["number"]
    assert (
        food_licence["data"]["valid_until"] == from_iso(food_licence["valid_until"]).astimezone(local_zone()).date().isoformat()
    )
    assert food_licence["issuer_name"] == "株洲市市场监督管理局"

    renewal = start(owner, item="430200-SCJG-004")

    reused = next(m for m in renewal["materials"] if m["code"] == "food_business_licence")
    assert reused["status"] == "attached" and reused["trust"] == "A"
    assert reused["certificate_id"] == issued["food_business_licence"]["id"]
    renewal_fields = {f["name"]: f for f in renewal["fields"]}
    from_licence = {name: f["value"] for name, f in renewal_fields.items() if f["source"] == "certificate:food_business_licence"}
    assert from_licence == {
        "licence.no": food_licence["number"],
        "shop.address": RESTAURANT_FACTS["shop.address"],
        "shop.main_category": RESTAURANT_FACTS["shop.main_category"],
        "shop.business_items": RESTAURANT_FACTS["shop.business_items"],
    }
    assert all(renewal_fields[name]["locked"] for name in from_licence)
    renewed = provide_materials(owner, fill(owner, renewal, {"licence.conditions_changed": False}))
    assert typed_fields(renewal) == ["licence.conditions_changed"]
    assert ok(submit(owner, renewed))["state"] == "submitted"
