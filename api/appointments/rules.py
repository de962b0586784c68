"""The rules a hall's definition must keep as a whole: used when an admin sends a hall and when one window changes."""

from __future__ import annotations

from collections import Counter


def duplicates(values) -> list:
    return [value for value, count in Counter(values).items() if count > 1]


def definition_errors(data: dict) -> dict:
    """Codes unique, groups on known floors, windows in known groups, and each item in one group only, so that
    a visitor for an item always gets a number with the same prefix and is called by the windows that handle it."""
    errors: dict = {}
    floors = [f["code"] for f in data["floors"]]
    groups = [g["code"] for g in data["groups"]]
    for key, codes in (("floors", floors), ("groups", groups), ("windows", [w["code"] for w in data["windows"]])):
        if repeated := duplicates(codes):
            errors[key] = [f"编码重复：{'、'.join(repeated)}"]
    if unknown := sorted({g["floor"] for g in data["groups"]} - set(floors)):
        errors.setdefault("groups", []).append(f"没有这个楼层：{'、'.join(unknown)}")
    if unknown := sorted({w["group"] for w in data["windows"]} - set(groups)):
        errors.setdefault("windows", []).append(f"没有这个窗口分组：{'、'.join(unknown)}")
    item_groups: dict[str, set] = {}
    for window in data["windows"]:
        for item in window["items"]:
            item_groups.setdefault(item, set()).add(window["group"])
    if split := sorted(item for item, owners in item_groups.items() if len(owners) > 1):
        errors.setdefault("windows", []).append(f"同一事项只能由一个窗口分组办理（排队号前缀唯一）：{'、'.join(split)}")
    return errors
