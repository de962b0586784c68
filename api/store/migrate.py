"""Copying the embedded engine's collections to MongoDB (`flask migrate-embedded-to-mongo`, docs/deploy.md).

Every collection of the SQLite file is copied in batches, then every index of api/store/indexes.py is
created on the target, then each collection is verified: the same count, and the same checksum, a
SHA-256 over the canonical JSON of each document (keys sorted) in _id order. A target that already
holds documents in one of the collections is refused unless `force`, which drops those collections
first: running the command again with `force` gives the same result (idempotent).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

from .indexes import ensure_indexes

BATCH = 1000


class MigrationError(Exception):
    """The target is not empty, or the copy does not match the source (`report` then says where)."""

    def __init__(self, message: str, report: dict | None = None):
        super().__init__(message)
        self.report = report or {}


def _canonical(document: dict) -> bytes:
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def _source_documents(source: Any, name: str) -> Iterator[dict]:
    rows = source.connection().execute(f'SELECT doc FROM "c_{name}" ORDER BY id')
    for (doc,) in rows:
        yield json.loads(doc)


def _target_documents(target: Any, name: str) -> Iterator[dict]:
    yield from target[name].find({}).sort("_id", 1)


def checksum(documents: Iterator[dict]) -> tuple[int, str]:
    digest, count = hashlib.sha256(), 0
    for document in documents:
        digest.update(_canonical(document))
        digest.update(b"\n")
        count += 1
    return count, digest.hexdigest()


def verify(source: Any, target: Any, collections: list[str] | None = None) -> dict[str, dict]:
    """Per collection: counts and checksums on both sides, and whether they match."""
    report = {}
    for name in collections or source.list_collection_names():
        source_count, source_sum = checksum(_source_documents(source, name))
        target_count, target_sum = checksum(_target_documents(target, name))
        report[name] = {
            "source_count": source_count,
            "target_count": target_count,
            "source_checksum": source_sum,
            "target_checksum": target_sum,
            "ok": source_count == target_count and source_sum == target_sum,
        }
    return report


def migrate(source: Any, target: Any, *, force: bool = False, progress=None) -> dict[str, dict]:
    """Copy every collection, create the indexes, verify; raises MigrationError on any mismatch."""
    if getattr(source, "engine", None) != "sqlite" or getattr(target, "engine", None) != "mongodb":
        raise MigrationError("the source must be the embedded engine and the target MongoDB")
    names = source.list_collection_names()
    occupied = [name for name in names if target[name].estimated_document_count()]
    if occupied and not force:
        raise MigrationError("the target already holds documents in: " + ", ".join(occupied) + " (pass --force to replace them)")
    for name in occupied:
        target[name].drop()  # its indexes too: ensure_indexes makes them again after the copy
    for name in names:
        batch, copied = [], 0
        for document in _source_documents(source, name):
            batch.append(document)
            if len(batch) == BATCH:
                target[name].insert_many(batch, ordered=True)
                copied, batch = copied + len(batch), []
        if batch:
            target[name].insert_many(batch, ordered=True)
            copied += len(batch)
        if progress:
            progress(name, copied)
    ensure_indexes(target)
    report = verify(source, target, names)
    bad = [name for name, line in report.items() if not line["ok"]]
    if bad:
        raise MigrationError("the copy does not match the source in: " + ", ".join(bad), report)
    return report
