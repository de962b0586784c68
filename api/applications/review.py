"""Acceptance at the front window (受理), parallel review by departments (并联审批), corrections
(补正), decisions, and results issued as e-certificates into the holder's vault."""

from __future__ import annotations

import datetime as dt

from pymongo import ReturnDocument

from api.catalog import service as catalog
from api.catalog.vocabulary import ISSUANCE_SOURCES
from api.clock import now_iso, utcnow
from api.errors import Conflict, Invalid, NotFound
from api.vault import service as vault

from . import states
from .founding import register_founded_org, registers_org
from .service import (
    APPLICATIONS,
    SHANGHAI,
    SUBS,
    Caller,
    _clean_changes,
    _write_form,
    correction_fields,
    fee_settled,
    form_fields,
    form_of,
    get_to_change,
    notify,
    record_event,
    subs_of,
)
from .workdays import add_working_days, working_days_between


def today_in_shanghai() -> dt.date:
    return utcnow().astimezone(SHANGHAI).date()


def _transition_sub(store, sub: dict, action: str, changes: dict, session=None) -> dict:
    source, target = states.SUB_TRANSITIONS[action]
    if sub["state"] != source:
        raise Conflict(
            f"该事项当前状态为「{states.STATE_LABELS.get(sub['state'], sub['state'])}」，不能{action}",
            code="illegal_transition",
            errors={"state": [sub["state"]]},
        )
    updated = store[SUBS].find_one_and_update(
        {"_id": sub["_id"], "state": source, "version": sub["version"]},
        {"$set": {"state": target, "updated_at": now_iso(), **changes}, "$inc": {"version": 1}},
        return_document=ReturnDocument.AFTER,
        session=session,
    )
    if updated is None:
        raise Conflict("该事项已被他人处理，请刷新", code="illegal_transition")
    if action == "approve":
        register_founded_org(store, updated, session)  # 企业设立登记: the company exists from its approval on
    return updated


def refresh_state(store, application_id: str, session=None, *, cause: tuple[str, str, str] | None = None) -> dict:
    """Set the application's state from its sub-applications' (a conditional write on the old state).

    `cause` is (actor id, actor role, action): a change of the application's own state is then on its
    timeline too, besides the sub-application's transition that caused it.
    """
    application = store[APPLICATIONS].find_one({"_id": application_id}, session=session)
    subs = subs_of(store, application_id)
    paper = any(
        r.get("paper") for s in subs if s["state"] == states.ISSUED for r in catalog.get_item(store, s["item"]).get("results", [])
    )
    if paper:
        from api.delivery.service import paper_delivered

        paper = not paper_delivered(store, application_id, session)
    state = states.derive_state([s["state"] for s in subs], paper_pending=paper)
    if state == application["state"]:
        return application
    sets = {"state": state, "updated_at": now_iso()}
    if state in (states.COMPLETED, states.REJECTED):
        sets["completed_at"] = now_iso()
    updated = store[APPLICATIONS].find_one_and_update(
        {"_id": application_id, "state": application["state"]},
        {"$set": sets, "$inc": {"version": 1}},
        return_document=ReturnDocument.AFTER,
        session=session,
    )
    if updated is None:
        return store[APPLICATIONS].find_one({"_id": application_id})
    if cause:
        record_event(store, application_id, *cause, application["state"], state, session=session)
    if state == states.COMPLETED:
        from api.evaluations.service import invite_for_application

        invite_for_application(store, updated, session)  # 好差评: the applicant is asked to rate it
    return updated


# -- the front window ---------------------------------------------------------------------------


def accept(store, application_id: str, actor_id: str, actor_role: str, hall: str | None = None) -> dict:
    """受理: every item of the application starts its promised time limit today."""
    application = store[APPLICATIONS].find_one({"_id": application_id})
    if application is None or (hall and application["hall"] != hall) or application["state"] == states.DRAFT:
        raise NotFound("找不到该申请")  # a draft is the applicant's own until submitted
    if application["state"] != states.SUBMITTED:
        raise Conflict(f"申请当前状态为「{states.STATE_LABELS[application['state']]}」，不能受理", code="illegal_transition",
                       errors={"state": [application["state"]]})  # fmt: skip
    today = today_in_shanghai()
    with store.transaction() as session:
        promised = 0
        for sub in subs_of(store, application_id):
            deadline = add_working_days(today, sub["promised_days"])
            promised = max(promised, sub["promised_days"])
            _transition_sub(
                store, sub, "accept", {"accepted_on": today.isoformat(), "deadline_on": deadline.isoformat()}, session
            )
        store[APPLICATIONS].update_one(
            {"_id": application_id, "state": states.SUBMITTED},
            {"$set": {"accepted_at": now_iso(), "accepted_by": actor_id}},
            session=session,
        )
        updated = refresh_state(store, application_id, session)
        record_event(store, application_id, actor_id, actor_role, "accept", states.SUBMITTED, updated["state"], session=session)
        notify(store, updated, "application.accepted", {"promised_days": promised}, session=session)
    return updated


def clerk_queue(store, hall: str, page: int, page_size: int) -> tuple[list[dict], int]:
    query = {"state": states.SUBMITTED, "hall": hall}
    total = store[APPLICATIONS].count_documents(query)
    items = list(store[APPLICATIONS].find(query).sort("submitted_at", 1).skip((page - 1) * page_size).limit(page_size))
    return items, total


# -- the departments ----------------------------------------------------------------------------


def department_queue(store, department: str, state: str | None, page: int, page_size: int) -> tuple[list[dict], int]:
    """Sub-applications of one department, soonest deadline first; overdue ones flagged."""
    wanted = [state] if state else [states.IN_REVIEW, states.NEEDS_CORRECTION]
    query = {"department": department, "state": {"$in": wanted}}
    total = store[SUBS].count_documents(query)
    items = list(store[SUBS].find(query).sort("deadline_on", 1).skip((page - 1) * page_size).limit(page_size))
    today = today_in_shanghai().isoformat()
    for sub in items:
        sub["overdue"] = sub["state"] == states.IN_REVIEW and sub.get("deadline_on", "9999") < today
    return items, total


def department_sub(store, department: str, sub_id: str) -> dict:
    sub = store[SUBS].find_one({"_id": sub_id})
    if sub is None or sub["department"] != department:
        raise NotFound("找不到该事项")
    return sub


def decide(store, department: str, sub_id: str, action: str, actor_id: str, reason: str | None, fields: list[str] | None) -> dict:
    """An approver's decision on one item: approve, reject (reason), or request a correction (fields, reason)."""
    sub = department_sub(store, department, sub_id)
    if action in ("reject", "request_correction") and not (reason or "").strip():
        raise Invalid("请填写原因", errors={"reason": ["请填写原因"]})
    application = store[APPLICATIONS].find_one({"_id": sub["application_id"]})
    changes: dict = {"decided_by": actor_id, "decided_at": now_iso()}
    if action == "request_correction":
        names = {f["name"] for f in form_fields(store, application)} | {f"materials.{code}" for code in application["materials"]}
        unknown = [name for name in fields or [] if name not in names]
        if not fields or unknown:
            raise Invalid(
                "请选择需要补正的项目", errors={"fields": [f"不在表单中：{', '.join(unknown)}" if unknown else "至少选择一项"]}
            )
        changes = {
            "correction": {"fields": fields, "reason": reason, "requested_at": now_iso()},
            "paused_on": today_in_shanghai().isoformat(),
        }
    elif action == "reject":
        changes["reason"] = reason
    else:
        _check_results_arrived(store, application, sub)
    with store.transaction() as session:
        updated_sub = _transition_sub(store, sub, action, changes, session)
        record_event(store, application["_id"], actor_id, "approver", action, sub["state"], updated_sub["state"],
                     sub_id=sub_id, comment=reason, session=session)  # fmt: skip
        updated = refresh_state(store, application["_id"], session, cause=(actor_id, "approver", action))
        if action == "request_correction":
            notify(store, updated, "application.correction_requested", {"reason": reason, "deadline": _correction_deadline()},
                   session=session, key_suffix=f":{sub_id}:{updated_sub['version']}")  # fmt: skip
        elif action == "reject":
            notify(store, updated, "application.rejected", {"reason": reason}, session=session, key_suffix=f":{sub_id}")
            from payments.refunds import on_item_rejected

            on_item_rejected(store, application["_id"], updated_sub, session=session)  # its fee: refunded, or no longer due
    if action == "approve":
        issue_results(store, application["_id"])
    return store[SUBS].find_one({"_id": sub_id})


def _check_results_arrived(store, application: dict, sub: dict) -> None:
    """An item needing a certificate that another item of the application issues is approved after it."""
    needed = [m["code"] for m in catalog.get_item(store, sub["item"]).get("materials") or [] if m["required"]]
    waiting = [code for code in needed if application["materials"].get(code, {}).get("status") == "pending"]
    if waiting:
        raise Conflict("该事项所需证照尚未由本件事中的其他事项出具，请待其办结后再审批", code="waiting_for_results",
                       errors={f"materials.{code}": ["等待出具"] for code in waiting})  # fmt: skip


def _correction_deadline() -> str:
    """Corrections are due within 15 working days (the usual notice), at the end of that day."""
    day = add_working_days(today_in_shanghai(), 15)
    end = dt.datetime.combine(day, dt.time(23, 59, 59), SHANGHAI).astimezone(dt.UTC)
    return end.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _materials_not_renewed(application: dict, waiting: list[dict]) -> list[str]:
    """Materials a correction asked for that were not provided again since it was asked."""
    stale = []
    for sub in waiting:
        for name in sub["correction"]["fields"]:
            if not name.startswith("materials."):
                continue
            material = application["materials"].get(name.split(".", 1)[1], {})
            if material.get("updated_at", "") < sub["correction"]["requested_at"]:
                stale.append(name)
    return stale


def resubmit(store, caller: Caller, application_id: str, values: dict, expected_version: int) -> dict:
    """The applicant corrects what was asked for; the paused deadlines move on by the days waited."""
    application = get_to_change(store, caller, application_id)
    waiting = [s for s in subs_of(store, application_id) if s["state"] == states.NEEDS_CORRECTION]
    if not waiting:
        raise Conflict("该申请当前无需补正", code="illegal_transition", errors={"state": [application["state"]]})
    if application["version"] != expected_version:
        raise Conflict("申请已在其他地方修改，请刷新后重试", code="version_conflict")
    allowed = correction_fields(store, application_id)
    fields = {f["name"]: f for f in form_fields(store, application)}
    changes, errors = _clean_changes(application, fields, values, allowed=allowed)
    if errors:
        raise Invalid(errors=errors)
    if missing_materials := _materials_not_renewed(application, waiting):
        raise Invalid("请重新提供要求补正的材料", errors={name: ["请重新提供该材料"] for name in missing_materials})
    application = _write_form(store, application, changes, expected_version)
    today = today_in_shanghai()
    with store.transaction() as session:
        for sub in waiting:
            paused = working_days_between(dt.date.fromisoformat(sub["paused_on"]), today)
            deadline = add_working_days(dt.date.fromisoformat(sub["deadline_on"]), paused)
            _transition_sub(
                store,
                sub,
                "resubmit",
                {"deadline_on": deadline.isoformat(), "paused_days": sub.get("paused_days", 0) + paused},
                session,
            )
            record_event(store, application_id, caller.account_id, caller.role, "resubmit",
                         states.NEEDS_CORRECTION, states.IN_REVIEW, sub_id=sub["_id"], session=session)  # fmt: skip
        return refresh_state(store, application_id, session, cause=(caller.account_id, caller.role, "resubmit"))


# -- results ----------------------------------------------------------------------------------


def _holder(store, application: dict, item: dict) -> tuple[dict, str]:
    """Who an item's result belongs to: the org it founded (企业设立登记), the org for business items,
    else the applicant (by ID number)."""
    from auth.accounts import find_account
    from auth.crypto import field_cipher

    cipher = field_cipher()
    if registers_org(item) and application.get("founded_org"):
        founded = application["founded_org"]
        return vault.org_holder(cipher, founded["credit_code"]), founded["name"]
    if item["for_whom"] == "business" and application.get("acting_for"):
        return vault.org_holder(cipher, application["acting_for"]), form_of(application).get("business.name") or application[
            "acting_for"
        ]
    account = find_account(store, application["applicant_id"])
    return vault.person_holder(account), account.get("name") or ""


def _certificate_data(result: dict, form: dict) -> tuple[dict, dict]:
    """A result's certificate data from the form, and the fields the issuance itself fills (@number …)."""
    data, stamped = {}, {}
    for cert_field, source in (result.get("fields") or {}).items():
        if source in ISSUANCE_SOURCES:
            stamped[cert_field] = ISSUANCE_SOURCES[source]
        else:
            data[cert_field] = form.get(source)
    return data, stamped


def _attach_results(store, application_id: str, issued: dict[str, str], session) -> None:
    """Materials of this application waiting for one of the certificates just issued now hold it."""
    application = store[APPLICATIONS].find_one({"_id": application_id}, session=session)
    now = now_iso()
    sets = {}
    for code, material in application["materials"].items():
        if material["status"] == "pending" and material.get("certificate_type") in issued:
            certificate_id = issued[material["certificate_type"]]
            sets.update({f"materials.{code}.status": "attached", f"materials.{code}.certificate_id": certificate_id,
                         f"materials.{code}.updated_at": now})  # fmt: skip
    if sets:
        store[APPLICATIONS].update_one(
            {"_id": application_id}, {"$set": {**sets, "updated_at": now}, "$inc": {"version": 1}}, session=session
        )


def issue_results(store, application_id: str) -> dict:
    """Issue the e-certificates of every approved item whose fee is settled (else they wait for payment)."""
    from auth.crypto import field_cipher

    application = store[APPLICATIONS].find_one({"_id": application_id})
    form = form_of(application)
    cipher = field_cipher()
    issued_any = False
    for sub in subs_of(store, application_id):
        if sub["state"] != states.APPROVED or not fee_settled(store, application_id, sub["item"]):
            continue  # an item with a fee waits for the payment (the payments worker calls this again then)
        item = catalog.get_item(store, sub["item"])
        holder, holder_name = _holder(store, application, item)
        with store.transaction() as session:
            certificates, issued_types = [], {}
            for result in item.get("results") or []:
                certificate_type = catalog.get_certificate_type(store, result["certificate_type"])
                data, stamped = _certificate_data(result, form)
                certificate = vault.issue_certificate(
                    store, cipher, holder, result["certificate_type"], result["name"], data, item["department"],
                    application_id=application_id, valid_years=certificate_type.get("validity_years"),
                    holder_name=holder_name, issuer_name=item.get("department_name"), stamped=stamped, session=session,
                )  # fmt: skip
                certificates.append(certificate["_id"])
                issued_types[result["certificate_type"]] = certificate["_id"]
            _attach_results(store, application_id, issued_types, session)
            _transition_sub(store, sub, "issue", {"certificates": certificates, "issued_at": now_iso()}, session)
            record_event(
                store,
                application_id,
                "system",
                "system",
                "issue",
                states.APPROVED,
                states.ISSUED,
                sub_id=sub["_id"],
                session=session,
            )
        issued_any = True
    updated = refresh_state(store, application_id, cause=("system", "system", "issue"))
    if issued_any and updated["state"] in (states.RESULTS_ISSUED, states.COMPLETED):
        notify(store, updated, "application.approved", {})
    if updated["state"] == states.RESULTS_ISSUED:
        from api.delivery.service import create_for_application

        create_for_application(store, cipher, updated)  # the paper originals go by EMS when so chosen (idempotent)
    return updated
