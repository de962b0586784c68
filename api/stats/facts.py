"""What one stored record contributes to the statistics counters (运行统计的口径).

Each function takes one record as the store holds it and returns its contributions: a list of
(scope, counter path, amount). A scope is "overall", "month:<YYYY-MM>", "item:<code>",
"bundle:<code>", "department:<code>" or "hall:<code>". The aggregator keeps, per record, the contributions it last
counted and applies only the difference, so a record that changes state (submitted → completed, a
rating edited) moves its figures instead of counting twice.

Definitions (docs/stats.md):
- an application counts once it is submitted and until it is withdrawn;
- trips (跑动次数) are the visits recorded at submission (`trips`: an item that needs a visit, or a
  walk-in at the window) plus one when the paper results were handed over at the hall;
- handling time is in working days (工作日) from the submission day to the completion day, Asia/Shanghai,
  counted for completed applications; overdue when completed after the latest deadline of its items;
- prefilled fields are those with a source other than the person's previous application, over the form;
- an e-certificate reused is a material attached from the vault at submission (not one issued by the
  same application);
- delivery time is in hours from the shipment's creation to its delivery.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from api.applications import states
from api.applications.workdays import working_days_between
from api.clock import from_iso, local_zone

Contribution = tuple[str, str, int]

# Fixed histogram buckets (upper bounds, inclusive), so that p90 comes from counters, not from every value.
HANDLING_DAY_BUCKETS = (*range(0, 21), 25, 30, 40, 60, 90)
DELIVERY_HOUR_BUCKETS = (4, 8, 12, 24, 36, 48, 72, 96, 120, 168, 240)
PAID_ORDER_STATES = ("paid", "refunding", "refunded")
SHANGHAI = local_zone()


def bucket_key(value: float, bounds: tuple[int, ...]) -> str:
    """The histogram key of the first bucket whose upper bound holds `value` ("b3"), or "over"."""
    for bound in bounds:
        if value <= bound:
            return f"b{bound}"
    return "over"


def _local_day(moment: str) -> dt.date:
    return from_iso(moment).astimezone(SHANGHAI).date()


class Catalogue:
    """Items and bundles read once per aggregation run (a record names them by code)."""

    def __init__(self, store):
        self.store = store
        self._items: dict[str, dict] = {}
        self._bundles: dict[str, dict] = {}

    def item(self, code: str) -> dict:
        if code not in self._items:
            self._items[code] = self.store["catalog_items"].find_one({"_id": code}) or {}
        return self._items[code]

    def bundle(self, code: str) -> dict:
        if code not in self._bundles:
            self._bundles[code] = self.store["catalog_bundles"].find_one({"_id": code}) or {}
        return self._bundles[code]

    def department(self, item_code: str) -> str | None:
        return self.item(item_code).get("department")


def month_of(moment: str) -> str:
    """The month (Asia/Shanghai) of a stored time: "2026-11"."""
    return _local_day(moment).isoformat()[:7]


def application_scopes(catalogue: Catalogue, application: dict) -> list[str]:
    """Every scope an application counts in: overall, the month it was submitted in, its hall, its bundle, each
    item, each department once."""
    scopes = ["overall"]
    if application.get("submitted_at"):
        scopes.append(f"month:{month_of(application['submitted_at'])}")
    if application.get("hall"):
        scopes.append(f"hall:{application['hall']}")
    if application.get("kind") == "bundle":
        scopes.append(f"bundle:{application['target']}")
    items = application.get("items") or []
    scopes += [f"item:{code}" for code in items]
    departments = dict.fromkeys(d for d in (catalogue.department(code) for code in items) if d)
    scopes += [f"department:{d}" for d in departments]
    return scopes


def _spread(scopes: list[str], values: dict[str, int]) -> list[Contribution]:
    return [(scope, path, int(amount)) for scope in scopes for path, amount in values.items() if amount]


def trips_of(application: dict) -> int:
    return int(application.get("trips") or 0) + (1 if application.get("handed_over_at") else 0)


def _form_size(catalogue: Catalogue, application: dict) -> int:
    if application.get("kind") == "bundle":
        return len(catalogue.bundle(application["target"]).get("fields") or [])
    return len(catalogue.item(application["target"]).get("fields") or [])


def _prefilled(application: dict) -> int:
    return sum(1 for s in (application.get("sources") or {}).values() if s and s.get("source") != "previous_application")


def _certificates_reused(application: dict) -> int:
    return sum(
        1
        for m in (application.get("materials") or {}).values()
        if m.get("source") == "certificate" and m.get("certificate_id") and not m.get("from_item")
    )


def application_contributions(store, catalogue: Catalogue, application: dict) -> list[Contribution]:
    if not application.get("submitted_at") or application["state"] in (states.DRAFT, states.WITHDRAWN):
        return []
    trips = trips_of(application)
    values = {
        "applications": 1,
        "online": application.get("channel", "online") == "online",
        "zero_trips": trips == 0,
        "at_most_one_trip": trips <= 1,
        "fields_total": _form_size(catalogue, application),
        "fields_prefilled": _prefilled(application),
        "certificates_reused": _certificates_reused(application),
        "rejected": application["state"] == states.REJECTED,
    }
    if application["state"] == states.COMPLETED and application.get("completed_at"):
        done_on = _local_day(application["completed_at"])
        days = working_days_between(_local_day(application["submitted_at"]), done_on)
        deadlines = [s["deadline_on"] for s in store["sub_applications"].find({"application_id": application["_id"]})
                     if s.get("deadline_on")]  # fmt: skip
        values.update({
            "completed": 1,
            "handling_days_sum": days,
            f"handling_hist.{bucket_key(days, HANDLING_DAY_BUCKETS)}": 1,
            "overdue": bool(deadlines) and done_on.isoformat() > max(deadlines),
        })  # fmt: skip
    return _spread(application_scopes(catalogue, application), values)


def fee_order_contributions(store, catalogue: Catalogue, order: dict) -> list[Contribution]:
    """A paid order counts for the application's scopes; an item (and a department) by its own fee lines."""
    if order.get("state") not in PAID_ORDER_STATES:
        return []
    application = store["applications"].find_one({"_id": order["application_id"]})
    if application is None:
        return []
    amount = int(order.get("paid_fen") or order.get("amount_fen") or 0)
    by_item = {line["item"]: int(line["amount_fen"]) for line in order.get("lines") or []}
    contributions: list[Contribution] = []
    for scope in application_scopes(catalogue, application):
        kind, _, code = scope.partition(":")
        if kind == "item":
            fen = by_item.get(code, 0)
        elif kind == "department":
            fen = sum(f for item, f in by_item.items() if catalogue.department(item) == code)
        else:
            fen = amount
        if fen:
            contributions += [(scope, "payments", 1), (scope, "paid_fen", fen)]
    return contributions


def shipment_contributions(store, catalogue: Catalogue, shipment: dict) -> list[Contribution]:
    if shipment.get("state") != "delivered" or not shipment.get("delivered_at"):
        return []
    application = store["applications"].find_one({"_id": shipment["application_id"]})
    if application is None:
        return []
    minutes = max(0, int((from_iso(shipment["delivered_at"]) - from_iso(shipment["created_at"])).total_seconds() // 60))
    values = {
        "deliveries": 1,
        "delivery_minutes_sum": minutes,
        f"delivery_hist.{bucket_key(minutes / 60, DELIVERY_HOUR_BUCKETS)}": 1,
    }
    return _spread(application_scopes(catalogue, application), values)


def evaluation_contributions(store, catalogue: Catalogue, evaluation: dict) -> list[Contribution]:
    """A rating (好差评) counts for its items, departments, bundle and hall; 满意 is a level of 3 or more."""
    level = evaluation.get("level")
    if not isinstance(level, int) or not 1 <= level <= 5 or evaluation.get("state") in ("withdrawn", "deleted"):
        return []
    scopes = ["overall"]
    if evaluation.get("created_at"):
        scopes.append(f"month:{month_of(evaluation['created_at'])}")  # the month the rating was made in
    if evaluation.get("hall"):
        scopes.append(f"hall:{evaluation['hall']}")
    if evaluation.get("bundle"):
        scopes.append(f"bundle:{evaluation['bundle']}")
    scopes += [f"item:{code}" for code in evaluation.get("items") or []]
    scopes += [f"department:{code}" for code in dict.fromkeys(evaluation.get("departments") or [])]
    return _spread(scopes, {"ratings": 1, "satisfied": level >= 3, f"levels.l{level}": 1})


# source collection → (fact kind, its contributions)
SOURCES: dict[str, tuple[str, Callable[..., list[Contribution]]]] = {
    "applications": ("application", application_contributions),
    "fee_orders": ("fee_order", fee_order_contributions),
    "shipments": ("shipment", shipment_contributions),
    "evaluations": ("evaluation", evaluation_contributions),
}
