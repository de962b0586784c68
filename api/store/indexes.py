"""Every index the application uses, in one place; created at start-up (idempotent).

Each entry: collection -> list of (keys, options). Keys are pymongo-style [(path, 1 | -1)].
On the embedded engine an indexed path must hold scalars (no multikey indexes).
"""

from __future__ import annotations

from typing import Any

INDEXES: dict[str, list[tuple[list[tuple[str, int]], dict[str, Any]]]] = {}


def declare(collection: str, keys: list[tuple[str, int]], **options: Any) -> None:
    """Feature packages declare their indexes here when they are imported."""
    entries = INDEXES.setdefault(collection, [])
    if (keys, options) not in entries:
        entries.append((keys, options))


def ensure_indexes(store: Any) -> list[str]:
    created = []
    for collection, entries in INDEXES.items():
        for keys, options in entries:
            created.append(f"{collection}.{store[collection].create_index(keys, **options)}")
    return created
