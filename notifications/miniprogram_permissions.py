"""One-time subscription permissions of the mini-program (一次性订阅消息授权), counted per account and template.

`wx.requestSubscribeMessage` asks the user about up to three templates; every "accept" lets us send
one message of that template. The client reports the result object; we keep a count per
(account, template) in `miniprogram_permissions` {_id, account_id, template_id, count, …}, changed
only by conditional increments and decrements, never below 0.

A message takes a permission once: `take()` decrements the count and writes a record keyed by the
outbox message id (`miniprogram_sends`) in one transaction, so a retried message finds its record
and takes nothing more. 43101 from the platform (the user refused) sets the count to 0 (spent); a
message the platform refused for another reason gives its permission back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pymongo.errors import DuplicateKeyError

from api.clock import now_iso
from api.errors import Invalid
from api.store import new_id

PERMISSIONS = "miniprogram_permissions"
SENDS = "miniprogram_sends"
RESULTS = ("accept", "reject", "ban", "filter")
TAKEN, SENT, REFUSED, RETURNED = "taken", "sent", "refused", "returned"


def check_results(results: Mapping[str, Any], known_template_ids: Iterable[str]) -> dict[str, str]:
    """{template_id: result} of a wx.requestSubscribeMessage result object (its errMsg left out); 422 if a
    template is not ours or a result is not one of the platform's four."""
    known = set(known_template_ids)
    answers = {key: value for key, value in results.items() if key != "errMsg"}
    errors: dict[str, list[str]] = {}
    for template_id, result in answers.items():
        if template_id not in known:
            errors[template_id] = ["不是本小程序配置的订阅消息模板"]
        elif result not in RESULTS:
            errors[template_id] = ["应为 accept、reject、ban 或 filter"]
    if not answers:
        errors["_schema"] = ["没有订阅结果"]
    if errors:
        raise Invalid("订阅结果有误", code="unknown_template", errors=errors)
    return answers


def record_results(store, account_id: str, answers: Mapping[str, str]) -> None:
    """Each "accept" adds one permission; "ban" (the user switched the template off) spends them all."""
    for template_id, result in answers.items():
        if result == "accept":
            _add(store, account_id, template_id)
        elif result == "ban":
            spend(store, account_id, template_id)


def _add(store, account_id: str, template_id: str) -> None:
    now = now_iso()
    key = {"account_id": account_id, "template_id": template_id}
    update = {"$inc": {"count": 1, "version": 1}, "$set": {"updated_at": now}}
    try:
        store[PERMISSIONS].update_one(key, {**update, "$setOnInsert": {"_id": new_id("mpp_"), "created_at": now}}, upsert=True)
    except DuplicateKeyError:  # two first accepts at once: the other inserted it, so ours is an increment
        store[PERMISSIONS].update_one(key, update)


def counts(store, account_id: str) -> dict[str, int]:
    return {p["template_id"]: p["count"] for p in store[PERMISSIONS].find({"account_id": account_id})}


def take(store, message_id: str, account_id: str, template_id: str) -> str | None:
    """ "taken" if `message_id` holds a permission to send (taken now, one less left, or by an earlier try),
    "sent" if an earlier try sent it, None if it has none (none left, or given back or spent by 43101)."""
    earlier = store[SENDS].find_one({"_id": message_id})
    if earlier is not None:
        return earlier["state"] if earlier["state"] in (TAKEN, SENT) else None
    now = now_iso()
    try:
        with store.transaction() as session:
            taken = store[PERMISSIONS].find_one_and_update(
                {"account_id": account_id, "template_id": template_id, "count": {"$gt": 0}},
                {"$inc": {"count": -1, "version": 1}, "$set": {"updated_at": now}},
                session=session,
            )
            if taken is None:
                return None
            store[SENDS].insert_one({"_id": message_id, "account_id": account_id, "template_id": template_id,
                                     "state": TAKEN, "created_at": now, "updated_at": now}, session=session)  # fmt: skip
    except DuplicateKeyError:  # another try of the same message took it at the same moment (ours rolled back)
        return TAKEN
    return TAKEN


def _settle(store, message_id: str, state: str) -> dict | None:
    return store[SENDS].find_one_and_update(
        {"_id": message_id, "state": TAKEN}, {"$set": {"state": state, "updated_at": now_iso()}}
    )


def sent(store, message_id: str) -> None:
    _settle(store, message_id, SENT)


def give_back(store, message_id: str) -> None:
    """The platform refused the message for a reason of ours: its permission is not used up."""
    record = _settle(store, message_id, RETURNED)
    if record is not None:
        store[PERMISSIONS].update_one({"account_id": record["account_id"], "template_id": record["template_id"]},
                                      {"$inc": {"count": 1, "version": 1}, "$set": {"updated_at": now_iso()}})  # fmt: skip


def refused(store, message_id: str, account_id: str, template_id: str) -> None:
    """43101: the user does not accept this template (any more): every permission of it is spent."""
    _settle(store, message_id, REFUSED)
    spend(store, account_id, template_id)


def spend(store, account_id: str, template_id: str) -> None:
    store[PERMISSIONS].update_one(
        {"account_id": account_id, "template_id": template_id, "count": {"$gt": 0}},
        {"$set": {"count": 0, "updated_at": now_iso()}, "$inc": {"version": 1}},
    )


def remaining(store, account_id: str, templates: Mapping[str, Any]) -> list[dict]:
    """Every configured template with the events it carries and how many permissions the account has left."""
    left = counts(store, account_id)
    by_template: dict[str, list[str]] = {}
    for event, template in templates.items():
        by_template.setdefault(template.template_id, []).append(event)
    return [{"template_id": template_id, "events": sorted(events), "count": left.get(template_id, 0)}
            for template_id, events in sorted(by_template.items())]  # fmt: skip


def report(store, account_id: str, results: Mapping[str, Any], templates: Mapping[str, Any]) -> list[dict]:
    """The client's wx.requestSubscribeMessage result: counted, then what is left."""
    answers = check_results(results, {template.template_id for template in templates.values()})
    record_results(store, account_id, answers)
    return remaining(store, account_id, templates)
