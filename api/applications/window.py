"""The front window (综合窗口) applying for a walk-in resident (线上线下融合).

The clerk checks the resident's ID card in person, so the resident's account is at level L3 from
here on; a resident without an account gets one with no phone (its `phone_bi` is a placeholder that
no blind index can equal, as the unique index needs a value). Not yet built: joining that account to
a phone later — today a resident who then registers in the app with SMS is told at the real-name
step that the ID number is bound to another account, and the window can help them. The application is
recorded as made at the window by this clerk (`channel` "window", `on_behalf_by`), counts one
in-person visit, and is shown to the resident in their app like any other.
"""

from __future__ import annotations

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from api.clock import now_iso
from api.errors import Conflict, Invalid, NotFound
from api.store import new_id
from auth.accounts import ACCOUNTS, BINDINGS
from auth.data_use import record_data_use
from auth.validators import InvalidNumber, validate_id_number

from . import states
from .service import APPLICATIONS, Caller, _get, declare_material, save_draft, start_draft, submit, upload_material


def _resident_account(store, cipher, registry, name: str, id_number: str, clerk_id: str) -> dict:
    try:
        id_number = validate_id_number(id_number)
    except InvalidNumber as exc:
        raise Invalid(str(exc), errors={"id_number": [str(exc)]}) from None
    if not registry.verify_person(name.strip(), id_number):
        raise Invalid(
            "姓名与身份证号码不匹配，请核对证件", code="identity_mismatch", errors={"id_number": ["姓名与身份证号码不匹配"]}
        )
    id_bi = cipher.blind_index("id_number", id_number)
    now = now_iso()
    binding = store[BINDINGS].find_one({"_id": id_bi})
    if binding is None:
        account_id = new_id("acc_")
        try:
            store[BINDINGS].insert_one({"_id": id_bi, "account_id": account_id, "created_at": now})
        except DuplicateKeyError:
            binding = store[BINDINGS].find_one({"_id": id_bi})
        else:
            store[ACCOUNTS].insert_one({
                "_id": account_id, "phone_bi": f"none:{account_id}", "name": name.strip(), "id_bi": id_bi,
                "id_enc": cipher.encrypt(id_number, "accounts.id_number"), "roles": ["citizen"], "acr": 3,
                "in_person_by": clerk_id, "in_person_at": now, "created_by": "window", "disabled": False,
                "created_at": now, "updated_at": now, "version": 1,
            })  # fmt: skip
            return store[ACCOUNTS].find_one({"_id": account_id})
    return store[ACCOUNTS].find_one_and_update(
        {"_id": binding["account_id"]},
        {"$set": {"acr": 3, "in_person_by": clerk_id, "in_person_at": now, "updated_at": now}, "$inc": {"version": 1}},
        return_document=ReturnDocument.AFTER,
    )


def start_for_walk_in(store, cipher, registry, clerk_id: str, hall: str, name: str, id_number: str,
                      bundle: str | None, item: str | None) -> dict:  # fmt: skip
    """A draft for the resident standing at the window, prefilled from what the government holds."""
    resident = _resident_account(store, cipher, registry, name, id_number, clerk_id)
    application = start_draft(store, Caller(resident, cipher, registry, None, "clerk"), bundle, item)
    record_data_use(store, resident["_id"], clerk_id, "clerk", "窗口代办申请（预填）", list(application["form"]))
    return store[APPLICATIONS].find_one_and_update(
        {"_id": application["_id"]},
        {"$set": {"channel": "window", "on_behalf_by": clerk_id, "hall": hall}},
        return_document=ReturnDocument.AFTER,
    )


def window_application(store, clerk_id: str, hall: str, application_id: str) -> dict:
    """An application of this hall a clerk may look at: submitted ones, and the drafts they started."""
    application = store[APPLICATIONS].find_one({"_id": application_id})
    if application is None or application["hall"] != hall:
        raise NotFound("找不到该申请")
    if application["state"] == states.DRAFT and application.get("on_behalf_by") != clerk_id:
        raise NotFound("找不到该申请")
    return application


def walk_in_caller(store, cipher, registry, clerk_id: str, hall: str, application_id: str) -> Caller:
    application = window_application(store, clerk_id, hall, application_id)
    if application.get("on_behalf_by") != clerk_id:
        raise Conflict("这不是您在窗口代办的申请", code="not_window_application")
    resident = store[ACCOUNTS].find_one({"_id": application["applicant_id"]})
    return Caller(resident, cipher, registry, None, "clerk")


def save_for_walk_in(store, cipher, registry, clerk_id: str, hall: str, application_id: str, values: dict, version: int) -> dict:
    caller = walk_in_caller(store, cipher, registry, clerk_id, hall, application_id)
    return save_draft(store, caller, application_id, values, version)


def submit_for_walk_in(store, cipher, registry, clerk_id: str, hall: str, application_id: str, version: int) -> dict:
    caller = walk_in_caller(store, cipher, registry, clerk_id, hall, application_id)
    submit(store, caller, application_id, version, on_behalf_by=clerk_id)
    return _get(store, application_id)


def declare_for_walk_in(store, cipher, registry, clerk_id: str, hall: str, application_id: str, code: str, version: int) -> dict:
    """The resident's signed statement (承诺), taken at the window: trust D like one made in the app."""
    caller = walk_in_caller(store, cipher, registry, clerk_id, hall, application_id)
    return declare_material(store, caller, application_id, code, version)


def upload_for_walk_in(store, cipher, registry, clerk_id: str, hall: str, application_id: str, code: str, file,
                       data_dir: str, version: int) -> dict:  # fmt: skip
    """A copy the clerk scanned at the window from the original they saw: trust B (checked at a window)."""
    caller = walk_in_caller(store, cipher, registry, clerk_id, hall, application_id)
    uploaded = upload_material(store, caller, application_id, code, file, data_dir, version)
    checked = store[APPLICATIONS].find_one_and_update(
        {"_id": application_id, "version": uploaded["version"]},
        {"$set": {f"materials.{code}.trust": "B", f"materials.{code}.checked_by": clerk_id}, "$inc": {"version": 1}},
        return_document=ReturnDocument.AFTER,
    )
    return checked or uploaded


def hand_over(store, clerk_id: str, hall: str, application_id: str) -> dict:
    """The paper originals of an application chosen for pickup, handed to the applicant at this hall's
    window (the clerk checks their ID card): the application then completes."""
    from .review import refresh_state
    from .service import record_event

    application = store[APPLICATIONS].find_one({"_id": application_id})
    if application is None or application["hall"] != hall or application["state"] == states.DRAFT:
        raise NotFound("找不到该申请")
    if (application.get("delivery") or {}).get("method") != "pickup":
        raise Conflict("该申请选择了邮寄送达，请等待投递", code="not_for_pickup")
    if application["state"] != states.RESULTS_ISSUED:
        label = states.STATE_LABELS.get(application["state"], application["state"])
        raise Conflict(
            f"申请当前状态为「{label}」，没有待领取的证照", code="illegal_transition", errors={"state": [application["state"]]}
        )
    with store.transaction() as session:
        store[APPLICATIONS].update_one(
            {"_id": application_id, "handed_over_at": {"$exists": False}},
            {"$set": {"handed_over_at": now_iso(), "handed_over_by": clerk_id}},
            session=session,
        )
        record_event(
            store, application_id, clerk_id, "clerk", "hand_over", states.RESULTS_ISSUED, states.COMPLETED, session=session
        )
        return refresh_state(store, application_id, session)
