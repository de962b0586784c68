"""Counters of ratings per scope (all, item, department, bundle, hall), moved on every write, so that a
public summary is one read. One document per scope: `_id` "item:430200-GAJ-002", level_1 … level_5,
count, satisfied (level ≥ 3)."""

from __future__ import annotations

from api.clock import now_iso

from . import rules

TOTALS = "evaluation_totals"
SCOPES = ("item", "department", "bundle", "hall")


def scopes_of(evaluation: dict) -> list[tuple[str, str]]:
    found = [("all", "all")]
    found += [("item", code) for code in evaluation["items"]]
    found += [("department", code) for code in evaluation["departments"]]
    if evaluation.get("bundle"):
        found.append(("bundle", evaluation["bundle"]))
    if evaluation.get("hall"):
        found.append(("hall", evaluation["hall"]))
    return found


def count(store, evaluation: dict, old_level: int | None, new_level: int, session=None) -> None:
    """A rating arrives (old_level None) or moves from old_level to new_level."""
    inc: dict[str, int] = {f"level_{new_level}": 1, "satisfied": int(rules.is_satisfied(new_level))}
    if old_level is None:
        inc["count"] = 1
    else:
        inc[f"level_{old_level}"] = inc.get(f"level_{old_level}", 0) - 1
        inc["satisfied"] -= int(rules.is_satisfied(old_level))
    inc = {key: value for key, value in inc.items() if value}
    if not inc:
        return  # the same level again
    for scope, code in scopes_of(evaluation):
        store[TOTALS].update_one(
            {"_id": f"{scope}:{code}"},
            {"$inc": inc, "$set": {"scope": scope, "code": code, "updated_at": now_iso()}},
            upsert=True,
            session=session,
        )


def summary(store, scope: str, code: str) -> dict:
    """Count per level and 满意率 = (非常满意 + 满意 + 基本满意) / all, None while nobody has rated."""
    found = store[TOTALS].find_one({"_id": f"{scope}:{code}"}) or {}
    total = found.get("count", 0)
    satisfied = found.get("satisfied", 0)
    return {
        "scope": scope,
        "code": code,
        "count": total,
        "levels": [
            {"level": level, "label": label, "count": found.get(f"level_{level}", 0)} for level, label in rules.LEVELS.items()
        ],  # fmt: skip
        "satisfied": satisfied,
        "satisfaction_rate": round(satisfied / total, 4) if total else None,
    }
