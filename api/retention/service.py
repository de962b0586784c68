"""One purge run over every kind of data with a retention period; audit entries are never touched.

| kind | purged when | setting |
| --- | --- | --- |
| drafts (with their uploads) | untouched for N days | DRAFT_RETENTION_DAYS (30) |
| uploads of rejected/withdrawn applications | closed N days ago (the application stays) | RETENTION_CLOSED_UPLOADS_DAYS (180) |
| SMS log | sent N days ago | RETENTION_SMS_LOG_DAYS (90) |
| outbox messages | sent N days ago (the inbox copy stays) | RETENTION_OUTBOX_DAYS (90) |
| mini-program send records (a permission taken per message) | finished N days ago | RETENTION_OUTBOX_DAYS (90) |
| SMS login codes | expired N days ago | RETENTION_LOGIN_CODES_DAYS (7) |

A setting of 0 keeps that kind forever. Rate-limit counters need nothing here: auth/limits.py deletes
expired ones as it goes. Each real run (not a dry run) appends one audit entry with its counts.
`run_if_due` lets any periodic process call it every minute: one run per RETENTION_EVERY_SECONDS across
all processes, claimed with a conditional update.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from pymongo.errors import DuplicateKeyError

from api import audit, clock
from api.applications.retention import purge_closed_uploads, purge_stale_drafts
from api.clock import to_iso
from auth.otp import COLLECTION as LOGIN_CODES
from notifications.channels.sms import SMS_LOG
from notifications.miniprogram_permissions import SENDS as MINIPROGRAM_SENDS
from notifications.miniprogram_permissions import TAKEN
from notifications.outbox import OUTBOX, SENT

RUNS = "retention_runs"
SCHEDULE_ID = "purge"


@dataclass(frozen=True)
class RetentionSettings:
    draft_days: int = 30
    closed_upload_days: int = 180
    sms_log_days: int = 90
    outbox_days: int = 90
    login_code_days: int = 7
    every_seconds: int = 3600

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> RetentionSettings:
        settings = cls(
            draft_days=int(config["DRAFT_RETENTION_DAYS"]),
            closed_upload_days=int(config["RETENTION_CLOSED_UPLOADS_DAYS"]),
            sms_log_days=int(config["RETENTION_SMS_LOG_DAYS"]),
            outbox_days=int(config["RETENTION_OUTBOX_DAYS"]),
            login_code_days=int(config["RETENTION_LOGIN_CODES_DAYS"]),
            every_seconds=int(config["RETENTION_EVERY_SECONDS"]),
        )
        if min(settings.draft_days, settings.closed_upload_days, settings.sms_log_days, settings.outbox_days,
               settings.login_code_days) < 0 or settings.every_seconds < 60:  # fmt: skip
            raise ValueError("retention days must be 0 (keep) or more, and the purge interval at least 60 seconds")
        return settings


def _cutoff(now: dt.datetime, days: int) -> str:
    return to_iso(now - dt.timedelta(days=days))


def _delete_older(store, collection: str, query: dict, dry_run: bool) -> int:
    if dry_run:
        return store[collection].count_documents(query)
    return store[collection].delete_many(query).deleted_count


def purge(store, settings: RetentionSettings, data_dir: str | None, *, now: dt.datetime | None = None,
          dry_run: bool = False) -> dict[str, int]:  # fmt: skip
    """Purge (or, dry, count) everything past its retention; returns the count per kind."""
    now = now or clock.utcnow()
    counts: dict[str, int] = {}
    if settings.draft_days:
        drafts = purge_stale_drafts(store, settings.draft_days, data_dir, now=now, dry_run=dry_run)
        counts.update(drafts=drafts.drafts, draft_uploads=drafts.uploads, draft_files=drafts.files)
    if settings.closed_upload_days:
        closed = purge_closed_uploads(store, settings.closed_upload_days, data_dir, now=now, dry_run=dry_run)
        counts.update(closed_applications=closed.drafts, closed_uploads=closed.uploads, closed_files=closed.files)
    if settings.sms_log_days:
        query = {"sent_at": {"$lt": _cutoff(now, settings.sms_log_days)}}
        counts["sms_log"] = _delete_older(store, SMS_LOG, query, dry_run)
    if settings.outbox_days:
        query = {"state": SENT, "sent_at": {"$lt": _cutoff(now, settings.outbox_days)}}
        counts["outbox"] = _delete_older(store, OUTBOX, query, dry_run)
        # A record still `taken` belongs to a message the worker may retry: it stays until it is finished.
        query = {"state": {"$ne": TAKEN}, "updated_at": {"$lt": _cutoff(now, settings.outbox_days)}}
        counts["miniprogram_sends"] = _delete_older(store, MINIPROGRAM_SENDS, query, dry_run)
    if settings.login_code_days:
        query = {"expires_at": {"$lt": _cutoff(now, settings.login_code_days)}}
        counts["login_codes"] = _delete_older(store, LOGIN_CODES, query, dry_run)
    if not dry_run:
        audit.append(store, actor_id="system", actor_role="system", action="retention.purge", subject_type="retention",
                     subject_id=to_iso(now), detail=counts)  # fmt: skip
    return counts


def run_if_due(store, settings: RetentionSettings, data_dir: str | None, *, now: dt.datetime | None = None) -> dict | None:
    """Purge if the last run (by any process) was at least `every_seconds` ago; None when not due."""
    now = now or clock.utcnow()
    try:
        store[RUNS].insert_one({"_id": SCHEDULE_ID, "next_at": to_iso(now), "last_at": None})
    except DuplicateKeyError:
        pass
    claimed = store[RUNS].find_one_and_update(
        {"_id": SCHEDULE_ID, "next_at": {"$lte": to_iso(now)}},
        {"$set": {"next_at": to_iso(now + dt.timedelta(seconds=settings.every_seconds)), "last_at": to_iso(now)}},
    )
    if claimed is None:
        return None
    return purge(store, settings, data_dir, now=now)
