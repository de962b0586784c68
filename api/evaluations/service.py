"""Ratings (好差评): invitations when an application completes or an appointment is served, the rating
itself (once per subject, one edit within 7 days), the follow-up rating after a department's reply, and
the public totals kept up to date on every write.

No Flask here: functions take the store and plain values and raise domain errors (api/errors.py).
One document per rated subject in `evaluations`; `evaluation_totals` holds one counter document per
scope (all, item, department, bundle, hall), so a summary is one read, never a scan.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from api import clock
from api.catalog import service as catalog
from api.clock import from_iso, to_iso
from api.errors import Conflict, NotFound
from api.store import new_id
from notifications import enqueue

from . import rectifications, rules, totals

EVALUATIONS = "evaluations"
INVITATIONS = "evaluation_invitations"
APPLICATION, APPOINTMENT = "application", "appointment"
SUBJECT_TYPES = (APPLICATION, APPOINTMENT)


@dataclass(frozen=True)
class Subject:
    """What is rated: a completed application or a served appointment, and whom it concerns."""

    type: str
    id: str
    account_id: str
    name: str
    number: str | None
    items: list[str]
    departments: list[str]
    bundle: str | None
    hall: str | None
    done: bool

    @property
    def path(self) -> str:
        """Where the PWA shows it."""
        return f"/{self.type}s/{self.id}"


def _departments_of(store, items: list[str]) -> list[str]:
    found: list[str] = []
    for code in items:
        department = catalog.get_item(store, code)["department"]
        if department not in found:
            found.append(department)
    return found


def _application_subject(store, application: dict) -> Subject:
    from api.applications import states

    return Subject(
        APPLICATION, application["_id"], application["applicant_id"], application["name"], application.get("number"),
        list(application["items"]), _departments_of(store, application["items"]),
        application["target"] if application.get("kind") == "bundle" else None, None,
        application["state"] == states.COMPLETED,
    )  # fmt: skip


def _appointment_subject(store, booking: dict) -> Subject:
    from api.appointments import bookings

    return Subject(
        APPOINTMENT, booking["_id"], booking["account_id"], f"{booking['item_name']}（{booking['hall_name']}）", None,
        [booking["item"]], _departments_of(store, [booking["item"]]), None, booking["hall"],
        booking["state"] == bookings.SERVED,
    )  # fmt: skip


def find_subject(store, subject_type: str, subject_id: str, session=None) -> Subject | None:
    from api.applications.service import APPLICATIONS
    from api.appointments.bookings import BOOKINGS

    if subject_type == APPLICATION:
        application = store[APPLICATIONS].find_one({"_id": subject_id}, session=session)
        return _application_subject(store, application) if application else None
    if subject_type == APPOINTMENT:
        booking = store[BOOKINGS].find_one({"_id": subject_id}, session=session)
        return _appointment_subject(store, booking) if booking else None
    return None


def rateable_subject(store, account_id: str, subject_type: str, subject_id: str) -> Subject:
    """The caller's own subject, finished: someone else's (or none) is a 404, an unfinished one a 409."""
    subject = find_subject(store, subject_type, subject_id)
    if subject is None or subject.account_id != account_id:
        raise NotFound("找不到要评价的办件", code="subject_not_found")
    if not subject.done:
        what = "申请尚未办结" if subject_type == APPLICATION else "预约尚未办理完毕"
        raise Conflict(f"{what}，办结后才能评价", code="not_completed")
    return subject


# -- invitations -----------------------------------------------------------------------------------------


def _invite(store, subject: Subject, event: str, data: dict, session, now: dt.datetime) -> None:
    store[INVITATIONS].update_one(
        {"_id": f"{subject.type}:{subject.id}"},
        {"$setOnInsert": {"account_id": subject.account_id, "subject_type": subject.type, "subject_id": subject.id,
                          "subject_name": subject.name, "subject_no": subject.number, "invited_at": to_iso(now),
                          "evaluation_id": None, "reminded_at": None}},
        upsert=True,
        session=session,
    )  # fmt: skip
    enqueue(store, event, subject.account_id, data, f"{event}:{subject.id}", session=session, now=now)


def invite_for_application(store, application: dict, session=None, now: dt.datetime | None = None) -> None:
    """An application just completed (办结): its applicant is asked to rate it (inbox, SMS). Idempotent."""
    subject = _application_subject(store, application)
    data = {"application_id": application["_id"], "application_no": application["number"], "bundle_name": application["name"]}
    _invite(store, subject, "evaluation.invitation", data, session, now or clock.utcnow())


def invite_for_appointment(store, booking_id: str, session=None, now: dt.datetime | None = None) -> None:
    """A booked visit was just served at the window (办结): the visitor is asked to rate it. Idempotent."""
    from api.appointments.bookings import BOOKINGS

    booking = store[BOOKINGS].find_one({"_id": booking_id}, session=session)
    subject = _appointment_subject(store, booking)
    data = {"appointment_id": booking["_id"], "hall_name": booking["hall_name"], "service_name": booking["item_name"]}
    _invite(store, subject, "evaluation.invitation_appointment", data, session, now or clock.utcnow())


def remind_unrated(store, now: dt.datetime | None = None, limit: int = 500) -> int:
    """One reminder to rate, 3 days after the invitation, for what is still unrated; returns how many were queued.
    Safe to run as often as anyone likes: an invitation is claimed (reminded_at) in the transaction of its message."""
    now = now or clock.utcnow()
    due = {"evaluation_id": None, "reminded_at": None, "invited_at": {"$lte": to_iso(now - rules.REMIND_AFTER)}}
    queued = 0
    for invitation in list(store[INVITATIONS].find(due, sort=[("invited_at", 1)]).limit(limit)):
        with store.transaction() as session:
            claimed = store[INVITATIONS].update_one(
                {"_id": invitation["_id"], "evaluation_id": None, "reminded_at": None},
                {"$set": {"reminded_at": to_iso(now)}},
                session=session,
            )
            if not claimed.modified_count:
                continue
            data = {"subject_name": invitation["subject_name"],
                    "subject_path": f"/{invitation['subject_type']}s/{invitation['subject_id']}"}  # fmt: skip
            enqueue(store, "evaluation.reminder", invitation["account_id"], data, f"evaluation.reminder:{invitation['_id']}",
                    session=session, now=now)  # fmt: skip
        queued += 1
    return queued


def pending(store, account_id: str) -> list[dict]:
    """The caller's finished applications and visits that wait for a rating, newest first."""
    found = store[INVITATIONS].find({"account_id": account_id, "evaluation_id": None}, sort=[("invited_at", -1)]).limit(100)
    return [{k: invitation[k] for k in ("subject_type", "subject_id", "subject_name", "subject_no", "invited_at")}
            for invitation in found]  # fmt: skip


# -- rating ----------------------------------------------------------------------------------------------


def _snapshot(evaluation: dict, kind: str) -> dict:
    return {"kind": kind, "level": evaluation["level"], "level_label": evaluation["level_label"],
            "tags": evaluation["tags"], "comment": evaluation["comment"], "at": evaluation["updated_at"]}  # fmt: skip


def rate(store, account_id: str, subject_type: str, subject_id: str, level: int, tags: list[str], comment: str | None,
         now: dt.datetime | None = None) -> dict:  # fmt: skip
    """评价: once per subject; a 差评 (level ≤ 2) opens a rectification case for the responsible departments."""
    level = rules.check_level(level)
    tags, comment = rules.check_tags(level, tags or []), rules.check_comment(comment)
    subject = rateable_subject(store, account_id, subject_type, subject_id)
    now = now or clock.utcnow()
    stamp = to_iso(now)
    evaluation = {
        "_id": new_id("ev_"), "subject_type": subject.type, "subject_id": subject.id, "subject_name": subject.name,
        "subject_no": subject.number, "account_id": account_id, "level": level, "level_label": rules.label(level),
        "tags": tags, "comment": comment, "items": subject.items, "departments": subject.departments,
        "bundle": subject.bundle, "hall": subject.hall, "created_at": stamp, "updated_at": stamp, "edits": 0,
        "follow_up_at": None, "history": [], "rectification_id": None, "version": 1,
    }  # fmt: skip
    with store.transaction() as session:
        try:  # first: the unique index decides a race, so only its winner opens a case and counts (even without transactions)
            store[EVALUATIONS].insert_one(evaluation, session=session)
        except DuplicateKeyError:
            raise Conflict("您已评价过，可在7天内修改一次", code="already_rated") from None
        if rules.is_poor(level):
            case_id = evaluation["rectification_id"] = rectifications.open_case(store, evaluation, now, session)["_id"]
            store[EVALUATIONS].update_one({"_id": evaluation["_id"]}, {"$set": {"rectification_id": case_id}}, session=session)
        totals.count(store, evaluation, None, level, session)
        invitation = {"$set": {"evaluation_id": evaluation["_id"], "rated_at": stamp}}
        store[INVITATIONS].update_one({"_id": f"{subject.type}:{subject.id}"}, invitation, session=session)
    return evaluation


def get_own(store, account_id: str, evaluation_id: str) -> dict:
    evaluation = store[EVALUATIONS].find_one({"_id": evaluation_id})
    if evaluation is None or evaluation["account_id"] != account_id:
        raise NotFound("找不到该评价", code="evaluation_not_found")
    return evaluation


def mine(store, account_id: str, subject_type: str | None, subject_id: str | None, page: int, page_size: int):
    query: dict = {"account_id": account_id}
    if subject_type:
        query["subject_type"] = subject_type
    if subject_id:
        query["subject_id"] = subject_id
    total = store[EVALUATIONS].count_documents(query)
    found = store[EVALUATIONS].find(query, sort=[("created_at", -1)], skip=(page - 1) * page_size, limit=page_size)
    return list(found), total


def _change(store, evaluation: dict, guard: dict, level: int, tags: list[str], comment: str, kind: str,
            now: dt.datetime, extra: dict, session) -> dict:  # fmt: skip
    """Replace the rating, keep the old one in `history`, move the counters (a conditional write on `guard`)."""
    stamp = to_iso(now)
    updated = store[EVALUATIONS].find_one_and_update(
        {"_id": evaluation["_id"], "version": evaluation["version"], **guard},
        {"$set": {"level": level, "level_label": rules.label(level), "tags": tags, "comment": comment,
                  "updated_at": stamp, **extra},
         "$push": {"history": _snapshot(evaluation, kind)}, "$inc": {"version": 1}},
        return_document=ReturnDocument.AFTER,
        session=session,
    )  # fmt: skip
    if updated is None:
        raise Conflict("评价已在其他地方修改，请刷新后重试", code="version_conflict")
    totals.count(store, updated, evaluation["level"], level, session)
    return updated


def edit(store, account_id: str, evaluation_id: str, level: int, tags: list[str], comment: str | None,
         now: dt.datetime | None = None) -> dict:  # fmt: skip
    """修改评价: once, within 7 days, and not after a department replied (then it is a follow-up rating)."""
    level = rules.check_level(level)
    tags, comment = rules.check_tags(level, tags or []), rules.check_comment(comment)
    evaluation = get_own(store, account_id, evaluation_id)
    now = now or clock.utcnow()
    refused = rules.may_edit(from_iso(evaluation["created_at"]), evaluation["edits"], now)
    if refused:
        raise Conflict(refused, code="edit_not_allowed")
    case = rectifications.of_evaluation(store, evaluation)
    if case and case["state"] != rectifications.OPEN:
        raise Conflict("部门已答复您的评价，请在答复后追加评价", code="edit_not_allowed")
    with store.transaction() as session:
        extra = {"edits": evaluation["edits"] + 1}
        updated = _change(store, evaluation, {"edits": evaluation["edits"]}, level, tags, comment, "edit", now, extra, session)
        if rules.is_poor(level) and case is None:
            case_id = updated["rectification_id"] = rectifications.open_case(store, updated, now, session)["_id"]
            store[EVALUATIONS].update_one({"_id": updated["_id"]}, {"$set": {"rectification_id": case_id}}, session=session)
        elif case is not None and not rules.is_poor(level):
            rectifications.withdraw(store, case, now, session)
    return updated


def follow_up(store, account_id: str, evaluation_id: str, level: int, tags: list[str], comment: str | None,
              now: dt.datetime | None = None) -> dict:  # fmt: skip
    """追评: once, after the department replied to a 差评. Satisfied now (≥ 3): the case is closed as 已整改;
    still ≤ 2: the case is reopened with a new 15-working-day deadline and needs a second reply."""
    level = rules.check_level(level)
    tags, comment = rules.check_tags(level, tags or []), rules.check_comment(comment)
    evaluation = get_own(store, account_id, evaluation_id)
    case = rectifications.of_evaluation(store, evaluation)
    if evaluation.get("follow_up_at"):
        raise Conflict("每条评价只能追评一次", code="follow_up_not_allowed")
    if case is None or case["state"] != rectifications.ANSWERED:
        raise Conflict("部门答复后才能追评", code="follow_up_not_allowed")
    now = now or clock.utcnow()
    with store.transaction() as session:
        updated = _change(store, evaluation, {"follow_up_at": None}, level, tags, comment, "follow_up", now,
                          {"follow_up_at": to_iso(now)}, session)  # fmt: skip
        rectifications.after_follow_up(store, case, updated, now, session)
    return updated


# -- what the applicant sees -----------------------------------------------------------------------------


def view(store, evaluation: dict, now: dt.datetime | None = None) -> dict:
    """The applicant's own rating with its history and the department's replies (no staff names)."""
    now = now or clock.utcnow()
    case = rectifications.of_evaluation(store, evaluation)
    out = {key: evaluation.get(key) for key in ("subject_type", "subject_id", "subject_name", "subject_no", "level",
                                                 "level_label", "tags", "comment", "created_at", "updated_at", "edits",
                                                 "follow_up_at", "history")}  # fmt: skip
    out["id"] = evaluation["_id"]
    until = from_iso(evaluation["created_at"]) + rules.EDIT_WINDOW
    out["editable_until"] = to_iso(until)
    out["editable"] = rules.may_edit(from_iso(evaluation["created_at"]), evaluation["edits"], now) is None and (
        case is None or case["state"] == rectifications.OPEN
    )
    out["rectification"] = rectifications.applicant_view(store, case) if case else None
    out["can_follow_up"] = bool(case and case["state"] == rectifications.ANSWERED and not evaluation.get("follow_up_at"))
    return out


# -- public ----------------------------------------------------------------------------------------------


def vocabulary() -> dict:
    return {
        "levels": [
            {"level": level, "label": label, "tags": list(rules.TAGS_BY_LEVEL[level])} for level, label in rules.LEVELS.items()
        ],  # fmt: skip
        "max_tags": rules.MAX_TAGS,
        "comment_max_chars": rules.COMMENT_MAX_CHARS,
    }


def _scope_name(store, scope: str, code: str) -> str:
    """The scope's public name; an unknown code is a 404."""
    if scope == "all":
        return "全部"
    if scope == "item":
        return catalog.get_item(store, code)["name"]
    if scope == "bundle":
        return catalog.get_bundle(store, code)["name"]
    if scope == "department":
        department = catalog.departments(store).get(code)
        if department is None:
            raise NotFound("没有这个部门", code="department_not_found")
        return department["name"]
    from api.appointments.halls import get_hall

    return get_hall(store, code, active_only=False)["name"]


def summary(store, scope: str, code: str) -> dict:
    """Public totals of one scope: count per level and 满意率; nobody's comment, nobody's name."""
    name = _scope_name(store, scope, code)
    return {**totals.summary(store, scope, code), "name": name}
