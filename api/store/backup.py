"""Online backup of the embedded engine's SQLite file, and its verification (docs/deploy.md, "Backups").

`create_backup(store, path)` copies the database with SQLite's online backup API in one step: the copy
reads one snapshot (WAL mode lets writers carry on meanwhile), so it holds exactly the transactions
committed before it started. It is written next to `path` and renamed into place when complete.
`verify_backup(path)` opens the copy read-only, runs PRAGMA integrity_check and counts each
collection's documents.
"""

from __future__ import annotations

import os
import sqlite3
import time
from typing import Any

from .sqlite_engine import _TABLE_PREFIX


class BackupError(Exception):
    """The backup could not be made or does not pass its checks."""


def create_backup(store: Any, path: str, *, force: bool = False) -> dict:
    if getattr(store, "engine", None) != "sqlite":
        raise BackupError("backups of MongoDB are made with mongodump (docs/deploy.md, \u201cBackups\u201d)")
    path = os.path.abspath(path)
    if os.path.exists(path) and not force:
        raise BackupError(f"{path} exists: choose another path or pass --force")
    if os.path.abspath(store.path) == path:
        raise BackupError("the backup cannot overwrite the database itself")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    partial = f"{path}.partial-{os.getpid()}"
    started = time.perf_counter()
    source = sqlite3.connect(store.path, timeout=store.busy_timeout_ms / 1000)
    try:
        target = sqlite3.connect(partial)
        try:
            source.backup(target)  # pages=-1: the whole file from one read snapshot
            target.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
        finally:
            target.close()
        os.replace(partial, path)
    except BaseException:
        if os.path.exists(partial):
            os.remove(partial)
        raise
    finally:
        source.close()
    return {"path": path, "bytes": os.path.getsize(path), "seconds": round(time.perf_counter() - started, 2)}


def verify_backup(path: str) -> dict:
    """{"integrity": "ok", "collections": {name: count}}; raises BackupError when the copy is damaged."""
    if not os.path.isfile(path):
        raise BackupError(f"{path}: no such file")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
            tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            counts = {
                name[len(_TABLE_PREFIX) :]: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
                for name in sorted(tables)
                if name.startswith(_TABLE_PREFIX)
            }
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path}: {exc}") from exc
    if problems != ["ok"]:
        raise BackupError(f"{path}: integrity_check: " + "; ".join(problems[:10]))
    return {"integrity": "ok", "collections": counts}
