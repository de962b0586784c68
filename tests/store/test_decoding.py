"""The embedded engine reads documents with msgspec (api/store/sqlite_engine.py `_loads`): it must give
exactly what json.loads gives — the same types, integers of any size, the same floats, the same key order —
and leave to json.loads whatever it refuses."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.store.sqlite_engine import _dumps, _loads

TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)  # no lone surrogates: SQLite stores UTF-8
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | TEXT
)
VALUES = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4), max_leaves=20
)


def identical(a, b) -> bool:
    """== with types: True is not 1, 1 is not 1.0, -0.0 is not 0.0, NaN is NaN, and key order counts."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(identical(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(identical(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        return (a == b and math.copysign(1, a) == math.copysign(1, b)) or (math.isnan(a) and math.isnan(b))
    return a == b


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(TEXT, VALUES, max_size=6))
def test_a_stored_document_reads_back_exactly_as_json_loads_reads_it(document):
    text = _dumps(document)

    assert identical(_loads(text), json.loads(text))


@pytest.mark.parametrize(
    "text",
    [
        '{"n":18446744073709551616}',  # one past uint64: orjson would give a float
        '{"n":-9223372036854775809}',
        '{"n":19933688932870350000}',  # a 65-bit integer msgspec once misread (msgspec#701)
        '{"n":123456789012345678901234567890}',
        '{"x":1.0,"y":-0.0,"z":5e-324,"w":1.7976931348623157e308}',
        '{"a":1,"a":2}',  # the last of a repeated key wins, as in json.loads
        '{"nan":NaN,"big":1e400,"s":"\\ud800"}',  # refused by msgspec: read by json.loads
    ],
)
def test_what_msgspec_reads_differently_or_refuses_still_reads_as_json_loads_reads_it(text):
    assert identical(_loads(text), json.loads(text))


def test_a_text_that_is_not_json_raises_as_json_loads_does():
    with pytest.raises(json.JSONDecodeError):
        _loads('{"a":')
