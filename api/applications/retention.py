"""Draft retention: a draft nobody has touched for `DRAFT_RETENTION_DAYS` days (30 by default) is deleted,
with the records of the files uploaded into it and the files no other record still uses.

A draft holds what a person typed and uploaded but never sent; no department ever saw it, so nothing
of it is kept. Submitted applications are never purged here. `purge_stale_drafts` takes the store and
plain values (no Flask), so `flask purge-drafts` and any scheduled worker run the same function.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from api import clock
from api.clock import to_iso

from . import states
from .service import APPLICATIONS
from .uploads import UPLOADS, upload_path

FILE_GRACE_SECONDS = 3600  # a file (re)used this recently may be about to get a new record: left alone


@dataclass(frozen=True)
class Purged:
    drafts: int
    uploads: int
    files: int


def purge_stale_drafts(store, days: int, data_dir: str | None = None, *, now: dt.datetime | None = None) -> Purged:
    """Delete the drafts last changed more than `days` days before `now`, and their uploads.

    Each draft is deleted only if it is still a draft at the `updated_at` that was read, so one saved
    meanwhile stays. With `data_dir`, uploaded files no remaining record refers to are removed as well.
    """
    if days < 1:
        raise ValueError("the retention must be at least one day")
    cutoff = to_iso((now or clock.utcnow()) - dt.timedelta(days=days))  # read through api.clock: tests move it
    stale = store[APPLICATIONS].find(
        {"state": states.DRAFT, "updated_at": {"$lt": cutoff}}, {"_id": 1, "updated_at": 1, "materials": 1}
    )
    drafts = uploads = files = 0
    for draft in list(stale):
        gone = store[APPLICATIONS].delete_one({"_id": draft["_id"], "state": states.DRAFT, "updated_at": draft["updated_at"]})
        if not gone.deleted_count:
            continue
        drafts += 1
        removed, digests = _remove_uploads(store, draft)
        uploads += removed
        if data_dir:
            files += _remove_unused_files(store, data_dir, digests)
    return Purged(drafts, uploads, files)


def _remove_uploads(store, draft: dict) -> tuple[int, set[str]]:
    """The draft's upload records: those it refers to, and any recorded for it (replaced ones too)."""
    referred = [m["upload_id"] for m in (draft.get("materials") or {}).values() if m.get("upload_id")]
    query = {"$or": [{"_id": {"$in": referred}}, {"application_id": draft["_id"]}]}
    records = list(store[UPLOADS].find(query, {"_id": 1, "sha256": 1}))
    if not records:
        return 0, set()
    store[UPLOADS].delete_many({"_id": {"$in": [r["_id"] for r in records]}})
    return len(records), {r["sha256"] for r in records}


def _remove_unused_files(store, data_dir: str, digests: set[str]) -> int:
    """Files are stored once per content and shared: one goes only when no record of anyone uses it."""
    removed = 0
    for digest in digests:
        if store[UPLOADS].count_documents({"sha256": digest}):
            continue
        path = upload_path(data_dir, digest)
        try:
            if path.stat().st_mtime < time.time() - FILE_GRACE_SECONDS:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed
