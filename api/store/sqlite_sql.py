"""Compiling the indexed part of a MongoDB filter to SQL for the embedded engine.

SQLite uses an expression index only when a query repeats the indexed expression exactly, so every
index key and every query on an indexed path use `path_expression()`. Missing fields and JSON null
both become one sentinel (-Inf, which JSON cannot hold) so that a unique index treats them as one
value, as MongoDB does. Terms on paths without an index are returned as a residual filter that the
caller checks in Python: the answer is exact either way, the index only makes it fast.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from .matching import is_operator_dict

PATH_PART = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
NULL_SENTINEL = "-9e999"
_RANGE_SQL = {"$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}


@lru_cache(maxsize=4096)
def json_path(path: str) -> str:
    parts = path.split(".")
    if not all(PATH_PART.match(p) for p in parts):
        raise ValueError(f"field path {path!r} cannot be indexed or sorted in SQL (letters, digits, _ only)")
    return "$." + ".".join(parts)


@lru_cache(maxsize=4096)
def path_expression(path: str) -> str:
    if path == "_id":
        return "id"
    return f"coalesce(json_extract(doc, '{json_path(path)}'), {NULL_SENTINEL})"


def type_guard(path: str, value: Any) -> str:
    """Keep a comparison inside the operand's type bracket (SQLite would order numbers before text)."""
    return _type_guard(path, isinstance(value, str))


def equality_guard(path: str, values: list) -> str:
    """The type guard an equality needs: none for text that no subdocument could be, the full one otherwise.

    `expr = 'text'` is never true for a number, a boolean (1 or 0 to SQL) or the null sentinel (no type
    conversions between expressions), only for a string or for a subdocument, which json_extract gives as its
    JSON text, starting with { or [. Without the guard SQLite answers from the index alone; json_type has to
    read and parse each matching row's whole document (about 6 µs for a 1.5 KB one). Numbers keep their guard:
    `expr = 1` is also true for true.
    """
    if all(isinstance(v, str) and not v.startswith(("{", "[")) for v in values):
        return ""
    return type_guard(path, values[0])


@lru_cache(maxsize=4096)
def _type_guard(path: str, text: bool) -> str:
    types = "'text'" if text else "'integer', 'real'"
    if path == "_id":
        return f" AND typeof(id) IN ({types})"
    return f" AND json_type(doc, '{json_path(path)}') IN ({types})"


def _scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


class Compiled:
    """SQL for what an index answers, plus the residual filter for Python."""

    def __init__(self):
        self.clauses: list[str] = []
        self.params: list[Any] = []
        self.residual: list[dict] = []

    @property
    def where(self) -> str:
        return " AND ".join(self.clauses) if self.clauses else "1"

    @property
    def residual_filter(self) -> dict | None:
        if not self.residual:
            return None
        return self.residual[0] if len(self.residual) == 1 else {"$and": self.residual}


def compile_filter(query: dict, indexed: frozenset[str]) -> Compiled:
    out = Compiled()
    shape = _plain_shape(query)
    where = _plain_where(shape, indexed) if shape is not None else None
    if where is not None:
        out.clauses = [where] if where != "1" else []
        out.params = _plain_params(query)
        return out
    _compile_into(out, query, indexed)
    return out


# Most queries are plain: equalities and $in lists of text on indexed paths or _id, or equality to null.
# Their SQL depends only on the filter's shape (the keys, which of the three each is, how long each list is),
# so it is made once per shape and collection indexes; any other filter is compiled term by term. Both give
# the same SQL and parameters (tests/store/test_sql_compiler.py).


def _plain_text(value: Any) -> bool:
    return type(value) is str and not value.startswith(("{", "["))


def _plain_shape(query: dict) -> tuple | None:
    shape = []
    for key, value in query.items():
        if _plain_text(value):
            shape.append((key, "="))
        elif value is None and key != "_id":
            shape.append((key, None))
        elif type(value) is dict and len(value) == 1 and type(values := value.get("$in")) is list and values:
            if not all(_plain_text(v) for v in values):
                return None
            shape.append((key, len(values)))
        else:
            return None
    return tuple(shape)


@lru_cache(maxsize=2048)
def _plain_where(shape: tuple, indexed: frozenset[str]) -> str | None:
    """The WHERE of a plain shape, or None when a term is not on an index (the caller compiles it in full)."""
    clauses = []
    for key, kind in shape:
        if key.startswith("$") or (key != "_id" and key not in indexed):
            return None
        expression = path_expression(key)
        if kind == "=":
            clauses.append(f"{expression} = ?")
        elif kind is None:
            clauses.append(f"{expression} = {NULL_SENTINEL}")
        else:
            clauses.append(f"{expression} IN ({', '.join(['?'] * kind)})")
    return " AND ".join(clauses) if clauses else "1"


def _plain_params(query: dict) -> list:
    params: list = []
    for value in query.values():
        if type(value) is str:
            params.append(value)
        elif value is not None:
            params.extend(value["$in"])
    return params


def _compile_into(out: Compiled, query: dict, indexed: frozenset[str]) -> None:
    for key, condition in query.items():
        if key == "$and":
            for sub in condition:
                _compile_into(out, sub, indexed)
        elif key == "$or":
            _compile_or(out, condition, indexed)
        elif key != "_id" and key not in indexed:
            out.residual.append({key: condition})
        elif is_operator_dict(condition):
            _compile_operators(out, key, condition)
        elif _scalar(condition) or (condition is None and key != "_id"):
            _equality(out, key, condition)
        else:
            out.residual.append({key: condition})


def _compile_or(out: Compiled, branches: list[dict], indexed: frozenset[str]) -> None:
    compiled = [compile_filter(branch, indexed) for branch in branches]
    if any(c.residual for c in compiled):
        out.residual.append({"$or": branches})
        return
    out.clauses.append("(" + " OR ".join(f"({c.where})" for c in compiled) + ")")
    for c in compiled:
        out.params.extend(c.params)


def _equality(out: Compiled, path: str, value: Any) -> None:
    expression = path_expression(path)
    if value is None:
        out.clauses.append(f"{expression} = {NULL_SENTINEL}")
    else:
        out.clauses.append(f"{expression} = ?{equality_guard(path, [value])}")
        out.params.append(value)


def _compile_operators(out: Compiled, path: str, condition: dict) -> None:
    rest = {}
    for op, operand in condition.items():
        if op == "$eq" and (_scalar(operand) or (operand is None and path != "_id")):
            _equality(out, path, operand)
        elif op in _RANGE_SQL and _scalar(operand):
            out.clauses.append(f"{path_expression(path)} {_RANGE_SQL[op]} ?{type_guard(path, operand)}")
            out.params.append(operand)
        elif op == "$in" and operand and _uniform_scalars(operand):
            marks = ", ".join("?" for _ in operand)
            out.clauses.append(f"{path_expression(path)} IN ({marks}){equality_guard(path, operand)}")
            out.params.extend(operand)
        else:
            rest[op] = operand
    if rest:
        out.residual.append({path: rest})


def _uniform_scalars(values: list) -> bool:
    if not all(_scalar(v) for v in values):
        return False
    return len({isinstance(v, str) for v in values}) == 1


def compile_sort(spec: list[tuple[str, int]], indexed: frozenset[str]) -> str | None:
    """ORDER BY for the sort, or None when a key cannot be sorted in SQL."""
    terms = []
    for path, direction in spec:
        if path == "_id" or path in indexed:
            expression = path_expression(path)
        else:
            try:
                expression = f"json_extract(doc, '{json_path(path)}')"
            except ValueError:
                return None
        terms.append(f"{expression} {'DESC' if direction < 0 else 'ASC'}")
    return ", ".join(terms)
