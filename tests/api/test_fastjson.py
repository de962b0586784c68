"""JSON responses written by msgspec (api/fastjson.py) are byte for byte Flask's json.dumps text."""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import enum
import json
import uuid

import pytest
from flask import Flask
from flask.json.provider import DefaultJSONProvider, _default
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from api import fastjson
from api.catalog.service import load_catalog
from api.http_hardening import init_http_hardening

COMPACT = {"separators": (",", ":")}


def flask_text(value, **kwargs):
    """What Flask's DefaultJSONProvider.dumps gives with our settings (ensure_ascii and sort_keys off)."""
    return json.dumps(value, **{"default": _default, "ensure_ascii": False, "sort_keys": False, **kwargs})


@pytest.fixture(scope="module")
def bare_app():
    """A bare app with our provider and no check: what is compared is the fast text itself."""
    app = Flask(__name__)
    init_http_hardening(app)
    return app


def assert_flask_text(app, value, **kwargs):
    """The provider's dumps and response body equal json.dumps' text, or both raise the same error."""
    try:
        expected = flask_text(value, **kwargs)
    except Exception as error:  # noqa: BLE001 - the provider must fail alike
        with pytest.raises(type(error)):
            app.json.dumps(value, **kwargs)
        return
    assert app.json.dumps(value, **kwargs) == expected
    if kwargs == COMPACT:
        with app.app_context():
            body = app.json.response(value).get_data()
        assert body == f"{expected}\n".encode()


# --- generated values --------------------------------------------------------------------------------

ODD_CHARACTERS = "\x00\x08\x09\x0a\x0c\x0d\x1b\x1f\x7f\x80\x85\x9f\u00a0\u200b\u200e\u200f\u2028\u2029\u202e\u2066\ufeff\uffff"
texts = st.text(st.characters(blacklist_categories=("Cs",))) | st.text(
    st.sampled_from(ODD_CHARACTERS + '"\\/aé中文😀\U0010ffff'), max_size=12
)
# floats of every kind, the two ends of the range msgspec writes as repr does, and their neighbours
EDGE_FLOATS = [1e16, 9999999999999998.0, 1e-4, 9.999999999999999e-05, -0.0, 5e-324, 2.0**63, 1e308, 0.1, 100.0]
floats = st.floats() | st.sampled_from(EDGE_FLOATS).flatmap(lambda x: st.sampled_from([x, -x]))
integers = st.integers() | st.integers(min_value=-(2**200), max_value=2**200)
leaves = st.none() | st.booleans() | integers | floats | texts
keys = texts | st.integers() | st.floats() | st.booleans() | st.none()


def containers(keys):
    return lambda inner: (
        st.lists(inner, max_size=5) | st.lists(inner, max_size=5).map(tuple) | st.dictionaries(keys, inner, max_size=5)
    )


values = st.recursive(leaves, containers(keys), max_leaves=30)
# what our responses hold: str keys, and floats in the range where msgspec writes repr's text
in_range = st.floats(min_value=fastjson.FLOAT_LOW, max_value=fastjson.FLOAT_HIGH, exclude_max=True)
plain_leaves = st.none() | st.booleans() | integers | texts | in_range | in_range.map(lambda x: -x) | st.just(0.0)
plain_values = st.recursive(plain_leaves, containers(texts), max_leaves=30)
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@FAST
@given(value=values)
def test_any_json_like_value_is_written_exactly_as_flask_writes_it(bare_app, value):
    assert_flask_text(bare_app, value, **COMPACT)


@FAST
@given(value=plain_values)
def test_values_like_our_responses_take_the_msgspec_path_and_give_flasks_text(bare_app, value):
    assert fastjson.encode(value) is not None
    assert_flask_text(bare_app, value, **COMPACT)


# --- every difference found: each falls back and is still Flask's text --------------------------------


class Text(str):
    pass


class Number(int):
    pass


class Real(float):
    pass


class Colour(enum.Enum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3


class Kind(enum.StrEnum):
    PERSON = "person"


@dataclasses.dataclass
class Point:
    x: int
    when: dt.date


def _cycle():
    items = []
    items.append(items)
    return items


def _deep(levels):
    value = []
    for _ in range(levels):
        value = [value]
    return value


DIFFERENCES = {
    "float with a positive exponent": 1e16,
    "float near the maximum": 1.7976931348623157e308,
    "float from a large integer": float(2**63),
    "float just below 1e-4": 9.999999999999999e-05,
    "float 1e-5": 1e-05,
    "float 1e-7": 1e-07,
    "smallest subnormal float": 5e-324,
    "NaN": float("nan"),
    "Infinity": float("inf"),
    "-Infinity": float("-inf"),
    "a true key": {True: 1},
    "a None key": {None: 1},
    "an integer key": {1: "a"},
    "a float key": {1e16: "a"},
    "a str subclass": Text("文本"),
    "markup": Markup("<b>粗</b>"),
    "an int subclass": Number(5),
    "a float subclass": Real(1.5),
    "an enum": Colour.RED,
    "an int enum": Level.HIGH,
    "a str enum": Kind.PERSON,
    "a set": {"a"},
    "a frozenset": frozenset({1}),
    "bytes": b"ab",
    "a bytearray": bytearray(b"ab"),
    "a date": dt.date(2026, 11, 30),
    "a datetime": dt.datetime(2026, 11, 30, 9, 30, tzinfo=dt.UTC),
    "a naive datetime": dt.datetime(2026, 11, 30, 9, 30),
    "a time": dt.time(9, 30),
    "a timedelta": dt.timedelta(days=1),
    "a uuid": uuid.UUID(int=7),
    "a decimal": decimal.Decimal("1.50"),
    "a dataclass": Point(1, dt.date(2026, 1, 2)),
    "a lone surrogate": "a\ud800b",
    "a cycle": _cycle(),
    "nesting past the recursion limit": _deep(5000),
}


@pytest.mark.parametrize("value", [{"inner": [value]} for value in DIFFERENCES.values()], ids=list(DIFFERENCES))
def test_each_value_msgspec_writes_differently_falls_back_to_flasks_text(bare_app, value):
    assert fastjson.encode(value) is None
    try:
        expected = flask_text(value, **COMPACT)
    except Exception as error:  # noqa: BLE001 - the provider must fail alike
        with pytest.raises(type(error)):
            bare_app.json.dumps(value, **COMPACT)
        return
    assert bare_app.json.dumps(value, **COMPACT) == expected


@pytest.mark.parametrize("value", [0.0, -0.0, 1e-4, -1e-4, 9999999999999998.0, 0.455, 100000000.0, 2**64, -(2**100)])
def test_the_ends_of_the_float_range_and_big_integers_take_the_msgspec_path(bare_app, value):
    assert fastjson.encode([value]) is not None
    assert_flask_text(bare_app, [value], **COMPACT)


@pytest.mark.parametrize(
    "kwargs", [{}, {"indent": 2}, {"sort_keys": True}, {"separators": (",", ":"), "sort_keys": True}, {"separators": [",", ":"]}]
)
def test_any_other_keyword_is_json_dumps_own_text(bare_app, kwargs):
    value = {"b": [1, 2.5, "中"], "a": None}
    assert bare_app.json.dumps(value, **kwargs) == flask_text(value, **kwargs)


def test_a_provider_asked_for_ascii_or_sorted_keys_writes_json_dumps_text():
    app = Flask(__name__)
    init_http_hardening(app)
    app.json.ensure_ascii = True
    app.json.sort_keys = True
    value = {"b": "中文", "a": 1}
    assert app.json.dumps(value, **COMPACT) == '{"a":1,"b":"\\u4e2d\\u6587"}'


def test_a_debug_app_still_answers_indented_json():
    app = Flask(__name__)
    init_http_hardening(app)
    app.debug = True
    with app.app_context():
        assert app.json.response({"a": [1]}).get_data() == b'{\n  "a": [\n    1\n  ]\n}\n'


# --- the fast path is taken, and the check catches a wrong text --------------------------------------


@pytest.fixture
def compact_stdlib_calls(monkeypatch):
    """The values Flask's own dumps (the stdlib path) is asked to write compactly, as for a response body
    (flask-smorest's ETag asks for sorted keys: that one is json.dumps' by design)."""
    calls = []
    original = DefaultJSONProvider.dumps

    def dumps(self, obj, **kwargs):
        if kwargs == COMPACT:
            calls.append(obj)
        return original(self, obj, **kwargs)

    monkeypatch.setattr(DefaultJSONProvider, "dumps", dumps)
    return calls


def test_ordinary_responses_are_written_without_json_dumps(app, client, store, compact_stdlib_calls):
    app.config["FASTDUMP_CHECK"] = False
    load_catalog(store)
    items = client.get("/api/v1/catalog/items")
    item = client.get("/api/v1/catalog/items/430200-SCJG-003")
    missing = client.get("/api/v1/catalog/items/no-such-item")
    assert (items.status_code, item.status_code, missing.status_code) == (200, 200, 404)
    assert any(isinstance(field.get("max"), float) for field in item.get_json()["fields"])  # floats included
    assert compact_stdlib_calls == []
    for response in (items, item, missing):
        assert response.get_data(as_text=True) == flask_text(response.get_json(), **COMPACT) + "\n"


def test_the_check_raises_when_msgspec_writes_another_text(app, client, monkeypatch):
    monkeypatch.setattr(fastjson, "_encode", lambda obj: b'{"status":"wrong"}')
    with pytest.raises(fastjson.FastJsonMismatch, match="differ at character"):
        client.get("/api/v1/health")
    app.config["FASTDUMP_CHECK"] = False
    assert client.get("/api/v1/health").get_json() == {"status": "wrong"}  # unchecked, the fast text is what is sent


def test_the_check_raises_when_json_dumps_fails_where_msgspec_wrote_a_text():
    with pytest.raises(fastjson.FastJsonMismatch, match="json.dumps raised TypeError"):
        fastjson.checked(b'"YWI="', lambda: flask_text(b"ab"))
    assert fastjson.checked(b'{"a":1}', lambda: '{"a":1}') == b'{"a":1}'
