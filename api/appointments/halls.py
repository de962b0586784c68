"""Service halls (政务服务大厅): floors, window groups, windows and the items each window handles.

A hall is one document (`halls`, keyed by code): everything availability needs is read in one lookup.
A window group is a zone of windows (不动产登记区) whose letter prefixes the queue numbers it calls; an
item is handled by one group per hall. Editing a hall does not touch bookings already made: they keep
their slot and window (a window closed later still sees its bookings through; see docs/appointments.md).
"""

from __future__ import annotations

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from api.catalog import service as catalog
from api.clock import now_iso
from api.errors import Conflict, Invalid, NotFound

from .rules import definition_errors
from .schemas import WEEKDAYS, WINDOW_CODE

HALLS = "halls"
_META = ("_id", "version", "created_at", "updated_at")


def _definition(data: dict) -> dict:
    """What the admin sent, as stored: ISO dates, every weekday present."""
    definition = {key: value for key, value in data.items() if key not in ("version", "code")}
    definition["closed_days"] = sorted({str(day) for day in data.get("closed_days") or []})
    definition["opening_hours"] = {day: [list(p) for p in (data["opening_hours"].get(day) or [])] for day in WEEKDAYS}
    return definition


def _check_items(store, definition: dict) -> None:
    """Every item a window handles is in the catalogue and active."""
    codes = sorted({item for window in definition["windows"] for item in window["items"]})
    found = {d["_id"]: d for d in store[catalog.ITEMS].find({"_id": {"$in": codes}}, projection={"status": 1})}
    unknown = [code for code in codes if code not in found or found[code].get("status", "active") != "active"]
    if unknown:
        raise Invalid("大厅设置有误：窗口办理的事项不在事项目录中", code="hall_invalid",
                      errors={"windows": [f"没有这个事项：{'、'.join(unknown)}"]})  # fmt: skip


def create_hall(store, data: dict) -> dict:
    definition = _definition(data)
    _check_items(store, definition)
    now = now_iso()
    document = {"_id": data["code"], "code": data["code"], **definition, "created_at": now, "updated_at": now, "version": 1}
    try:
        store[HALLS].insert_one(document)
    except DuplicateKeyError:
        raise Conflict("该大厅编码已被使用", code="hall_exists", errors={"code": ["编码已存在"]}) from None
    return document


def update_hall(store, code: str, data: dict) -> dict:
    """Replace a hall's definition; `data["version"]` is the version the admin edited."""
    get_hall(store, code, active_only=False)
    definition = _definition(data)
    _check_items(store, definition)
    return _write(store, code, definition, data["version"])


def put_window(store, code: str, window_code: str, data: dict) -> dict:
    """Add or replace one window (its group, items, whether it is open) in the hall of `data["version"]`."""
    hall = get_hall(store, code, active_only=False)
    if not WINDOW_CODE.match(window_code):
        raise Invalid(
            "窗口编码应为大写字母开头的2到8位字母或数字，如 A01", code="hall_invalid", errors={"code": ["窗口编码格式不正确"]}
        )
    window = {"code": window_code, **{key: value for key, value in data.items() if key != "version"}}
    windows = [w for w in hall["windows"] if w["code"] != window_code]
    position = next((i for i, w in enumerate(hall["windows"]) if w["code"] == window_code), len(windows))
    windows.insert(position, window)
    definition = {**{k: v for k, v in hall.items() if k not in (*_META, "code")}, "windows": windows}
    if errors := definition_errors(definition):
        raise Invalid("大厅设置有误", code="hall_invalid", errors=errors)
    _check_items(store, definition)
    return _write(store, code, definition, data["version"])


def _write(store, code: str, definition: dict, expected_version: int) -> dict:
    updated = store[HALLS].find_one_and_update(
        {"_id": code, "version": expected_version},
        {"$set": {**definition, "updated_at": now_iso()}, "$inc": {"version": 1}},
        return_document=ReturnDocument.AFTER,
    )
    if updated is None:
        raise Conflict("大厅设置已被他人修改，请刷新后重试", code="version_conflict")
    return updated


def get_hall(store, code: str, *, active_only: bool = True) -> dict:
    hall = store[HALLS].find_one({"_id": code})
    if hall is None or (active_only and hall.get("status") != "active"):
        raise NotFound("没有这个大厅", code="hall_not_found")
    return hall


def list_halls(store, item: str | None = None, include_inactive: bool = False) -> list[dict]:
    """Halls by code (a city has tens of them: read whole), those handling `item` when given."""
    query = {} if include_inactive else {"status": "active"}
    halls = list(store[HALLS].find(query, sort=[("_id", 1)]))
    return [hall for hall in halls if item is None or windows_for(hall, item)]


def windows_for(hall: dict, item: str) -> list[str]:
    """The open windows that handle `item`, the ones handling fewest items first: a booking takes a place at
    the first with room, so the windows that can serve only this item fill before the shared ones."""
    found = [w for w in hall["windows"] if w.get("active", True) and item in w["items"]]
    return [w["code"] for w in sorted(found, key=lambda w: (len(w["items"]), w["code"]))]


def window_of(hall: dict, code: str) -> dict | None:
    return next((w for w in hall["windows"] if w["code"] == code), None)


def group_of(hall: dict, code: str) -> dict:
    return next((g for g in hall["groups"] if g["code"] == code), {"code": code, "name": code, "floor": ""})


def group_for_item(hall: dict, item: str) -> dict | None:
    window = next((w for w in hall["windows"] if w.get("active", True) and item in w["items"]), None)
    return group_of(hall, window["group"]) if window else None


def floor_name(hall: dict, floor: str) -> str:
    return next((f["name"] for f in hall["floors"] if f["code"] == floor), floor)


def item_refs(store, hall: dict) -> list[dict]:
    """The items the hall's open windows handle, with names from the catalogue, by code."""
    counts: dict[str, int] = {}
    groups: dict[str, str] = {}
    for window in hall["windows"]:
        if window.get("active", True):
            for item in window["items"]:
                counts[item] = counts.get(item, 0) + 1
                groups.setdefault(item, window["group"])
    found = {
        d["_id"]: d for d in store[catalog.ITEMS].find({"_id": {"$in": sorted(counts)}}, projection={"name": 1, "visits": 1})
    }
    return [
        {"code": code, "name": found.get(code, {}).get("name", code), "group": groups[code], "windows": counts[code],
         "visits": found.get(code, {}).get("visits", 0)}
        for code in sorted(counts)
    ]  # fmt: skip


def hall_view(store, hall: dict) -> dict:
    return {**{k: v for k, v in hall.items() if k != "_id"}, "items": item_refs(store, hall)}


def hall_summary(store, hall: dict) -> dict:
    keys = ("code", "name", "kind", "district", "address", "phone", "status")
    return {**{k: hall.get(k) for k in keys}, "items": item_refs(store, hall)}
