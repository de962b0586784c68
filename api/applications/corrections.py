"""信息有误: a correction request on a locked value, filed with the department that holds its source.

A value from the registry or an e-certificate is shown as received and cannot be changed in the form
(DESIGN.md, "Prefill rules"); when it is wrong, the applicant files a request next to it. It goes to
the source's department: the population registry (a person's or their spouse's record) to public
security (gaj), the legal-person registry to market regulation (scjg), a certificate to the
department that issues that type. That department's approvers answer it (fixed or rejected, with a
reply) and the applicant is notified. The values named (the one shown, the one proposed) may be ID
numbers or addresses, so they are stored encrypted; lists show them masked, and an approver opening
one request sees them whole, written to the applicant's data-use log.
"""

from __future__ import annotations

import json

from pymongo import ReturnDocument

from api import audit
from api.catalog import service as catalog
from api.clock import now_iso
from api.errors import Conflict, Invalid, NotFound
from api.store import new_id
from auth.crypto import mask_address, mask_id_number, mask_phone
from auth.data_use import record_data_use
from notifications import enqueue

from .fields import FieldInvalid, clean_value, is_empty
from .prefill import SOURCE_LABELS
from .service import Caller, form_fields, form_of, get_to_change, sources_of

CORRECTIONS = "data_correction_requests"
VALUE_CONTEXT = "data_correction_requests.value"
OPEN, FIXED, REJECTED = "open", "fixed", "rejected"
ANSWERS = (FIXED, REJECTED)
STATUS_LABELS = {OPEN: "处理中", FIXED: "已更正", REJECTED: "未更正"}
REGISTRY_DEPARTMENTS = {"person": "gaj", "spouse": "gaj", "org": "scjg"}  # 人口库 → 公安, 法人库 → 市场监管
MAX_VALUE_CHARS = 500
_MASKS = {"id_number": mask_id_number, "phone": mask_phone, "address": mask_address}


def _origin(source: dict, form_field: dict) -> str:
    """Which catalogue source the value came from; drafts prefilled before it was recorded take the
    field's first source of the same kind (the one that filled it, as the earlier ones were empty)."""
    if source.get("origin"):
        return source["origin"]
    kind, _, cert_type = source["source"].partition(":")
    head = f"certificate.{cert_type}." if cert_type else f"{kind}."
    return next((s for s in form_field.get("prefill") or () if s.startswith(head)), "")


def _department(store, source: dict, origin: str) -> str:
    kind, _, cert_type = source["source"].partition(":")
    if kind == "certificate":
        return catalog.get_certificate_type(store, cert_type)["issuer"]
    return REGISTRY_DEPARTMENTS.get(origin.split(".")[1] if origin.count(".") >= 2 else "", "gaj")


def _proposed(form_field: dict, value):
    """The value proposed instead, checked as the form checks a typed one (a choice is taken as text:
    the registry's words may not be the form's)."""
    if value is None or is_empty(value):
        return None
    if isinstance(value, str) and len(value) > MAX_VALUE_CHARS:
        raise Invalid(errors={"proposed_value": [f"最多{MAX_VALUE_CHARS}个字"]})
    kind = "string" if form_field.get("type") == "choice" else form_field.get("type")
    try:
        return clean_value({**form_field, "type": kind}, value)
    except FieldInvalid as exc:
        raise Invalid(errors={"proposed_value": [str(exc)]}) from None


def _seal(cipher, value) -> str | None:
    return None if value is None else cipher.encrypt(json.dumps(value, ensure_ascii=False), VALUE_CONTEXT)


def _open(cipher, sealed: str | None):
    return None if sealed is None else json.loads(cipher.decrypt(sealed, VALUE_CONTEXT))


def file_request(store, caller: Caller, application_id: str, field_name: str, reason: str, proposed_value=None) -> dict:
    """File 信息有误 on a locked value of the caller's application (a business's only while acting for it)."""
    application = get_to_change(store, caller, application_id)
    form_field = next((f for f in form_fields(store, application) if f["name"] == field_name), None)
    if form_field is None:
        raise NotFound("表单中没有这一项", code="field_not_found")
    source = sources_of(application).get(field_name)
    if not source or not source.get("locked"):
        raise Invalid("只有政府核验或电子证照带出的信息可以反馈有误；其他信息请直接修改", code="not_locked",
                      errors={"field": ["这一项可以直接修改"]})  # fmt: skip
    if is_empty(reason):
        raise Invalid(errors={"reason": ["请说明哪里有误"]})
    proposed = _proposed(form_field, proposed_value)
    origin = _origin(source, form_field)
    query = {"application_id": application_id, "field": field_name, "status": OPEN}
    if store[CORRECTIONS].find_one(query, {"_id": 1}):
        raise Conflict("这一项已有处理中的信息有误反馈", code="correction_request_open")
    now = now_iso()
    request = {
        "_id": new_id("dcr_"),
        "application_id": application_id,
        "application_no": application["number"],
        "bundle_name": application["name"],
        "applicant_id": caller.account_id,
        "acting_for": application.get("acting_for"),
        "field": field_name,
        "field_label": form_field.get("label", field_name),
        "field_type": form_field.get("type", "string"),
        "source": source["source"],
        "origin": origin,
        "certificate_id": source.get("certificate_id"),
        "department": _department(store, source, origin),
        "current_value_enc": _seal(caller.cipher, form_of(application).get(field_name)),
        "proposed_value_enc": _seal(caller.cipher, proposed),
        "reason": reason.strip(),
        "status": OPEN,
        "reply": None,
        "answered_by": None,
        "answered_at": None,
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }
    store[CORRECTIONS].insert_one(request)
    return request


def mine(store, account_id: str, page: int, page_size: int) -> tuple[list[dict], int]:
    query = {"applicant_id": account_id}
    total = store[CORRECTIONS].count_documents(query)
    found = store[CORRECTIONS].find(query).sort("created_at", -1).skip((page - 1) * page_size).limit(page_size)
    return list(found), total


def department_requests(store, department: str, status: str | None, page: int, page_size: int) -> tuple[list[dict], int]:
    """A department's requests, oldest first (open ones by default)."""
    query = {"department": department, "status": status or OPEN}
    total = store[CORRECTIONS].count_documents(query)
    found = store[CORRECTIONS].find(query).sort("created_at", 1).skip((page - 1) * page_size).limit(page_size)
    return list(found), total


def department_request(store, department: str, request_id: str) -> dict:
    request = store[CORRECTIONS].find_one({"_id": request_id})
    if request is None or request["department"] != department:
        raise NotFound("找不到该反馈")
    return request


def open_for_staff(store, request: dict, staff_id: str) -> dict:
    """The request with its values whole, for the approver who works it: a read of the applicant's data."""
    record_data_use(store, request["applicant_id"], staff_id, "approver", "处理信息有误反馈", [request["field"]])
    return request


def answer(store, department: str, request_id: str, status: str, reply: str, actor_id: str) -> dict:
    """The department's answer (fixed: the source record is corrected; rejected: it stays), told to the applicant."""
    request = department_request(store, department, request_id)
    if status not in ANSWERS:
        raise Invalid(errors={"status": ["应为 fixed 或 rejected"]})
    if is_empty(reply):
        raise Invalid(errors={"reply": ["请填写答复"]})
    if request["status"] != OPEN:
        raise Conflict("该反馈已答复", code="already_answered", errors={"status": [request["status"]]})
    now = now_iso()
    with store.transaction() as session:
        answered = store[CORRECTIONS].find_one_and_update(
            {"_id": request_id, "status": OPEN, "version": request["version"]},
            {"$set": {"status": status, "reply": reply.strip(), "answered_by": actor_id, "answered_at": now, "updated_at": now},
             "$inc": {"version": 1}},
            return_document=ReturnDocument.AFTER,
            session=session,
        )  # fmt: skip
        if answered is None:
            raise Conflict("该反馈已答复", code="already_answered")
        audit.append(store, actor_id=actor_id, actor_role="approver", action=f"data_correction.{status}",
                     subject_type="data_correction", subject_id=request_id,
                     detail={"field": answered["field"], "application_id": answered.get("application_id")},
                     session=session)  # fmt: skip
        names = catalog.departments(store)
        data = {
            "field_label": answered["field_label"],
            "department_name": (names.get(department) or {}).get("name", department),
            "result": STATUS_LABELS[status],
            "reply": answered["reply"],
        }
        enqueue(store, "data_correction.answered", answered["applicant_id"], data, f"data_correction.answered:{request_id}",
                session=session)  # fmt: skip
    return answered


def view(store, cipher, request: dict, *, whole: bool = False) -> dict:
    """What is shown of a request: values masked by their kind, or whole for the approver who opened it."""
    mask = (lambda value: value) if whole else _MASKS.get(request["field_type"], lambda value: value)
    names = catalog.departments(store)
    kind = request["source"].split(":", 1)[0]
    return {
        **{key: request[key] for key in ("application_id", "application_no", "bundle_name", "field", "field_label", "source",
                                         "department", "reason", "status", "reply", "answered_at", "created_at", "version")},
        "id": request["_id"],
        "source_label": SOURCE_LABELS.get(kind, kind),
        "department_name": (names.get(request["department"]) or {}).get("name", request["department"]),
        "status_label": STATUS_LABELS[request["status"]],
        "current_value": _masked(mask, _open(cipher, request["current_value_enc"])),
        "proposed_value": _masked(mask, _open(cipher, request["proposed_value_enc"])),
    }  # fmt: skip


def _masked(mask, value):
    return mask(value) if isinstance(value, str) else value
