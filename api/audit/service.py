"""Reading the audit log: the admin's search, newest first, by subject, actor, action and time."""

from __future__ import annotations

import datetime as dt

from api.clock import to_iso
from api.errors import Invalid, NotFound

from .chain import AUDIT_LOG, append, drain_pending

FILTERS = ("subject_type", "subject_id", "actor_id", "action")


def search(
    store,
    *,
    page: int,
    page_size: int,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    **filters: str,
) -> tuple[list[dict], int]:
    """Entries matching every filter given, at or after `start` and before `end`; (page of entries, total)."""
    if start and end and start >= end:
        raise Invalid("开始时间须早于结束时间", code="bad_time_range", errors={"from": ["须早于 to"]})
    query: dict = {key: value for key, value in filters.items() if key in FILTERS and value}
    at = {**({"$gte": to_iso(start)} if start else {}), **({"$lt": to_iso(end)} if end else {})}
    if at:
        query["at"] = at
    drain_pending(store)  # MongoDB: entries of changes not yet chained are chained before anyone reads
    total = store[AUDIT_LOG].count_documents(query)
    skip = (page - 1) * page_size
    if skip >= total:  # past the end (also a page number too big for the store's int64 offset)
        return [], total
    found = store[AUDIT_LOG].find(query).sort("seq", -1).skip(skip).limit(page_size)
    return list(found), total


def entry(store, seq: int) -> dict:
    drain_pending(store)
    found = store[AUDIT_LOG].find_one({"seq": seq}) if 0 < seq < 2**63 else None  # beyond int64 no store can hold it
    if found is None:
        raise NotFound("没有这条审计记录", code="audit_entry_not_found")
    return found


def record_read(store, auditor_id: str, action: str, subject_id: str, criteria: dict) -> None:
    """Reading the log is itself audited (audit.search, audit.read, audit.verify), with the criteria used."""
    given = {key: value for key, value in criteria.items() if value not in (None, "")}
    detail = {key: (to_iso(value) if isinstance(value, dt.datetime) else value) for key, value in given.items()}
    append(store, actor_id=auditor_id, actor_role="admin", action=action, subject_type="audit_log", subject_id=subject_id,
           detail=detail)  # fmt: skip
