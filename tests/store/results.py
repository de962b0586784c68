"""Reading query results in assertions: which documents came back, as a set or in order."""

from __future__ import annotations


def ids(documents) -> set:
    return {document["_id"] for document in documents}


def ordered_ids(documents) -> list:
    return [document["_id"] for document in documents]
