"""Factories for statistics tests: records stored in the shapes that applications, payments, delivery and
ratings write them (see api/applications/service.py submit, review.refresh_state, window.hand_over,
payments/orders.py, api/delivery/service.py), with the values a test wants to count."""

from __future__ import annotations

import itertools

import pytest

from api.catalog.service import load_catalog

_serial = itertools.count(1)
SETTLED = "2026-11-10T00:00:00.000Z"  # long before any test runs: the checkpoint may pass it


@pytest.fixture
def app(app):
    load_catalog(app.extensions["store"])
    return app


def _sources(prefilled: int, previous: int = 0) -> dict:
    sources = {f"field_{n}": {"source": "registry:person.name", "locked": True} for n in range(prefilled)}
    sources.update({f"typed_{n}": {"source": "previous_application", "locked": False} for n in range(previous)})
    return sources


def stored_application(store, *, item: str | None = None, bundle: str | None = None, state: str = "completed",
                       channel: str = "online", trips: int = 0, hall: str = "zz-smzx", submitted_at: str | None = None,
                       completed_at: str | None = None, prefilled: int = 0, previous: int = 0, reused: int = 0,
                       handed_over: bool = False, deadlines: tuple[str, ...] = (), updated_at: str = SETTLED,
                       sub_state: str | None = None) -> dict:  # fmt: skip
    """An application as stored after submission, with one sub-application per item (and deadline)."""
    serial = next(_serial)
    if bundle:
        items = store["catalog_bundles"].find_one({"_id": bundle})["items"]
    else:
        items = [item]
    materials = {f"cert_{n}": {"code": f"cert_{n}", "source": "certificate", "status": "attached",
                               "certificate_id": f"cert-{serial}-{n}"} for n in range(reused)}  # fmt: skip
    # a certificate issued by this same application is not a reused one
    materials["own_result"] = {"code": "own_result", "source": "certificate", "status": "attached",
                               "certificate_id": f"own-{serial}", "from_item": items[0]}  # fmt: skip
    application = {
        "_id": f"app_stats_{serial}",
        "number": f"YC20261102{serial:06d}",
        "kind": "bundle" if bundle else "item",
        "target": bundle or item,
        "name": "测试申请",
        "items": items,
        "applicant_id": f"acc_person_{serial}",
        "acting_for": None,
        "channel": channel,
        "hall": hall,
        "state": state,
        "form": {"applicant__name": "张三"},
        "sources": _sources(prefilled, previous),
        "materials": materials,
        "trips": trips,
        "created_at": submitted_at or SETTLED,
        "updated_at": updated_at,
        "version": 3,
    }
    if state != "draft":
        application["submitted_at"] = submitted_at or "2026-11-02T02:00:00.000Z"
    if completed_at:
        application["completed_at"] = completed_at
    if handed_over:
        application["handed_over_at"] = completed_at
    store["applications"].insert_one(application)
    for n, code in enumerate(items):
        deadline = deadlines[n] if n < len(deadlines) else None
        store["sub_applications"].insert_one({"_id": f"sub_{serial}_{n}", "application_id": application["_id"], "item": code,
                                              "item_name": code, "department": code.split("-")[1].lower(),
                                              "state": sub_state or ("issued" if state == "completed" else "in_review"),
                                              "deadline_on": deadline, "created_at": SETTLED, "updated_at": SETTLED,
                                              "version": 1})  # fmt: skip
    return application


def stored_fee_order(store, application: dict, amount_fen: int, state: str = "paid", updated_at: str = SETTLED) -> dict:
    order = {"_id": f"fee_{application['_id']}", "application_id": application["_id"], "amount_fen": amount_fen,
             "lines": [{"item": application["items"][-1], "name": "收费", "amount_fen": amount_fen, "basis": None}],
             "state": state, "created_at": SETTLED, "updated_at": updated_at, "version": 2}  # fmt: skip
    if state == "paid":
        order.update(paid_at=updated_at, paid_fen=amount_fen)
    store["fee_orders"].insert_one(order)
    return order


def stored_shipment(store, application: dict, created_at: str, delivered_at: str | None, updated_at: str = SETTLED) -> dict:
    shipment = {"_id": f"shp_{application['_id']}", "application_id": application["_id"],
                "waybill_no": f"EA{next(_serial):08d}0CN", "state": "delivered" if delivered_at else "in_transit",
                "created_at": created_at, "updated_at": updated_at, "version": 3}  # fmt: skip
    if delivered_at:
        shipment["delivered_at"] = delivered_at
    store["shipments"].insert_one(shipment)
    return shipment


def stored_evaluation(store, application: dict, level: int, updated_at: str = SETTLED) -> dict:
    """A rating (好差评) as api/evaluations stores it: the subject, its level, items, departments, bundle and hall."""
    departments = [code.split("-")[1].lower() for code in application["items"]]
    evaluation = {"_id": f"eva_{application['_id']}", "subject_type": "application", "subject_id": application["_id"],
                  "account_id": application["applicant_id"], "level": level, "items": application["items"],
                  "departments": list(dict.fromkeys(departments)),
                  "bundle": application["target"] if application["kind"] == "bundle" else None,
                  "hall": application["hall"], "created_at": SETTLED, "updated_at": updated_at, "history": []}  # fmt: skip
    store["evaluations"].insert_one(evaluation)
    return evaluation
