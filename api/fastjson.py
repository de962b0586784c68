"""JSON response text by msgspec, exactly as Flask's json.dumps would write it, or not at all.

`encode(obj)` returns (as UTF-8) the text `json.dumps(obj, ensure_ascii=False, sort_keys=False,
separators=(",", ":"))` gives (what `StrictJSONProvider.dumps` is asked for by every `jsonify` out of
debug mode), written by msgspec at a fifth of the cost, or None when msgspec might write it otherwise;
the provider then takes the stdlib path. msgspec writes a value differently from json.dumps when it is:

- a float outside 1e-4 <= |x| < 1e16 (other than zero): json.dumps writes `repr` (1e+16, 1e-05),
  msgspec 1e16 and 0.00001; NaN and ±Infinity become null instead of NaN / Infinity;
- a type msgspec knows and json.dumps leaves to Flask's `default` or refuses: date and datetime (an HTTP
  date through `default`, ISO 8601 by msgspec, which never calls a hook for them), time, timedelta,
  Enum, bytes, set, dataclasses, msgspec Structs (UUID and Decimal come out alike, an int dict key too,
  but no response holds them: they are left to the stdlib with the rest);
- a subclass of str, int or float (msgspec refuses them; json.dumps writes their base value, an IntEnum
  as its number), a dict key other than str (json.dumps writes True as "true", None as "null", a float
  key by repr), a string holding a lone surrogate (msgspec refuses to encode it).

Hence the one rule, checked by `_plain` before msgspec runs: only exact dict (str keys), list, tuple,
str, int (any size: msgspec writes big integers alike), bool, None and floats inside the range above
(zero and -0.0 included) take the fast path; anything else, and any error of msgspec, falls back.
Our responses are the compiled dumps of api/fastdump.py: plain values, a few floats (field limits,
a share) all inside the range, so every ordinary response takes the fast path.

The safety net: with FASTDUMP_CHECK (api/config.py; on in every TESTING app) every text written here is
also written by json.dumps and FastJsonMismatch is raised where they differ, so the whole test suite
proves the two equal on every response it sees (tests/api/test_fastjson.py adds generated values).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

# what Flask's JSONProvider.response passes to dumps out of debug mode: the only call we write ourselves
COMPACT = {"separators": (",", ":")}
# json.dumps writes a float as repr(); repr switches to an exponent outside this range, msgspec differently
FLOAT_LOW = 1e-4
FLOAT_HIGH = 1e16
_LEAVES = frozenset((str, int, bool, type(None)))
_encode = msgspec.json.Encoder().encode


class FastJsonMismatch(AssertionError):
    """msgspec's text and json.dumps' disagree (raised only under FASTDUMP_CHECK)."""


def _plain(value: Any) -> bool:
    """Whether msgspec writes `value` exactly as json.dumps does: the types and floats named above."""
    kind = type(value)
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str or not (type(item) in _LEAVES or _plain(item)):
                return False
        return True
    if kind is list or kind is tuple:
        for item in value:
            if not (type(item) in _LEAVES or _plain(item)):
                return False
        return True
    if kind is float:
        return FLOAT_LOW <= abs(value) < FLOAT_HIGH or value == 0.0  # False for NaN and ±Infinity
    return kind in _LEAVES


def encode(obj: Any) -> bytes | None:
    """json.dumps' compact text of `obj` (ensure_ascii and sort_keys off) as UTF-8, written by msgspec, or
    None when the stdlib must write it: a value outside `_plain`, nesting past the recursion limit (a cycle
    too), or any error of msgspec's (a lone surrogate). json.dumps then gives its text or its error."""
    try:
        return _encode(obj) if _plain(obj) else None
    except Exception:  # noqa: BLE001 - whatever msgspec refuses, the stdlib decides
        return None


def checked(data: bytes, stdlib: Callable[[], str]) -> bytes:
    """`data` when json.dumps (`stdlib()`) gives the same text, else FastJsonMismatch naming where they part."""
    text = data.decode()
    try:
        expected = stdlib()
    except Exception as error:  # noqa: BLE001 - msgspec wrote a text where json.dumps fails
        raise FastJsonMismatch(f"json.dumps raised {type(error).__name__}: {error}; msgspec wrote {text[:200]!r}") from error
    if text != expected:
        at = next((i for i, (a, b) in enumerate(zip(text, expected, strict=False)) if a != b), min(len(text), len(expected)))
        start = max(at - 40, 0)
        raise FastJsonMismatch(
            f"msgspec and json.dumps differ at character {at}: {text[start : at + 40]!r} != {expected[start : at + 40]!r}"
        )
    return data
