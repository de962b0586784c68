"""Rectification cases (差评整改): a rating of 不满意 or worse opens one case for the departments
responsible (the departments of the rated items; for a visit, the department of the booked item, and
the hall is kept on the case). The case must be answered within 15 working days (chinese-calendar,
api/applications/workdays.py).

| state      | label    | how it gets there                                                      |
|------------|----------|------------------------------------------------------------------------|
| open       | 待整改   | a 差评 (or an edit that turns a rating into one)                       |
| answered   | 已答复   | an approver of one of the departments (or an admin) replied            |
| rectified  | 已整改   | the applicant's follow-up rating is 基本满意 or better                 |
| reopened   | 重新整改 | the follow-up rating is still ≤ 2: a new 15-working-day deadline       |
| closed     | 已办结   | the reopened case was answered again (one follow-up only, so it ends)  |
| withdrawn  | 已撤回   | the applicant edited the rating to ≥ 3 before any reply                |

Overdue (已超期): open or reopened and its deadline day is over (Asia/Shanghai).
"""

from __future__ import annotations

import datetime as dt

from pymongo import ReturnDocument

from api import clock
from api.catalog import service as catalog
from api.clock import to_iso
from api.errors import Conflict, Forbidden, Invalid, NotFound
from api.store import new_id
from notifications import enqueue

from . import rules

RECTIFICATIONS = "rectifications"
OPEN, ANSWERED, RECTIFIED, REOPENED, CLOSED, WITHDRAWN = "open", "answered", "rectified", "reopened", "closed", "withdrawn"
AWAITING_REPLY = (OPEN, REOPENED)
STATE_LABELS = {OPEN: "待整改", ANSWERED: "已答复", RECTIFIED: "已整改", REOPENED: "重新整改", CLOSED: "已办结",
                WITHDRAWN: "已撤回"}  # fmt: skip
REPLY_MAX_CHARS = 500
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(SHANGHAI).date()


def open_case(store, evaluation: dict, now: dt.datetime, session=None) -> dict:
    opened_on = local_day(now)
    case = {
        "_id": new_id("rc_"), "evaluation_id": evaluation["_id"], "subject_type": evaluation["subject_type"],
        "subject_id": evaluation["subject_id"], "subject_name": evaluation["subject_name"],
        "subject_no": evaluation.get("subject_no"), "account_id": evaluation["account_id"],
        "departments": evaluation["departments"], "hall": evaluation.get("hall"), "level": evaluation["level"],
        "state": OPEN, "round": 1, "opened_at": to_iso(now), "opened_on": opened_on.isoformat(),
        "deadline_on": rules.rectification_deadline(opened_on).isoformat(), "replies": [], "replied_at": None,
        "closed_at": None, "updated_at": to_iso(now), "version": 1,
    }  # fmt: skip
    store[RECTIFICATIONS].insert_one(case, session=session)
    return case


def of_evaluation(store, evaluation: dict) -> dict | None:
    case_id = evaluation.get("rectification_id")
    return store[RECTIFICATIONS].find_one({"_id": case_id}) if case_id else None


def _move(store, case: dict, expected: str, sets: dict, now: dt.datetime, session, push: dict | None = None) -> dict:
    update: dict = {"$set": {**sets, "updated_at": to_iso(now)}, "$inc": {"version": 1}}
    if push:
        update["$push"] = push
    moved = store[RECTIFICATIONS].find_one_and_update(
        {"_id": case["_id"], "state": expected, "version": case["version"]},
        update,
        return_document=ReturnDocument.AFTER,
        session=session,
    )
    if moved is None:
        raise Conflict("整改单已被他人处理，请刷新", code="version_conflict")
    return moved


def withdraw(store, case: dict, now: dt.datetime, session) -> dict:
    return _move(store, case, OPEN, {"state": WITHDRAWN, "closed_at": to_iso(now)}, now, session)


def after_follow_up(store, case: dict, evaluation: dict, now: dt.datetime, session) -> dict:
    if rules.is_poor(evaluation["level"]):
        opened_on = local_day(now)
        return _move(store, case, ANSWERED, {"state": REOPENED, "round": case["round"] + 1, "level": evaluation["level"],
                                             "opened_on": opened_on.isoformat(),
                                             "deadline_on": rules.rectification_deadline(opened_on).isoformat()},
                     now, session)  # fmt: skip
    return _move(store, case, ANSWERED, {"state": RECTIFIED, "level": evaluation["level"], "closed_at": to_iso(now)}, now,
                 session)  # fmt: skip


# -- staff -----------------------------------------------------------------------------------------------


def is_overdue(case: dict, today: dt.date) -> bool:
    return case["state"] in AWAITING_REPLY and case["deadline_on"] < today.isoformat()


def _for_staff(store, case: dict, today: dt.date) -> dict:
    """The case as its department sees it: the rating and its comment, never who the applicant is."""
    from .service import EVALUATIONS

    evaluation = store[EVALUATIONS].find_one({"_id": case["evaluation_id"]}) or {}
    names = catalog.departments(store)
    out = {key: case.get(key) for key in ("subject_type", "subject_id", "subject_name", "subject_no", "departments", "hall",
                                          "state", "round", "opened_at", "opened_on", "deadline_on", "replied_at",
                                          "closed_at", "replies", "version")}  # fmt: skip
    out.update(
        id=case["_id"],
        state_label=STATE_LABELS[case["state"]],
        overdue=is_overdue(case, today),
        department_names=[names.get(code, {}).get("name", code) for code in case["departments"]],
        level=evaluation.get("level"),
        level_label=evaluation.get("level_label"),
        tags=evaluation.get("tags", []),
        comment=evaluation.get("comment", ""),
        history=evaluation.get("history", []),
    )
    return out


def department_cases(store, department: str | None, states: list[str] | None, now: dt.datetime | None = None) -> list[dict]:
    """Cases of a department (every department's for an admin: department None), those awaiting a reply by
    default; overdue first, then by deadline."""
    today = local_day(now or clock.utcnow())
    query: dict = {"state": {"$in": states or list(AWAITING_REPLY)}}
    if department:
        query["departments"] = department
    found = [_for_staff(store, case, today) for case in store[RECTIFICATIONS].find(query, sort=[("deadline_on", 1)]).limit(500)]
    return sorted(found, key=lambda case: (not case["overdue"], case["deadline_on"]))


def _department_case(store, department: str | None, case_id: str) -> dict:
    case = store[RECTIFICATIONS].find_one({"_id": case_id})
    if case is None or (department and department not in case["departments"]):
        raise NotFound("找不到该整改单", code="rectification_not_found")
    return case


def department_case(store, department: str | None, case_id: str, now: dt.datetime | None = None) -> dict:
    return _for_staff(store, _department_case(store, department, case_id), local_day(now or clock.utcnow()))


def _text(value: str | None, field: str, what: str) -> str:
    text = (value or "").strip()
    if not text:
        raise Invalid(f"请填写{what}", errors={field: [f"请填写{what}"]})
    if len(text) > REPLY_MAX_CHARS or any(ord(c) < 32 and c != "\n" for c in text):
        raise Invalid(f"{what}不超过{REPLY_MAX_CHARS}字，且不含控制字符", errors={field: [f"{what}不超过{REPLY_MAX_CHARS}字"]})
    return text


def reply(store, department: str | None, actor_id: str, case_id: str, text: str, measures: str,
          as_department: str | None = None, now: dt.datetime | None = None) -> dict:  # fmt: skip
    """答复: an approver of one of the case's departments (an admin names `as_department`) answers; the applicant
    is notified and sees the reply on their rating."""
    text, measures = _text(text, "reply", "答复内容"), _text(measures, "measures", "整改措施")
    case = _department_case(store, department, case_id)
    answering = department or as_department or case["departments"][0]
    if answering not in case["departments"]:
        raise Forbidden("该整改单不属于此部门", code="not_case_department")
    if case["state"] not in AWAITING_REPLY:
        raise Conflict(f"整改单当前状态为「{STATE_LABELS[case['state']]}」，不能答复", code="illegal_transition",
                       errors={"state": [case["state"]]})  # fmt: skip
    now = now or clock.utcnow()
    names = catalog.departments(store)
    entry = {"round": case["round"], "reply": text, "measures": measures, "department": answering,
             "department_name": names.get(answering, {}).get("name", answering), "by": actor_id, "at": to_iso(now),
             "overdue": is_overdue(case, local_day(now))}  # fmt: skip
    target = ANSWERED if case["state"] == OPEN else CLOSED
    sets = {"state": target, "replied_at": to_iso(now)}
    if target == CLOSED:
        sets["closed_at"] = to_iso(now)
    with store.transaction() as session:
        moved = _move(store, case, case["state"], sets, now, session, push={"replies": entry})
        data = {"subject_name": case["subject_name"], "department_name": entry["department_name"],
                "subject_path": f"/{case['subject_type']}s/{case['subject_id']}"}  # fmt: skip
        enqueue(store, "evaluation.replied", case["account_id"], data, f"evaluation.replied:{case['_id']}:{case['round']}",
                session=session, now=now)  # fmt: skip
    return _for_staff(store, moved, local_day(now))


def applicant_view(store, case: dict) -> dict:
    """What the applicant sees of the case on their rating: state, deadline and the replies (departments, not staff)."""
    today = local_day(clock.utcnow())
    return {
        "id": case["_id"],
        "state": case["state"],
        "state_label": STATE_LABELS[case["state"]],
        "deadline_on": case["deadline_on"],
        "overdue": is_overdue(case, today),
        "replies": [{k: r[k] for k in ("round", "reply", "measures", "department_name", "at")} for r in case["replies"]],
    }
