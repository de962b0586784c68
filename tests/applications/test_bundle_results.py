"""Inside one bundle, an item may need the certificate another item of it issues (退休审批 → 养老金核定):
it is not asked of the applicant, it waits for that result, and it is attached the moment it is issued."""

from __future__ import annotations

from tests.applications.conftest import CONTACT_ADDRESS, decide, ok, provide_materials, start, submit, subs_by_department

BANK = {"bank_name": "中国工商银行株洲分行", "account_name": "王建国", "account_no": "6222021234567890128"}
RETIREMENT_FACTS = {
    "retiree.work_start_date": "1986-09-01",
    "retiree.retirement_type": "正常退休",
    "retiree.planned_date": "2026-07-01",
    "retiree.medical_settlement": "株洲市本地",
}
APPROVAL = "430200-RSJ-003"


def _retiree(resident):
    retiree = resident("13800000021", "王建国")
    saved = retiree.put("/me/vault/own", json={"version": 0, "contact_address": CONTACT_ADDRESS, "bank_account": BANK})
    assert saved.status_code == 200, saved.get_json()
    return retiree


def test_bank_details_in_the_vault_prefill_each_bank_field_with_its_own_part(resident):
    retiree = _retiree(resident)

    draft = start(retiree, bundle="retirement")

    values = {f["name"]: (f["value"], f["source"]) for f in draft["fields"] if f["name"].startswith("bank.")}
    assert values == {
        "bank.account_name": ("王建国", "vault"),
        "bank.bank_name": ("中国工商银行株洲分行", "vault"),
        "bank.account_number": ("6222021234567890128", "vault"),
    }


def test_a_certificate_another_item_of_the_bundle_issues_is_not_asked_for(resident):
    retiree = _retiree(resident)

    draft = start(retiree, bundle="retirement")

    approval = next(m for m in draft["materials"] if m["code"] == "retirement_approval")
    assert approval["status"] == "pending" and approval["from_item"] == APPROVAL and approval["trust"] == "A"
    archive = next(m for m in draft["materials"] if m["code"] == "personnel_file")
    assert archive["status"] == "attached" and archive["trust"] == "B"  # the archive is read at the window, as the guide says
    typed = [f["name"] for f in draft["fields"] if f["source"] is None]
    assert typed == list(RETIREMENT_FACTS)


def test_the_items_waiting_for_a_result_get_it_when_it_is_issued_and_not_before(resident, clerk, approvers, store):
    retiree = _retiree(resident)
    draft = start(retiree, bundle="retirement")
    filled = ok(retiree.patch(f"/applications/{draft['id']}", json={"values": RETIREMENT_FACTS, "version": 1}))
    application = ok(submit(retiree, provide_materials(retiree, filled)))
    ok(clerk.post(f"/clerk/applications/{application['id']}/accept"))
    subs = {s["item"]: s for group in subs_by_department(retiree, application["id"]).values() for s in group}

    early = decide(approvers["rsj"], subs["430200-RSJ-004"]["id"])
    assert early.status_code == 409 and early.get_json()["code"] == "waiting_for_results"

    ok(decide(approvers["rsj"], subs[APPROVAL]["id"]))
    approval = store["certificates"].find_one({"application_id": application["id"], "type": "retirement_approval"})
    view = ok(retiree.get(f"/applications/{application['id']}"))
    attached = next(m for m in view["materials"] if m["code"] == "retirement_approval")
    assert attached["status"] == "attached" and attached["certificate_id"] == approval["_id"]

    for item in ("430200-RSJ-004", "430200-YBJ-003", "430200-GJJ-002"):
        department = subs[item]["department"]
        ok(decide(approvers[department], subs[item]["id"]))
    done = ok(retiree.get(f"/applications/{application['id']}"))
    assert done["state"] == "completed"  # nothing on paper to post
    pension = store["certificates"].find_one({"application_id": application["id"], "type": "pension_payment"})
    assert pension is not None
