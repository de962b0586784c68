"""Drafts, prefill, saving and submission of one-thing applications.

An application holds the merged form of a bundle (or of one item). Starting a draft prefills it
from the registry, the vault's e-certificates, the person's own data and their previous
application; submitting it splits it into one sub-application per item, routed to the item's
department, all in one transaction with its fee order and its notification.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from api import audit
from api.catalog import service as catalog
from api.clock import now_iso, utcnow
from api.errors import Conflict, Forbidden, Invalid, NotFound
from api.store import new_id
from notifications import enqueue

from . import states, uploads
from .fields import FieldInvalid, clean_value, is_empty
from .prefill import SOURCE_LABELS, PrefillContext, Resolved, prefill_form

APPLICATIONS = "applications"
SUBS = "sub_applications"
EVENTS = "application_events"
FEE_ORDERS = "fee_orders"
DEFAULT_HALL = "zz-smzx"
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@dataclass
class Caller:
    """Who acts, with what they need for prefill and access checks."""

    account: dict
    cipher: Any
    registry: Any
    acting_for: str | None = None
    role: str = "citizen"

    @property
    def account_id(self) -> str:
        return self.account["_id"]


class CallerReadingOnDemand(Caller):
    """A Caller whose account document is read the first time something needs more than its id: a list or
    a read of one's own applications asks only who is asking (the id and the capacity), so it reads no account."""

    def __init__(self, account_id: str, read_account, cipher, registry, acting_for: str | None = None, role: str = "citizen"):
        self._account_id, self._read_account, self._account = account_id, read_account, None
        self.cipher, self.registry, self.acting_for, self.role = cipher, registry, acting_for, role

    @property
    def account(self) -> dict:
        if self._account is None:
            self._account = self._read_account()
        return self._account

    @property
    def account_id(self) -> str:
        return self._account_id


# -- reading the catalogue ---------------------------------------------------------------------


def _target(store, bundle_code: str | None, item_code: str | None) -> dict:
    """The bundle (or a single item as a one-item bundle) with its merged form and items."""
    if bool(bundle_code) == bool(item_code):
        raise Invalid("请选择一件事或一个事项", errors={"bundle": ["bundle 与 item 须且只须填一个"]})
    if bundle_code:
        bundle = catalog.get_bundle(store, bundle_code)
        items = [catalog.get_item(store, code) for code in bundle["items"]]
        return {"kind": "bundle", "code": bundle["code"], "name": bundle["name"], "fields": bundle["fields"], "items": items,
                "for_whom": bundle["for_whom"]}  # fmt: skip
    item = catalog.get_item(store, item_code)
    return {
        "kind": "item",
        "code": item["code"],
        "name": item["name"],
        "fields": _item_form(item),
        "items": [item],
        "for_whom": item["for_whom"],
    }


def _item_form(item: dict) -> list[dict]:
    """A single item's form, shaped as a bundle's merged form: each field names the item asking for it."""
    return [{**f, "items": [item["code"]]} for f in item["fields"]]


_TRUST_ORDER = "ABCD"


def _materials(items: list[dict]) -> list[dict]:
    """Materials of all items, one entry per code, listing the items that need it; required if any item
    requires it, and at the weakest trust any item gives it, so that review checks what one item would."""
    merged: dict[str, dict] = {}
    for item in items:
        for material in item.get("materials") or []:
            entry = merged.setdefault(material["code"], {**material, "items": []})
            entry["items"].append(item["code"])
            entry["required"] = entry["required"] or material["required"]
            entry["trust"] = max(entry["trust"], material["trust"], key=_TRUST_ORDER.index)
    return list(merged.values())


def _issuers(items: list[dict]) -> dict[str, str]:
    """certificate type → the first item of these that issues it as its result."""
    issuers: dict[str, str] = {}
    for item in items:
        for result in item.get("results") or []:
            issuers.setdefault(result["certificate_type"], item["code"])
    return issuers


# -- drafts ------------------------------------------------------------------------------------


def _previous_application(store, account_id: str, acting_for: str | None) -> dict:
    """The person's last application in the same capacity: for themselves, or for this same business
    (another business's shop name is not this one's)."""
    latest = store[APPLICATIONS].find_one(
        {"applicant_id": account_id, "acting_for": acting_for, "state": {"$in": list(states.SUBMITTED_ONCE)}},
        sort=[("created_at", -1)],
        projection={"form": 1, "submitted_at": 1},
    )
    return latest or {}


def _prefill_context(store, caller: Caller, acting_for: str | None, with_previous: bool = True) -> PrefillContext:
    """What prefill reads for the caller in one capacity: for themselves, or for the business `acting_for`.
    The last application is read only if a field falls through to it. Without `with_previous`, not at all:
    re-checking locked values needs none of its values (a value offered from the last application is never
    locked, so it fails that check as no value does)."""

    def load_previous() -> tuple[dict, str | None]:
        previous = _previous_application(store, caller.account_id, acting_for)
        return form_of(previous), previous.get("submitted_at")

    return PrefillContext(store, caller.cipher, caller.registry, caller.account, acting_for,
                          load_previous=load_previous if with_previous else None)  # fmt: skip


def _material_state(ctx: PrefillContext, material: dict, issuers: dict[str, str]) -> dict:
    """Where a material stands at the start: attached from the vault or the registry (at the trust the
    catalogue gives it), pending when another item of this application issues it, else missing."""
    source = material["source"]
    state = {"code": material["code"], "source": source, "status": "missing", "trust": material.get("trust", "C")}
    if source == "certificate":
        cert_type = material["certificate_type"]
        state["certificate_type"] = cert_type
        certificate = ctx.certificate(cert_type)
        issuer = issuers.get(cert_type)
        if certificate:
            state.update(status="attached", certificate_id=certificate["_id"])
        elif issuer and issuer not in material["items"]:
            state.update(status="pending", from_item=issuer)  # 由同一件事中的办理结果自动取得
    elif source == "registry":
        state.update(status="attached")
    return state


NUMBER_TRIES = 5


def _application_number(store) -> str:
    """YC + date (Asia/Shanghai) + 6 random digits: readable on the phone, unique by index.

    A city starts thousands of drafts a day, so two draw the same number now and then (1,000 drafts:
    a 40 % chance of at least one pair): start_draft draws again on the unique index's refusal."""
    day = utcnow().astimezone(SHANGHAI).strftime("%Y%m%d")
    return f"YC{day}{secrets.randbelow(1_000_000):06d}"


def start_draft(store, caller: Caller, bundle_code: str | None = None, item_code: str | None = None) -> dict:
    return _start_draft(store, caller, bundle_code, item_code)[0]


def start_draft_view(store, caller: Caller, bundle_code: str | None = None, item_code: str | None = None) -> dict:
    """Start a draft and return its view (application_view's), built from the catalogue documents that starting
    it read, and with the history a fresh random id has: none (no sub-application, event, fee order or shipment
    can name it yet), instead of asking the catalogue again and the store four more times."""
    application, target = _start_draft(store, caller, bundle_code, item_code)
    view = _form_view(store, application, target["fields"], target["items"])
    view.update(subs=[], timeline=[], fee=None, delivery=None, shipment=None)
    return view


def _start_draft(store, caller: Caller, bundle_code: str | None, item_code: str | None) -> tuple[dict, dict]:
    """The draft stored, and the target (bundle or item, with its form and items) it was started from."""
    target = _target(store, bundle_code, item_code)
    if target["for_whom"] == "business" and not caller.acting_for:
        raise Forbidden("该事项需以企业身份办理：请先在「我的企业」中选择企业", code="acting_for_required")
    # A person's bundle is applied for in person, even while acting for a business: that business's
    # certificates are not the applicant's (企业开办 founds a new company, it does not reuse another's licence).
    acting_for = caller.acting_for if target["for_whom"] == "business" else None
    ctx = _prefill_context(store, caller, acting_for)
    with ctx.audits_deferred():  # the registry reads are audited in the draft's own transaction
        return _store_draft(store, caller, ctx, target, acting_for)


def _store_draft(store, caller: Caller, ctx: PrefillContext, target: dict, acting_for: str | None) -> tuple[dict, dict]:
    prefilled = prefill_form(ctx, target["fields"])
    issuers = _issuers(target["items"])
    now = now_iso()
    application = {
        "_id": new_id("app_"),
        "number": _application_number(store),
        "kind": target["kind"],
        "target": target["code"],
        "name": target["name"],
        "items": [item["code"] for item in target["items"]],
        "applicant_id": caller.account_id,
        "acting_for": acting_for,
        "channel": "online",
        "on_behalf_by": None,
        "hall": DEFAULT_HALL,
        "state": states.DRAFT,
        "form": {_flat(name): r.value for name, r in prefilled.items()},
        "sources": {_flat(name): _source_doc(r) for name, r in prefilled.items()},
        "materials": {m["code"]: _material_state(ctx, m, issuers) for m in _materials(target["items"])},
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }
    for attempt in range(NUMBER_TRIES):
        try:
            with store.transaction() as session:
                ctx.write_audits(session)
                store[APPLICATIONS].insert_one(application, session=session)
            ctx.audits_committed()
            return application, target
        except DuplicateKeyError:  # a number drawn twice the same day (found by the load benchmark)
            if attempt == NUMBER_TRIES - 1:
                raise
            application["number"] = _application_number(store)
    raise AssertionError("unreachable")


def _flat(name: str) -> str:
    """Form keys are stored flat ("applicant__name"): a dotted key would be a path to the store."""
    return name.replace(".", "__")


def form_of(application: dict) -> dict:
    return {key.replace("__", "."): value for key, value in (application.get("form") or {}).items()}


def sources_of(application: dict) -> dict:
    return {key.replace("__", "."): value for key, value in (application.get("sources") or {}).items()}


def _source_doc(resolved: Resolved) -> dict:
    doc = {"source": resolved.source, "locked": resolved.locked, "updated_at": resolved.updated_at, "origin": resolved.origin}
    if resolved.certificate_id:
        doc["certificate_id"] = resolved.certificate_id
    return doc


def get_own(store, caller: Caller, application_id: str) -> dict:
    """The caller's application; someone else's is a 404, never a 403 that admits it exists."""
    application = store[APPLICATIONS].find_one({"_id": application_id})
    if application is None or not _may_see(caller, application):
        raise NotFound("找不到该申请")
    return application


def get_to_change(store, caller: Caller, application_id: str) -> dict:
    """The caller's application, to change it: a business's only while acting for that business, which
    the registry confirms on every request, so a replaced legal representative loses it at once (and
    the locked values are checked against that business's records, not against none)."""
    application = get_own(store, caller, application_id)
    if application.get("acting_for") and caller.acting_for != application["acting_for"]:
        raise Forbidden("该申请需以企业身份办理：请先在「我的企业」中选择该企业", code="acting_for_required")
    return application


def _may_see(caller: Caller, application: dict) -> bool:
    if application["applicant_id"] == caller.account_id:
        return True
    return bool(caller.acting_for) and application.get("acting_for") == caller.acting_for


def form_fields(store, application: dict) -> list[dict]:
    target = _target(store, application["target"] if application["kind"] == "bundle" else None,
                     application["target"] if application["kind"] == "item" else None)  # fmt: skip
    return target["fields"]


def _form_and_items(store, application: dict) -> tuple[list[dict], list[dict]]:
    """The form fields (as form_fields) and the items of an application, each catalogue document read once:
    a view and submit need both, and asking for them apart read every item of a bundle twice."""
    if application["kind"] == "bundle":
        bundle = catalog.get_bundle(store, application["target"])
        codes, fields = bundle["items"], bundle["fields"]
    else:
        codes, fields = [application["target"]], None
    read = {code: catalog.get_item(store, code) for code in dict.fromkeys([*codes, *application["items"]])}
    if fields is None:
        fields = _item_form(read[application["target"]])
    return fields, [read[code] for code in application["items"]]


def save_draft(store, caller: Caller, application_id: str, values: dict, expected_version: int) -> dict:
    """Store what the person typed: each value checked, locked values refused, stale versions 409."""
    application = get_to_change(store, caller, application_id)
    _check_editable(application, expected_version)
    fields = {f["name"]: f for f in form_fields(store, application)}
    allowed = correction_fields(store, application_id) if application["state"] == states.NEEDS_CORRECTION else None
    changes, errors = _clean_changes(application, fields, values, allowed=allowed)
    if errors:
        raise Invalid(errors=errors)
    return _write_form(store, application, changes, expected_version)


def correction_fields(store, application_id: str) -> set[str]:
    """The form fields the departments asked to correct (补正); only these may change until resubmitted."""
    waiting = store[SUBS].find({"application_id": application_id, "state": states.NEEDS_CORRECTION})
    return {name for sub in waiting for name in sub["correction"]["fields"] if not name.startswith("materials.")}


def _clean_changes(application: dict, fields: dict, values: dict, allowed: set | None) -> tuple[dict, dict]:
    changes, errors = {}, {}
    form, sources = form_of(application), sources_of(application)
    for name, value in values.items():
        field = fields.get(name)
        if field is None:
            errors[name] = ["表单中没有这一项"]
            continue
        if allowed is not None and name not in allowed:
            errors[name] = ["这一项不在补正范围内"]
            continue
        source = sources.get(name, {})
        if source.get("locked") and value != form.get(name):
            errors[name] = [f"该信息来自{SOURCE_LABELS[source['source'].split(':')[0]]}，不能修改；如有误请点击「信息有误」"]
            continue
        if is_empty(value):
            changes[name] = None
            continue
        try:
            changes[name] = clean_value(field, value)
        except FieldInvalid as exc:
            errors[name] = [str(exc)]
    return changes, errors


def _write_form(store, application: dict, changes: dict, expected_version: int) -> dict:
    sets = {"updated_at": now_iso()}
    unsets = {}
    form, sources = form_of(application), sources_of(application)
    for name, value in changes.items():
        source = sources.get(name)
        if source and source["locked"]:
            continue  # unchanged locked value sent back with the rest of the form
        if value is None:
            unsets[f"form.{_flat(name)}"] = ""
            unsets[f"sources.{_flat(name)}"] = ""
        else:
            sets[f"form.{_flat(name)}"] = value
            if source and value != form.get(name):
                unsets[f"sources.{_flat(name)}"] = ""  # typed over what was offered: the value is the person's own now
    update: dict = {"$set": sets, "$inc": {"version": 1}}
    if unsets:
        update["$unset"] = unsets
    updated = store[APPLICATIONS].find_one_and_update(
        {"_id": application["_id"], "version": expected_version}, update, return_document=ReturnDocument.AFTER
    )
    if updated is None:
        raise Conflict("草稿已在其他地方修改，请刷新后重试", code="version_conflict")
    return updated


# -- what the person sees of a draft ----------------------------------------------------------------


def draft_view(store, application: dict, form: list[dict] | None = None) -> dict:
    """The form with each value's source; the share of fields the government already filled in.
    `form`: the application's form fields, when the caller has read them already."""
    values, sources = form_of(application), sources_of(application)
    fields = []
    for field in form_fields(store, application) if form is None else form:
        source = sources.get(field["name"])
        kind = source["source"].split(":", 1)[0] if source else None
        fields.append(
            {
                **{k: field[k] for k in ("name", "label", "type", "required") if k in field},
                **{k: field[k] for k in ("choices", "max_length", "min", "max") if k in field},
                "value": values.get(field["name"]),
                "source": source["source"] if source else None,
                "source_label": SOURCE_LABELS.get(kind) if kind else None,
                "source_updated_at": source.get("updated_at") if source else None,
                "locked": bool(source and source["locked"]),
                "items": field.get("items", []),
            }
        )
    prefilled = sum(1 for f in fields if f["source"] and f["source"] != "previous_application")
    missing = [f["name"] for f in fields if f["required"] and is_empty(f["value"])]
    return {
        **{k: application[k] for k in ("number", "kind", "target", "name", "items", "state", "version", "created_at")},
        "id": application["_id"],
        "acting_for": application.get("acting_for"),
        "founded_org": application.get("founded_org"),
        "fields": fields,
        "materials": list(application["materials"].values()),
        "prefilled_share": round(prefilled / len(fields), 3) if fields else 1.0,
        "missing_fields": missing,
    }


def declare_material(store, caller: Caller, application_id: str, code: str, expected_version: int) -> dict:
    """The applicant's own statement (承诺/声明) for a material whose source is the form: trust D."""
    application = get_to_change(store, caller, application_id)
    material = application["materials"].get(code)
    if material is None or material["source"] != "form":
        raise NotFound("该材料不需要声明")
    return _set_material(
        store, application, code, {"status": "declared", "trust": "D", "declared_at": now_iso()}, expected_version
    )


def _check_editable(application: dict, expected_version: int) -> None:
    if application["state"] not in (states.DRAFT, states.NEEDS_CORRECTION):
        raise Conflict(f"申请当前状态为「{states.STATE_LABELS[application['state']]}」，不能修改", code="not_editable",
                       errors={"state": [application["state"]]})  # fmt: skip
    if application["version"] != expected_version:
        raise Conflict("草稿已在其他地方修改，请刷新后重试", code="version_conflict")


def _set_material(store, application: dict, code: str, changes: dict, expected_version: int) -> dict:
    _check_editable(application, expected_version)
    now = now_iso()
    sets = {f"materials.{code}.{key}": value for key, value in {**changes, "updated_at": now}.items()}
    updated = store[APPLICATIONS].find_one_and_update(
        {"_id": application["_id"], "version": expected_version},
        {"$set": {**sets, "updated_at": now}, "$inc": {"version": 1}},
        return_document=ReturnDocument.AFTER,
    )
    if updated is None:
        raise Conflict("草稿已在其他地方修改，请刷新后重试", code="version_conflict")
    return updated


def upload_material(store, caller: Caller, application_id: str, code: str, file, data_dir: str, expected_version: int) -> dict:
    """Store an uploaded material (PDF, JPEG or PNG) and attach it, trust C. Everything that can refuse it
    (whose application, which material, its state and version) is checked before anything is stored."""
    application = get_to_change(store, caller, application_id)
    material = application["materials"].get(code)
    if material is None or material["source"] != "upload":
        raise NotFound("该材料不需要上传")
    _check_editable(application, expected_version)
    upload = uploads.save_upload(store, data_dir, caller.account_id, file, application_id=application_id, material=code)
    try:
        return _set_material(
            store, application, code, {"status": "uploaded", "trust": "C", "upload_id": upload["_id"]}, expected_version
        )
    except Conflict:
        store[uploads.UPLOADS].delete_one({"_id": upload["_id"]})  # changed elsewhere meanwhile: keep no orphan
        raise


# -- submission ------------------------------------------------------------------------------------


def _check_complete(ctx: PrefillContext, application: dict, fields: list[dict], items: list[dict]) -> dict:
    """Every required value present and valid, locked values still what their source says."""
    form, sources = form_of(application), sources_of(application)
    fresh = prefill_form(ctx, fields)
    errors: dict = {}
    for field in fields:
        name = field["name"]
        value = form.get(name)
        if sources.get(name, {}).get("locked"):
            now = fresh.get(name)
            if now is None or not now.locked or now.value != value:
                errors[name] = ["该信息与来源不一致，请刷新后重新核对"]
            continue
        if is_empty(value):
            if field.get("required"):
                errors[name] = ["此项为必填项"]
            continue
        try:
            clean_value(field, value)
        except FieldInvalid as exc:
            errors[name] = [str(exc)]
    for code, material in application["materials"].items():
        if material["status"] == "missing" and _required(items, code):
            errors[f"materials.{code}"] = ["请提供该材料"]
    return errors


def _required(items: list[dict], code: str) -> bool:
    return any(m["code"] == code and m["required"] for item in items for m in item.get("materials") or [])


def submit(
    store, caller: Caller, application_id: str, expected_version: int, *, on_behalf_by: str | None = None,
    delivery: dict | None = None,
) -> dict:  # fmt: skip
    return _submit(store, caller, application_id, expected_version, on_behalf_by, delivery)[0]


def submit_view(store, caller: Caller, application_id: str, expected_version: int, delivery: dict | None = None) -> dict:
    """Submit, and return the view of the submitted application (application_view's) built from the catalogue
    documents the submission read, and from the history it wrote (read back only when it was accepted at once)."""
    application, form, items, history = _submit(store, caller, application_id, expected_version, None, delivery)
    view = _form_view(store, application, form, items)
    view.update(_history(store, application) if history is None else history)
    return view


def _submit(
    store, caller: Caller, application_id: str, expected_version: int, on_behalf_by: str | None, delivery: dict | None
) -> tuple[dict, list[dict], list[dict], dict | None]:
    """The submitted application, with the form fields and items (_form_and_items) it was checked against, and
    its history (_history's) as the submission wrote it: None when it was accepted at once (that wrote more)."""
    application = get_to_change(store, caller, application_id) if on_behalf_by is None else _get(store, application_id)
    if application["state"] != states.DRAFT:
        raise Conflict(f"申请当前状态为「{states.STATE_LABELS[application['state']]}」，不能提交", code="illegal_transition",
                       errors={"state": [application["state"]]})  # fmt: skip
    if application["version"] != expected_version:
        raise Conflict("申请已在其他地方修改，请刷新后重试", code="version_conflict")
    fields, items = _form_and_items(store, application)
    needed = max(item["acr_level"] for item in items)
    if caller.account.get("acr", 0) < needed:
        raise Forbidden(f"该事项需要实名认证等级L{needed}，请先完成实名认证", code="real_name_level_too_low")
    # re-read in the capacity it was filled in
    ctx = _prefill_context(store, caller, application.get("acting_for"), with_previous=False)
    with ctx.audits_deferred():  # the registry reads are audited in the submission's transaction
        return _submit_checked(store, caller, ctx, application, fields, items, expected_version, on_behalf_by, delivery)


def _submit_checked(
    store, caller: Caller, ctx: PrefillContext, application: dict, fields: list[dict], items: list[dict],
    expected_version: int, on_behalf_by: str | None, delivery: dict | None,
) -> tuple[dict, list[dict], list[dict], dict | None]:  # fmt: skip
    errors = _check_complete(ctx, application, fields, items)
    if errors:
        raise Invalid("申请信息不完整或有误，请检查后再提交", errors=errors)
    from api.delivery.choice import default_choice, seal_choice

    hall = application.get("hall") or DEFAULT_HALL
    if not delivery:  # from the vault data and phone the check above read, not read and decrypted again
        delivery = default_choice(store, caller.cipher, caller.account, hall, own=ctx.own_data(), account_phone=ctx.phone)
    chosen = seal_choice(caller.cipher, delivery, hall)
    now = now_iso()
    fee = sum(item["fee_fen"] for item in items)
    trips = 1 if on_behalf_by or any(item["visits"] for item in items) else 0
    auto = all(item["review"] == "auto" for item in items) and not on_behalf_by
    with store.transaction() as session:
        ctx.write_audits(session)
        submitted = store[APPLICATIONS].find_one_and_update(
            {"_id": application["_id"], "state": states.DRAFT, "version": expected_version},
            {
                "$set": {
                    "state": states.SUBMITTED,
                    "submitted_at": now,
                    "updated_at": now,
                    "trips": trips,
                    "fee_fen": fee,
                    "delivery": chosen,
                },  # fmt: skip
                "$inc": {"version": 1},
            },
            return_document=ReturnDocument.AFTER,
            session=session,
        )
        if submitted is None:
            raise Conflict("申请已在其他地方修改，请刷新后重试", code="version_conflict")
        subs = [
            {
                "_id": new_id("sub_"),
                "application_id": application["_id"],
                "item": item["code"],
                "item_name": item["name"],
                "department": item["department"],
                "promised_days": item["promised_days"],
                "state": states.SUBMITTED,
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
            for item in items
        ]
        store[SUBS].insert_many(subs, session=session)  # one statement for all of them
        order = _fee_order(store, submitted, items, fee, now, session)
        event = record_event(
            store, application["_id"], caller.account_id, caller.role, "submit", states.DRAFT, states.SUBMITTED, session=session
        )
        notify(store, submitted, "application.submitted", {}, session=session)
    ctx.audits_committed()
    if auto:
        from .review import accept

        return accept(store, application["_id"], actor_id="system", actor_role="system"), fields, items, None
    return submitted, fields, items, _submitted_history(store, submitted, subs, order, event)


def _submitted_history(store, application: dict, subs: list[dict], order: dict, event: dict) -> dict:
    """_history's answer for an application just submitted, from what the submission wrote: a draft has no
    sub-application, event, fee order or shipment before it (shipments come with results)."""
    from api.delivery.choice import masked_choice
    from auth.crypto import cipher_for_store

    return {
        "subs": [with_label(sub) for sub in sorted(subs, key=lambda sub: sub["item"])],
        "timeline": [event],
        "fee": order,
        "delivery": masked_choice(cipher_for_store(store), application.get("delivery")),
        "shipment": None,
    }


def _fee_order(store, application: dict, items: list[dict], fee: int, now: str, session) -> dict:
    """The fee order request: one per application; the payments feature takes it from here."""
    lines = [
        {"item": i["code"], "name": i["name"], "amount_fen": i["fee_fen"], "basis": i.get("fee_basis")}
        for i in items
        if i["fee_fen"]
    ]
    order = {
        "_id": new_id("fee_"),
        "application_id": application["_id"],
        "amount_fen": fee,
        "lines": lines,
        "state": "pending" if fee else "not_required",
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }
    if fee:
        from payments.orders import on_fee_order_created

        order.update(on_fee_order_created(store, application, order, session))  # its expiry, and "payment due" to the payer
    store[FEE_ORDERS].insert_one(order, session=session)
    return order


def fee_settled(store, application_id: str, item: str | None = None) -> bool:
    """Whether results may be issued: no fee, or the fee paid (refunds of other items do not undo it).
    With `item`, an item without a fee of its own is settled whatever the order's state."""
    order = store[FEE_ORDERS].find_one({"application_id": application_id})
    if order is None or order["state"] == "not_required":
        return True
    if item is not None and item not in {line["item"] for line in order["lines"]}:
        return True
    return order["state"] in ("paid", "refunding", "refunded")


def withdraw(store, caller: Caller, application_id: str) -> dict:
    """The applicant takes back a draft or a submitted application, before it is accepted."""
    application = get_to_change(store, caller, application_id)
    if application["state"] not in (states.DRAFT, states.SUBMITTED):
        raise Conflict(f"申请已{states.STATE_LABELS[application['state']]}，不能撤回", code="illegal_transition",
                       errors={"state": [application["state"]]})  # fmt: skip
    now = now_iso()
    with store.transaction() as session:
        updated = store[APPLICATIONS].find_one_and_update(
            {"_id": application_id, "state": application["state"]},
            {"$set": {"state": states.WITHDRAWN, "updated_at": now}, "$inc": {"version": 1}},
            return_document=ReturnDocument.AFTER,
            session=session,
        )
        if updated is None:
            raise Conflict("申请状态已变化，请刷新", code="illegal_transition")
        store[SUBS].update_many(
            {"application_id": application_id, "state": states.SUBMITTED},
            {"$set": {"state": states.WITHDRAWN, "updated_at": now}, "$inc": {"version": 1}},
            session=session,
        )
        from payments.refunds import on_withdrawn

        on_withdrawn(store, application_id, session=session)  # an unpaid fee order is closed, a paid one refunded
        record_event(
            store,
            application_id,
            caller.account_id,
            caller.role,
            "withdraw",
            application["state"],
            states.WITHDRAWN,
            session=session,
        )
    return updated


def _get(store, application_id: str) -> dict:
    application = store[APPLICATIONS].find_one({"_id": application_id})
    if application is None:
        raise NotFound("找不到该申请")
    return application


def my_applications(store, caller: Caller, page: int, page_size: int) -> tuple[list[dict], int]:
    """Acting for a business: the business's applications, whoever of its representative and agents made
    them. Otherwise: the caller's own applications for themselves."""
    if caller.acting_for:
        query: dict = {"acting_for": caller.acting_for}
    else:
        query = {"applicant_id": caller.account_id, "acting_for": None}
    skip = (page - 1) * page_size
    items = list(store[APPLICATIONS].find(query).sort("created_at", -1).skip(skip).limit(page_size))
    return _with_fees(store, items), _total(store, query, skip, page_size, len(items))


def _total(store, query: dict, skip: int, page_size: int, found: int) -> int:
    """How many match, for the pagination header: a page that is not full says it without counting (most
    people's applications fit on the first page), except an empty page past the first, which may be past the end."""
    if 0 < found < page_size or (found == 0 and skip == 0):
        return skip + found
    return store[APPLICATIONS].count_documents(query)


def _with_fees(store, applications: list[dict]) -> list[dict]:
    """Each application with its fee order's amount and state (one query for the page), for lists that flag 待缴费."""
    ids = [application["_id"] for application in applications]
    orders = {o["application_id"]: o for o in store[FEE_ORDERS].find({"application_id": {"$in": ids}})} if ids else {}
    return [{**a, "fee": orders.get(a["_id"])} for a in applications]


def subs_of(store, application_id: str) -> list[dict]:
    return list(store[SUBS].find({"application_id": application_id}).sort("item", 1))


def timeline(store, application_id: str) -> list[dict]:
    return list(store[EVENTS].find({"application_id": application_id}).sort("at", 1))


def record_event(
    store, application_id, actor_id, actor_role, action, from_state, to_state, *, sub_id=None, comment=None, session=None
) -> dict:
    """Put one event on the application's timeline (and in the audit log); return it as stored."""
    event = {
        "_id": new_id("evt_"),
        "application_id": application_id,
        "sub_id": sub_id,
        "actor_id": actor_id,
        "actor_role": actor_role,
        "action": action,
        "from": from_state,
        "to": to_state,
        "comment": comment,
        "at": now_iso(),
    }
    store[EVENTS].insert_one(event, session=session)
    audit.append(store, actor_id=actor_id, actor_role=actor_role, action=f"application.{action}", subject_type="application",
                 subject_id=application_id, detail={"from": from_state, "to": to_state, "sub_id": sub_id,
                                                    "commented": bool(comment)}, session=session)  # fmt: skip
    return event


def notify(store, application: dict, event: str, extra: dict, session=None, key_suffix: str = "") -> None:
    data = {
        "application_id": application["_id"],
        "application_no": application["number"],
        "bundle_name": application["name"],
        **extra,
    }
    enqueue(store, event, application["applicant_id"], data, f"{event}:{application['_id']}{key_suffix}", session=session)


def application_view(store, application: dict, with_history: bool = True) -> dict:
    """Everything the applicant (or staff) sees of one application: the form with sources, and, once
    submitted, its sub-applications, timeline and fee."""
    view = _form_view(store, application, *_form_and_items(store, application))
    if with_history:
        view.update(_history(store, application))
    return view


def _history(store, application: dict) -> dict:
    """What happened to it since it was submitted: sub-applications, timeline, fee, delivery and shipment."""
    subs = subs_of(store, application["_id"])
    return {
        "subs": [with_label(sub) for sub in subs],
        "timeline": timeline(store, application["_id"]),
        "fee": store[FEE_ORDERS].find_one({"application_id": application["_id"]}),
        **_delivery_view(store, application),
    }


def _form_view(store, application: dict, form: list[dict], items: list[dict]) -> dict:
    """The view but its history, from the application's form fields and items (_form_and_items)."""
    view = draft_view(store, application, form)
    view.update({key: application.get(key) for key in ("submitted_at", "channel", "trips")})
    view["state_label"] = states.STATE_LABELS.get(application["state"], application["state"])
    materials = {m["code"]: m for m in _materials(items)}
    view["materials"] = [
        {**state, "name": materials.get(code, {}).get("name", code), "required": materials.get(code, {}).get("required", False)}
        for code, state in application["materials"].items()
    ]
    return view


def _delivery_view(store, application: dict) -> dict:
    """The delivery chosen (recipient masked) and, once posted, the shipment's tracking."""
    from api.delivery import service as delivery
    from api.delivery.choice import masked_choice
    from auth.crypto import cipher_for_store

    shipment = delivery.of_application(store, application["_id"])
    return {
        "delivery": masked_choice(cipher_for_store(store), application.get("delivery")),
        "shipment": delivery.tracking_view(store, shipment) if shipment else None,
    }


def with_label(application: dict) -> dict:
    return {**application, "state_label": states.STATE_LABELS.get(application["state"], application["state"])}
