"""The platform's rules for the values of a subscription message's data fields (订阅消息参数值内容限制).

A field key is its type followed by a number (`thing1`, `character_string3`); the type sets what the
value may hold. The sandbox refuses a message whose field breaks its rule with errcode 47003, as the
platform does ("argument invalid! data.thing1.value invalid").
"""

from __future__ import annotations

import re

_HAN = r"\u4e00-\u9fff"
_KEY = re.compile(r"^([a-z_]+?)(\d+)$")


def _han_count(value: str) -> int:
    return len(re.findall(f"[{_HAN}]", value))


def _name(value: str) -> bool:
    return len(value) <= 10 if _han_count(value) else len(value) <= 20


RULES = {
    "thing": lambda v: len(v) <= 20,  # 20 characters of any kind
    "number": lambda v: len(v) <= 32 and re.fullmatch(r"\d+(\.\d+)?", v) is not None,
    "letter": lambda v: len(v) <= 32 and re.fullmatch(r"[A-Za-z]+", v) is not None,
    "symbol": lambda v: len(v) <= 5 and re.fullmatch(r"[^\w\s]+", v) is not None,
    "character_string": lambda v: len(v) <= 32 and re.fullmatch(r"[\x21-\x7e]+", v) is not None,
    "time": lambda v: len(v) <= 64 and re.search(r"\d{1,2}:\d{2}", v) is not None,
    "date": lambda v: len(v) <= 64 and re.search(r"\d{4}", v) is not None,
    "amount": lambda v: re.fullmatch(r"[¥￥$]?\d{1,10}(\.\d{1,2})?元?", v) is not None,
    "phone_number": lambda v: len(v) <= 17 and re.fullmatch(r"[0-9+\-() ]+", v) is not None,
    "car_number": lambda v: len(v) <= 8,
    "name": _name,
    "phrase": lambda v: len(v) <= 5 and re.fullmatch(f"[{_HAN}]+", v) is not None,
}


def invalid_field(data) -> str | None:
    """The first field of `data` that breaks the platform's rules ("data.thing1.value"), or None."""
    if not isinstance(data, dict) or not data:
        return "data"
    for key, entry in data.items():
        match = _KEY.match(str(key))
        rule = RULES.get(match.group(1)) if match else None
        value = entry.get("value") if isinstance(entry, dict) else None
        if rule is None or not isinstance(value, str) or not value.strip() or not rule(value):
            return f"data.{key}.value"
    return None
