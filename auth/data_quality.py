"""Data-quality cases (数据质量问题): source data that we accept but that someone must correct at its source.

One case per (kind, subject), recorded once however often the data is met again, for the registry's
owners to work through. The first kind: a unified social credit code that fails the GB 32100-2015
check character but is held by the legal-person registry (法人库), so it is accepted (DESIGN.md,
"Identity and sessions").
"""

from __future__ import annotations

from typing import Any

from pymongo.errors import DuplicateKeyError

from api.clock import now_iso

CASES = "data_quality_cases"
CREDIT_CODE_CHECKSUM = "credit_code_checksum"


def record_case(store: Any, kind: str, subject: str, details: dict[str, Any]) -> bool:
    """Open a case for `subject` unless one exists; True if this call opened it."""
    case_id = f"{kind}:{subject}"
    if store[CASES].find_one({"_id": case_id}, {"_id": 1}) is not None:
        return False  # met again: a read, not a write, on every request that meets it
    now = now_iso()
    try:
        store[CASES].insert_one(
            {
                "_id": case_id,
                "kind": kind,
                "subject": subject,
                **details,
                "status": "open",
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
        )
    except DuplicateKeyError:  # another request opened it at the same moment
        return False
    return True


def flag_credit_code_checksum(store: Any, org: Any) -> bool:
    """The 法人库 holds `org` under a credit code whose check character is wrong."""
    return record_case(
        store,
        CREDIT_CODE_CHECKSUM,
        org.credit_code,
        {
            "credit_code": org.credit_code,
            "org_name": org.name,
            "source": "registry_orgs",
            "problem": "统一社会信用代码校验码不符合 GB 32100-2015，但法人库登记了该代码",
        },
    )
