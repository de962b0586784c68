"""Checking one form value against its field's type, with a Chinese message naming what is wrong."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from auth.validators import InvalidNumber, validate_credit_code, validate_id_number, validate_mobile

SAFE_INTEGER = 2**53 - 1  # beyond it a JavaScript client (the PWA) loses digits and MongoDB's int64 ends soon after


class FieldInvalid(ValueError):
    pass


def _string(field: dict, value: Any) -> str:
    if not isinstance(value, str):
        raise FieldInvalid("请填写文字")
    value = value.strip()
    limit = field.get("max_length")
    if limit and len(value) > limit:
        raise FieldInvalid(f"最多{limit}个字")
    return value


def _number(field: dict, value: Any, integer: bool) -> int | float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (isinstance(value, float) and not math.isfinite(value)):
        raise FieldInvalid("请填写整数" if integer else "请填写数字")  # JSON parsing lets NaN and Infinity through
    if integer and isinstance(value, float) and not value.is_integer():
        raise FieldInvalid("请填写整数")
    value = int(value) if integer else value
    if abs(value) > SAFE_INTEGER:
        raise FieldInvalid("数字过大")
    if field.get("min") is not None and value < field["min"]:
        raise FieldInvalid(f"不能小于{field['min']}")
    if field.get("max") is not None and value > field["max"]:
        raise FieldInvalid(f"不能大于{field['max']}")
    return value


def _date(value: Any) -> str:
    try:
        return dt.date.fromisoformat(value).isoformat()
    except (TypeError, ValueError):
        raise FieldInvalid("请填写有效的日期（年-月-日）") from None


def _checked(check, value: Any) -> str:
    if not isinstance(value, str):
        raise FieldInvalid("请填写文字")
    try:
        return check(value)
    except InvalidNumber as exc:
        raise FieldInvalid(str(exc)) from None


def clean_value(field: dict, value: Any) -> Any:
    """The value in canonical form, or FieldInvalid. None/"" means not filled in."""
    kind = field.get("type", "string")
    if kind in ("string", "address"):
        return _string(field, value)
    if kind in ("integer", "number"):
        return _number(field, value, integer=kind == "integer")
    if kind == "date":
        return _date(value)
    if kind == "boolean":
        if not isinstance(value, bool):
            raise FieldInvalid("请选择是或否")
        return value
    if kind == "choice":
        if value not in (field.get("choices") or []):
            raise FieldInvalid("请从选项中选择")
        return value
    if kind == "id_number":
        return _checked(validate_id_number, value)
    if kind == "phone":
        return _checked(validate_mobile, value)
    if kind == "credit_code":
        return _checked(lambda v: validate_credit_code(v, checksum=False), value)
    raise FieldInvalid(f"unknown field type {kind}")


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
