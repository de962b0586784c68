"""Figures from the counters (运行统计), the 四办 counts of the catalogue, and the admin's overdue list.

Every read first lets the aggregator catch up a bounded number of new records, so that figures are
fresh without a full scan; the worker (`flask stats aggregate --every 60`) does the rest.
"""

from __future__ import annotations

from api.applications import states
from api.applications.review import today_in_shanghai
from api.catalog import service as catalog
from api.catalog.vocabulary import TAGS

from . import aggregate
from .facts import DELIVERY_HOUR_BUCKETS, HANDLING_DAY_BUCKETS

MONTHS_SHOWN = 24
OVERDUE_LIST_LIMIT = 200


def catch_up(store) -> None:
    aggregate.run(store, limit=aggregate.READ_BATCH)


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _mean(total: int, count: int, scale: float = 1) -> float | None:
    return round(total / count / scale, 2) if count else None


def percentile_bound(histogram: dict, bounds: tuple[int, ...], fraction: float = 0.9) -> int | None:
    """The upper bound of the bucket holding the `fraction` quantile (None without values; -1 above the last)."""
    total = sum(histogram.values())
    if not total:
        return None
    seen = 0
    for bound in bounds:
        seen += histogram.get(f"b{bound}", 0)
        if seen >= fraction * total:
            return bound
    return -1


def figures(counter: dict | None) -> dict:
    """The public figures of one scope from its counter document."""
    c = counter or {}

    def n(key: str) -> int:
        return int(c.get(key, 0))

    applications, completed, ratings = n("applications"), n("completed"), n("ratings")
    return {
        "applications": applications,
        "online_share": _share(n("online"), applications),
        "zero_trip_share": _share(n("zero_trips"), applications),  # 零跑动
        "at_most_one_trip_share": _share(n("at_most_one_trip"), applications),  # 最多跑一次
        "completed": completed,
        "rejected": n("rejected"),
        "handling_days_avg": _mean(n("handling_days_sum"), completed),
        "handling_days_p90": percentile_bound(c.get("handling_hist") or {}, HANDLING_DAY_BUCKETS),
        "overdue": n("overdue"),
        "prefilled_share": _share(n("fields_prefilled"), n("fields_total")),
        "certificates_reused": n("certificates_reused"),
        "payments": n("payments"),
        "paid_yuan": round(n("paid_fen") / 100, 2),
        "deliveries": n("deliveries"),
        "delivery_hours_avg": _mean(n("delivery_minutes_sum"), n("deliveries"), 60),
        "delivery_hours_p90": percentile_bound(c.get("delivery_hist") or {}, DELIVERY_HOUR_BUCKETS),
        "ratings": ratings,
        "satisfaction": _share(n("satisfied"), ratings),  # 满意率: 基本满意 or better
        "rating_levels": {str(level): int((c.get("levels") or {}).get(f"l{level}", 0)) for level in range(1, 6)},
    }


def overview(store) -> dict:
    catch_up(store)
    return figures(store[aggregate.COUNTERS].find_one({"_id": "overall"}))


def _names(store, scope: str) -> dict[str, dict]:
    """code → {name, promised_days} of the scope's catalogue entries (promised: the longest of its items)."""
    if scope == "item":
        return {i["code"]: {"name": i["name"], "promised_days": i.get("promised_days")} for i in catalog.search_items(store)}
    if scope == "bundle":
        promised = {i["code"]: i.get("promised_days") or 0 for i in catalog.search_items(store)}
        return {
            b["code"]: {"name": b["name"], "promised_days": max((promised[c] for c in b["items"] if c in promised), default=None)}
            for b in catalog.search_bundles(store)
        }
    if scope == "department":
        return {code: {"name": d["name"], "promised_days": None} for code, d in catalog.departments(store).items()}
    return {}


def by_scope(store, scope: str) -> list[dict]:
    """Figures of every item, bundle, department (or hall) that has any, with its name and promised time limit."""
    catch_up(store)
    names = _names(store, scope)
    rows = []
    for counter in store[aggregate.COUNTERS].find({"scope": scope}, sort=[("_id", 1)]):
        entry = names.get(counter["key"], {})
        rows.append({"code": counter["key"], "name": entry.get("name", counter["key"]),
                     "promised_days": entry.get("promised_days"), **figures(counter)})  # fmt: skip
    return rows


def by_month(store) -> list[dict]:
    """Figures per month, the last MONTHS_SHOWN months that have any, oldest first. An application (and its
    payment and parcel) counts in the month it was submitted in, a rating in the month it was made in."""
    catch_up(store)
    found = store[aggregate.COUNTERS].find({"scope": "month"}, sort=[("_id", -1)]).limit(MONTHS_SHOWN)
    return [{"code": counter["key"], "name": counter["key"], "promised_days": None, **figures(counter)}
            for counter in reversed(list(found))]  # fmt: skip


def catalogue_counts(store) -> dict:
    """The 四办 classification of the active catalogue (马上办/网上办/就近办/一次办), as the Zhuzhou release
    counts it: an item in several classes counts in each; with the items needing no visit or at most one."""
    items = catalog.search_items(store)
    bundles = catalog.search_bundles(store)
    departments = catalog.departments(store)
    per_department: dict[str, dict] = {}
    for item in items:
        row = per_department.setdefault(item["department"], {"department": item["department"],
                                        "name": departments.get(item["department"], {}).get("name", item["department"]),
                                        "items": 0, **dict.fromkeys(TAGS, 0)})  # fmt: skip
        row["items"] += 1
        for tag in item.get("tags") or []:
            row[tag] += 1
    return {
        "items": len(items),
        "bundles": len(bundles),
        "tags": {tag: sum(tag in (i.get("tags") or []) for i in items) for tag in TAGS},
        "bundle_tags": {tag: sum(tag in (b.get("tags") or []) for b in bundles) for tag in TAGS},
        "zero_visit_items": sum(1 for i in items if not i.get("visits")),
        "at_most_one_visit_items": sum(1 for i in items if (i.get("visits") or 0) <= 1),
        "departments": sorted(per_department.values(), key=lambda r: r["department"]),
    }


def overdue_open(store) -> list[dict]:
    """Sub-applications still open past their deadline (admin): number, item, department, hall, deadline."""
    today = today_in_shanghai().isoformat()
    found = (
        store["sub_applications"]
        .find({"state": {"$in": list(states.OPEN_SUB_STATES)}, "deadline_on": {"$lt": today}}, sort=[("deadline_on", 1)])
        .limit(OVERDUE_LIST_LIMIT)
    )
    subs = list(found)
    ids = list({s["application_id"] for s in subs})
    applications = {a["_id"]: a for a in store["applications"].find({"_id": {"$in": ids}})} if ids else {}
    return [
        {"application_id": s["application_id"], "number": applications.get(s["application_id"], {}).get("number"),
         "hall": applications.get(s["application_id"], {}).get("hall"), "item": s["item"], "item_name": s.get("item_name"),
         "department": s["department"], "state": s["state"], "deadline_on": s["deadline_on"]}
        for s in subs
    ]  # fmt: skip
