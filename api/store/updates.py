"""MongoDB update operators for the embedded engine: $set $unset $inc $push $addToSet $setOnInsert."""

from __future__ import annotations

import copy
from typing import Any

from pymongo.errors import WriteError

from .matching import is_operator_dict, same, unsupported

UPDATE_OPERATORS = frozenset({"$set", "$unset", "$inc", "$push", "$addToSet", "$setOnInsert"})
_IMMUTABLE_ID = "Performing an update on the path '_id' would modify the immutable field '_id'"


def validate_update(update: dict) -> None:
    if not isinstance(update, dict) or not update:
        raise ValueError("update must be a non-empty dict of update operators")
    for op, fields in update.items():
        if not op.startswith("$"):
            raise ValueError("update only works with $ operators")
        if op not in UPDATE_OPERATORS:
            raise unsupported(op, "update")
        if not isinstance(fields, dict):
            raise WriteError(f"{op} needs a document of fields", code=9)
        for path, value in fields.items():
            # $set of `_id` to its current value is allowed (checked in apply_update), as in MongoDB.
            if (path == "_id" and op not in ("$set", "$setOnInsert")) or path.startswith("_id."):
                raise WriteError(_IMMUTABLE_ID, code=66)
            if op in ("$push", "$addToSet") and isinstance(value, dict) and is_operator_dict(value):
                extra = set(value) - {"$each"}
                if extra:
                    raise unsupported(sorted(extra)[0], f"{op}")
    _refuse_conflicts([path for fields in update.values() for path in fields])


def _refuse_conflicts(paths: list[str]) -> None:
    """MongoDB refuses an update that touches one path twice, or a path and a field inside it."""
    for index, first in enumerate(paths):
        for second in paths[index + 1 :]:
            if first == second or second.startswith(first + ".") or first.startswith(second + "."):
                raise WriteError(f"Updating the path {second!r} would create a conflict at {first!r}", code=40)


def apply_update(document: dict, update: dict, inserting: bool = False, in_place: bool = False) -> dict:
    """Return a new document with `update` applied; the input is left unchanged unless `in_place`.

    in_place: the caller owns the document (just decoded from its row, its JSON kept) and does not need it
    as it was, which spares a deep copy (about 40 µs for a 2 KB application).
    """
    doc = document if in_place else copy.deepcopy(document)
    for op, fields in update.items():
        if op == "$setOnInsert" and not inserting:
            continue
        for path, value in fields.items():
            parts = path.split(".")
            if path == "_id" and "_id" in doc:
                if not same(doc["_id"], value):
                    raise WriteError(_IMMUTABLE_ID, code=66)
            elif op in ("$set", "$setOnInsert"):
                _parent(doc, parts, create=True)[parts[-1]] = copy.deepcopy(value)
            elif op == "$unset":
                parent = _parent(doc, parts, create=False)
                if isinstance(parent, dict):
                    parent.pop(parts[-1], None)
            elif op == "$inc":
                _increment(doc, parts, path, value)
            else:
                _append(doc, parts, path, value, unique=op == "$addToSet")
    return doc


def _parent(doc: dict, parts: list[str], create: bool) -> Any:
    node: Any = doc
    for part in parts[:-1]:
        if isinstance(node, list) and part.isdigit():
            index = int(part)
            if index >= len(node):
                if not create:
                    return None
                raise WriteError(f"cannot create array element {part} in {'.'.join(parts)}", code=28)
            node = node[index]
            continue
        if not isinstance(node, dict):
            if create:
                raise WriteError(f"cannot create field {part!r} in element of type {type(node).__name__}", code=28)
            return None
        if part not in node:
            if not create:
                return None
            node[part] = {}
        node = node[part]
    if create and not isinstance(node, (dict, list)):
        raise WriteError(f"cannot set {'.'.join(parts)}: parent is not a document", code=28)
    return node


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _increment(doc: dict, parts: list[str], path: str, amount: Any) -> None:
    if not _is_number(amount):
        raise WriteError(f"Cannot increment with non-numeric argument: {{{path}: {amount!r}}}", code=14)
    parent = _parent(doc, parts, create=True)
    current = parent.get(parts[-1], 0) if isinstance(parent, dict) else 0
    if not _is_number(current):
        raise WriteError(f"Cannot apply $inc to a value of non-numeric type at {path!r}", code=14)
    parent[parts[-1]] = current + amount


def _append(doc: dict, parts: list[str], path: str, value: Any, unique: bool) -> None:
    items = value["$each"] if is_operator_dict(value) else [value]
    parent = _parent(doc, parts, create=True)
    current = parent.setdefault(parts[-1], [])
    if not isinstance(current, list):
        raise WriteError(f"The field {path!r} must be an array", code=2)
    for item in items:
        if unique and any(same(existing, item) for existing in current):
            continue
        current.append(copy.deepcopy(item))


def upsert_seed(query: dict) -> dict:
    """The document an upsert starts from: the filter's equality conditions (MongoDB's rule)."""
    seed: dict = {}
    terms = [query]
    while terms:
        term = terms.pop()
        for key, value in term.items():
            if key == "$and":
                terms.extend(value)
            elif key.startswith("$"):
                continue
            elif is_operator_dict(value):
                if "$eq" in value:
                    _set_path(seed, key, value["$eq"])
            else:
                _set_path(seed, key, value)
    return seed


def _set_path(doc: dict, path: str, value: Any) -> None:
    parts = path.split(".")
    _parent(doc, parts, create=True)[parts[-1]] = copy.deepcopy(value)
