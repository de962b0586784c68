"""MongoDB query semantics for the subset the project uses, evaluated in Python.

The embedded engine answers whatever part of a filter it can in SQL (paths it has an index on)
and checks the rest here. Both halves follow MongoDB's rules, so a query gives the same answer
on either engine. Anything outside the subset raises NotImplementedError naming the operator.
"""

from __future__ import annotations

from typing import Any

COMPARISON_OPERATORS = frozenset({"$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists"})
LOGICAL_OPERATORS = frozenset({"$and", "$or"})

_MISSING = object()


def unsupported(operator: str, where: str = "filter") -> NotImplementedError:
    return NotImplementedError(f"operator {operator!r} in a {where} is not supported by the OneTrip store")


def validate_filter(query: dict) -> None:
    """Raise before touching data if the filter uses anything outside the subset."""
    if not isinstance(query, dict):
        raise TypeError("filter must be a dict")
    for key, value in query.items():
        if key in LOGICAL_OPERATORS:
            if not isinstance(value, list) or not value:
                raise ValueError(f"{key} needs a non-empty list")
            for sub in value:
                validate_filter(sub)
        elif key.startswith("$"):
            raise unsupported(key)
        elif is_operator_dict(value):
            for op, operand in value.items():
                if op not in COMPARISON_OPERATORS:
                    raise unsupported(op)
                if op in ("$in", "$nin") and not isinstance(operand, (list, tuple)):
                    raise ValueError(f"{op} needs a list")


def is_operator_dict(value: Any) -> bool:
    return isinstance(value, dict) and bool(value) and all(str(k).startswith("$") for k in value)


def resolve(document: Any, path: str) -> list:
    """Every value that `path` reaches in `document`, descending through arrays like MongoDB."""
    return _reach(document, path)[0]


def _reach(document: Any, path: str) -> tuple[list, bool]:
    """The values `path` reaches, and whether some branch ends without the field.

    MongoDB's equality to null matches a missing field, including in one subdocument of an array
    (`{"items.sku": None}` matches `{"items": [{"sku": "A"}, {}]}`).
    """
    values = [document]
    missing = False
    for part in path.split("."):
        found = []
        for value in values:
            if isinstance(value, dict):
                if part in value:
                    found.append(value[part])
                else:
                    missing = True
            elif isinstance(value, list):
                if part.isdigit() and int(part) < len(value):
                    found.append(value[int(part)])
                for element in value:
                    if isinstance(element, dict):
                        if part in element:
                            found.append(element[part])
                        elif not part.isdigit():
                            missing = True
            else:
                missing = True
        values = found
    return values, missing or not values


def _bracket(value: Any) -> int:
    """MongoDB's cross-type ordering: values compare only inside the same bracket."""
    if value is None:
        return 1
    if isinstance(value, bool):
        return 8
    if isinstance(value, (int, float)):
        return 2
    if isinstance(value, str):
        return 3
    if isinstance(value, dict):
        return 4
    if isinstance(value, list):
        return 5
    return 9


def same(a: Any, b: Any) -> bool:
    """Equality with MongoDB's strictness: True is not 1, 1 is 1.0."""
    if _bracket(a) != _bracket(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def _candidates(values: list) -> list:
    """A value and, when it is an array, each of its elements."""
    out = []
    for value in values:
        out.append(value)
        if isinstance(value, list):
            out.extend(value)
    return out


def _equals(values: list, operand: Any, missing: bool) -> bool:
    if operand is None and missing:
        return True
    return any(same(v, operand) for v in _candidates(values))


def _compare(values: list, op: str, operand: Any) -> bool:
    bracket = _bracket(operand)
    for value in _candidates(values):
        if _bracket(value) != bracket or isinstance(value, (dict, list)):
            continue
        if value is None:
            if op in ("$gte", "$lte"):
                return True
            continue
        if (
            (op == "$gt" and value > operand)
            or (op == "$gte" and value >= operand)
            or (op == "$lt" and value < operand)
            or (op == "$lte" and value <= operand)
        ):
            return True
    return False


def _operator_matches(values: list, missing: bool, op: str, operand: Any) -> bool:
    if op == "$eq":
        return _equals(values, operand, missing)
    if op == "$ne":
        return not _equals(values, operand, missing)
    if op == "$in":
        return any(_equals(values, o, missing) for o in operand)
    if op == "$nin":
        return not any(_equals(values, o, missing) for o in operand)
    if op == "$exists":
        return bool(values) == bool(operand)
    if op in ("$gt", "$gte", "$lt", "$lte"):
        return _compare(values, op, operand)
    raise unsupported(op)


def matches(document: dict, query: dict) -> bool:
    for key, condition in query.items():
        if key == "$and":
            if not all(matches(document, sub) for sub in condition):
                return False
        elif key == "$or":
            if not any(matches(document, sub) for sub in condition):
                return False
        elif key.startswith("$"):
            raise unsupported(key)
        else:
            values, missing = _reach(document, key)
            if is_operator_dict(condition):
                if not all(_operator_matches(values, missing, op, operand) for op, operand in condition.items()):
                    return False
            elif not _equals(values, condition, missing):
                return False
    return True


def sort_key(document: dict, spec: list[tuple[str, int]]):
    """A key for Python's sort that orders like MongoDB for scalar fields (missing = null, first)."""
    keys = []
    for path, direction in spec:
        values = resolve(document, path)
        value = values[0] if values else None
        keys.append(_Ordered(value, direction))
    return keys


class _Ordered:
    __slots__ = ("value", "direction")

    def __init__(self, value: Any, direction: int):
        self.value = value
        self.direction = direction

    def __lt__(self, other: _Ordered) -> bool:
        a, b = (self.value, other.value) if self.direction > 0 else (other.value, self.value)
        ba, bb = _bracket(a), _bracket(b)
        if ba != bb:
            return ba < bb
        if ba in (1, 4, 5):
            return False
        return a < b

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Ordered) and same(self.value, other.value)


def project(document: dict, projection: Any) -> dict:
    """Inclusion or exclusion projection, dotted paths allowed; `_id` kept unless excluded.

    The document is taken apart, not copied: the engine projects only documents it has just decoded
    and hands on (copying a large form cost more than reading it).
    """
    if not projection:
        return document
    if isinstance(projection, (list, tuple)):
        projection = {field: 1 for field in projection}
    include_id = bool(projection.get("_id", 1))
    fields = {k: v for k, v in projection.items() if k != "_id"}
    if any(isinstance(v, dict) for v in fields.values()):
        raise unsupported(next(k for v in fields.values() if isinstance(v, dict) for k in v), "projection")
    modes = {bool(v) for v in fields.values()}
    if len(modes) > 1:
        raise ValueError("a projection cannot mix inclusion and exclusion")
    if not fields and include_id:
        return {"_id": document["_id"]} if "_id" in document else {}
    if not fields or modes == {False}:
        out = document
        for path in fields:
            _remove(out, path.split("."))
        if not include_id:
            out.pop("_id", None)
        return out
    out: dict = {}
    if include_id and "_id" in document:
        out["_id"] = document["_id"]
    for path in fields:
        _copy_path(document, out, path.split("."))
    return out


def _remove(document: Any, parts: list[str]) -> None:
    if isinstance(document, list):
        for element in document:
            _remove(element, parts)
    elif isinstance(document, dict) and parts[0] in document:
        if len(parts) == 1:
            del document[parts[0]]
        else:
            _remove(document[parts[0]], parts[1:])


def _copy_path(source: Any, target: dict, parts: list[str]) -> None:
    if not isinstance(source, dict) or parts[0] not in source:
        return
    value = source[parts[0]]
    if len(parts) == 1:
        target[parts[0]] = value
    elif isinstance(value, dict):
        _copy_path(value, target.setdefault(parts[0], {}), parts[1:])
    elif isinstance(value, list):
        items = target.setdefault(parts[0], [{} for v in value if isinstance(v, dict)])
        for element, out in zip([v for v in value if isinstance(v, dict)], items, strict=False):
            _copy_path(element, out, parts[1:])
