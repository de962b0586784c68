"""Retention of applications.

Drafts: a draft nobody has touched for `DRAFT_RETENTION_DAYS` days (30 by default) is deleted, with
the records of the files uploaded into it and the files no other record still uses.

A draft holds what a person typed and uploaded but never sent; no department ever saw it, so nothing
of it is kept. Submitted applications are never deleted here. `purge_stale_drafts` takes the store and
plain values (no Flask), so `flask purge-drafts` and any scheduled worker run the same function.

Uploads of closed cases: the files of an application rejected or withdrawn long ago go (`purge_closed_uploads`),
the application record stays. api/retention runs both on a schedule with the other retention rules.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from api import clock
from api.clock import to_iso

from . import states
from .service import APPLICATIONS, record_event
from .uploads import UPLOADS, upload_path

FILE_GRACE_SECONDS = 3600  # a file (re)used this recently may be about to get a new record: left alone


@dataclass(frozen=True)
class Purged:
    drafts: int
    uploads: int
    files: int


def purge_stale_drafts(
    store, days: int, data_dir: str | None = None, *, now: dt.datetime | None = None, dry_run: bool = False
) -> Purged:
    """Delete the drafts last changed more than `days` days before `now`, and their uploads.

    Each draft is deleted only if it is still a draft at the `updated_at` that was read, so one saved
    meanwhile stays. With `data_dir`, uploaded files no remaining record refers to are removed as well.
    A dry run counts the drafts and their upload records and deletes nothing (files are not counted).
    """
    if days < 1:
        raise ValueError("the retention must be at least one day")
    cutoff = to_iso((now or clock.utcnow()) - dt.timedelta(days=days))  # read through api.clock: tests move it
    stale = store[APPLICATIONS].find(
        {"state": states.DRAFT, "updated_at": {"$lt": cutoff}}, {"_id": 1, "updated_at": 1, "materials": 1}
    )
    if dry_run:
        found = list(stale)
        return Purged(len(found), sum(store[UPLOADS].count_documents(_uploads_query(d)) for d in found), 0)
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


def _uploads_query(application: dict) -> dict:
    """An application's upload records: those it refers to, and any recorded for it (replaced ones too)."""
    referred = [m["upload_id"] for m in (application.get("materials") or {}).values() if m.get("upload_id")]
    return {"$or": [{"_id": {"$in": referred}}, {"application_id": application["_id"]}]}


def _remove_uploads(store, draft: dict) -> tuple[int, set[str]]:
    records = list(store[UPLOADS].find(_uploads_query(draft), {"_id": 1, "sha256": 1}))
    if not records:
        return 0, set()
    store[UPLOADS].delete_many({"_id": {"$in": [r["_id"] for r in records]}})
    return len(records), {r["sha256"] for r in records}


def purge_closed_uploads(
    store, days: int, data_dir: str | None = None, *, now: dt.datetime | None = None, dry_run: bool = False
) -> Purged:
    """Delete the uploaded files of applications rejected or withdrawn more than `days` days before `now`.

    The application stays (its form, decisions and timeline are the record of what was decided); its
    upload records and the files no other record uses go, and the application notes the purge: an
    `uploads_purged_at` stamp, its materials marked `purged`, and an `uploads_purged` timeline event.
    Returns (applications, upload records, files).
    """
    if days < 1:
        raise ValueError("the retention must be at least one day")
    now = now or clock.utcnow()
    query = {"state": {"$in": [states.REJECTED, states.WITHDRAWN]}, "updated_at": {"$lt": to_iso(now - dt.timedelta(days=days))},
             "uploads_purged_at": {"$exists": False}}  # fmt: skip
    closed = list(store[APPLICATIONS].find(query, {"_id": 1, "state": 1, "updated_at": 1, "materials": 1}))
    if dry_run:
        return Purged(len(closed), sum(store[UPLOADS].count_documents(_uploads_query(a)) for a in closed), 0)
    applications = uploads = files = 0
    for application in closed:
        materials = (application.get("materials") or {}).items()
        marks = {f"materials.{code}.purged": True for code, material in materials if material.get("upload_id")}
        with store.transaction() as session:
            noted = store[APPLICATIONS].update_one(
                {"_id": application["_id"], "state": application["state"], "updated_at": application["updated_at"],
                 "uploads_purged_at": {"$exists": False}},
                {"$set": {"uploads_purged_at": to_iso(now), **marks}, "$inc": {"version": 1}},
                session=session,
            )  # fmt: skip
            if not noted.matched_count:
                continue
            record_event(store, application["_id"], "system", "system", "uploads_purged", application["state"],
                         application["state"], session=session)  # fmt: skip
        applications += 1
        removed, digests = _remove_uploads(store, application)
        uploads += removed
        if data_dir:
            files += _remove_unused_files(store, data_dir, digests)
    return Purged(applications, uploads, files)


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
