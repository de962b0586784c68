"""The data-use log (数据使用记录): every read of a person's data by anyone but that person."""

from __future__ import annotations

from api import audit
from api.clock import now_iso
from api.store import new_id

COLLECTION = "data_use_log"


def record_data_use(
    store, subject_id: str, actor_id: str, actor_role: str, purpose: str, fields: list[str], session=None
) -> None:
    """Write one entry; call it in the same request that reads the data, before answering."""
    if subject_id == actor_id:
        return
    store[COLLECTION].insert_one(
        {
            "_id": new_id("use_"),
            "subject_id": subject_id,
            "actor_id": actor_id,
            "actor_role": actor_role,
            "purpose": purpose,
            "fields": sorted(set(fields)),
            "at": now_iso(),
        },
        session=session,
    )
    detail = {"purpose": purpose, "fields": sorted(set(fields))}
    audit.append(store, actor_id=actor_id, actor_role=actor_role, action="data.read", subject_type="person",
                 subject_id=subject_id, detail=detail, session=session)  # fmt: skip


def data_use_for(store, subject_id: str, page: int, page_size: int) -> tuple[list[dict], int]:
    query = {"subject_id": subject_id}
    total = store[COLLECTION].count_documents(query)
    items = list(store[COLLECTION].find(query).sort("at", -1).skip((page - 1) * page_size).limit(page_size))
    return items, total
