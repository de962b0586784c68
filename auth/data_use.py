"""The data-use log (数据使用记录): every read of a person's data by anyone but that person."""

from __future__ import annotations

from api import audit
from api.clock import now_iso
from api.store import new_id

COLLECTION = "data_use_log"


def record_data_use(
    store, subject_id: str, actor_id: str, actor_role: str, purpose: str, fields: list[str], session=None
) -> None:
    """Write one entry and its audit entry (`data.read`); call it in the same request that reads the data,
    before answering. Both join the caller's transaction (`session`, or the open SQLite transaction);
    otherwise, on SQLite, they commit together in one transaction of their own: one turn in the writers'
    queue instead of two, and never a data-use entry without its audit entry."""
    if subject_id == actor_id:
        return
    if session is None and store.engine == "sqlite" and not store.connection().in_transaction:
        with store.transaction():
            _record(store, subject_id, actor_id, actor_role, purpose, fields, None)
    else:
        _record(store, subject_id, actor_id, actor_role, purpose, fields, session)


def _record(store, subject_id: str, actor_id: str, actor_role: str, purpose: str, fields: list[str], session) -> None:
    names = sorted(set(fields))
    store[COLLECTION].insert_one(
        {
            "_id": new_id("use_"),
            "subject_id": subject_id,
            "actor_id": actor_id,
            "actor_role": actor_role,
            "purpose": purpose,
            "fields": names,
            "at": now_iso(),
        },
        session=session,
    )
    detail = {"purpose": purpose, "fields": list(names)}
    audit.append(store, actor_id=actor_id, actor_role=actor_role, action="data.read", subject_type="person",
                 subject_id=subject_id, detail=detail, session=session)  # fmt: skip


def data_use_for(store, subject_id: str, page: int, page_size: int) -> tuple[list[dict], int]:
    query = {"subject_id": subject_id}
    total = store[COLLECTION].count_documents(query)
    items = list(store[COLLECTION].find(query).sort("at", -1).skip((page - 1) * page_size).limit(page_size))
    return items, total
