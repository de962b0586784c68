"""The compiled response dump (api/fastdump.py) gives exactly what marshmallow's Schema.dump gives."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections import defaultdict
from types import SimpleNamespace

import pytest
from flask import Flask
from flask.views import MethodView
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import Schema, fields, missing, post_dump, pre_dump

from api import fastdump
from api.applications.schemas import ApplicationSchema, ApplicationSummarySchema
from api.blueprint import Blueprint
from api.catalog.schemas import BundleSchema, ItemSummarySchema
from api.config import load_config
from api.errors import OneTripApi, register_error_handlers
from api.vault.schemas import VaultSchema

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def assert_same(schema, obj, *, compiled=True):
    """The fast dump equals marshmallow's, types and key order included (or both raise the same error)."""
    dump = fastdump.dumper(schema)
    assert (dump.fallback is None) is compiled, dump.fallback
    try:
        expected = schema.dump(obj)
    except Exception as error:  # noqa: BLE001 - the fast dump must fail alike
        with pytest.raises(type(error)):
            dump(obj)
        return None
    got = dump(obj)
    assert fastdump.first_difference(got, expected) is None, (got, expected)
    return got


def make_schema(**declared):
    return Schema.from_dict(declared)()


# --- field types -------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["文本", "", None, 5, 2.5, b"bytes", True, ["a"]])
def test_a_string_field_turns_any_value_into_text_and_keeps_none(value):
    assert_same(make_schema(s=fields.String()), {"s": value})


@pytest.mark.parametrize("value", [3, -7, 3.9, "12", True, None, 2**70, "x"])
def test_an_integer_field_converts_like_int_and_keeps_none(value):
    assert_same(make_schema(n=fields.Integer()), {"n": value})
    assert_same(make_schema(n=fields.Integer(as_string=True)), {"n": value})


@pytest.mark.parametrize("value", [2, 2.5, "1.25", None, float("inf"), True])
def test_a_float_field_converts_like_float_and_keeps_none(value):
    assert_same(make_schema(f=fields.Float()), {"f": value})
    assert_same(make_schema(f=fields.Float(as_string=True)), {"f": value})


@pytest.mark.parametrize("value", [True, False, None, "yes", 0, {"a": [1]}])
def test_booleans_and_raw_values_pass_through_as_they_are(value):
    got = assert_same(make_schema(b=fields.Boolean(), r=fields.Raw(), f=fields.Field()), {"b": value, "r": value, "f": value})
    assert got == {"b": value, "r": value, "f": value}


def test_a_uuid_field_gives_its_text():
    assert_same(make_schema(u=fields.UUID()), {"u": uuid.UUID(int=7)})
    assert_same(make_schema(u=fields.UUID()), {"u": None})


@pytest.mark.parametrize(
    "moment",
    [
        dt.datetime(2026, 11, 30, 6, 5, 4, 123456, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 30, 14, 5, 4, tzinfo=SHANGHAI),
        dt.datetime(2026, 11, 30, 6, 5, 4),
        None,
    ],
)
@pytest.mark.parametrize("data_format", [None, "iso", "rfc", "timestamp", "timestamp_ms", "%Y年%m月%d日 %H:%M"])
def test_datetimes_with_and_without_a_timezone_are_formatted_as_the_field_says(moment, data_format):
    if data_format and data_format.startswith("timestamp") and moment is not None and moment.tzinfo is None:
        data_format = "iso"  # marshmallow refuses naive timestamps; that refusal is checked below
    schema = make_schema(at=fields.DateTime(format=data_format), aware=fields.AwareDateTime(format=data_format))
    assert_same(schema, {"at": moment, "aware": moment})


def test_dates_times_and_the_schemas_own_datetime_format_are_respected():
    class Dated(Schema):
        class Meta:
            datetimeformat = "%d/%m/%Y"

        on = fields.Date()
        on_text = fields.Date(format="%Y%m%d")
        at = fields.DateTime()
        clock = fields.Time()

    moment = dt.datetime(2026, 1, 2, 3, 4, 5)
    got = assert_same(Dated(), {"on": moment.date(), "on_text": moment.date(), "at": moment, "clock": moment.time()})
    assert got["at"] == "02/01/2026"


def test_a_naive_datetime_as_a_timestamp_fails_alike():
    assert_same(make_schema(at=fields.DateTime(format="timestamp")), {"at": dt.datetime(2026, 1, 1)})


def test_a_datetime_field_given_text_fails_alike():
    assert_same(make_schema(at=fields.DateTime()), {"at": "2026-01-01T00:00:00Z"})


def test_lists_serialise_each_item_and_keep_none():
    schema = make_schema(names=fields.List(fields.String()), counts=fields.List(fields.List(fields.Integer())))
    assert_same(schema, {"names": ["a", 1, None], "counts": [[1, "2"], [], None]})
    assert_same(schema, {"names": None, "counts": None})
    assert_same(schema, {"names": ("t", "u"), "counts": []})


def test_dicts_copy_or_serialise_their_keys_and_values():
    schema = make_schema(
        plain=fields.Dict(),
        typed=fields.Dict(keys=fields.String(), values=fields.Integer()),
        keyed=fields.Dict(keys=fields.String()),
        valued=fields.Dict(values=fields.List(fields.String())),
    )
    got = assert_same(schema, {"plain": {"a": [1]}, "typed": {1: "2", "b": 3.5}, "keyed": {2: "x"}, "valued": {"k": [1, 2]}})
    assert got["typed"] == {"1": 2, "b": 3}
    assert_same(schema, {"plain": None, "typed": None, "keyed": None, "valued": None})
    assert_same(schema, {"plain": [("pairs", 1)]})


# --- nesting ---------------------------------------------------------------------------------------


class ChildSchema(Schema):
    name = fields.String()
    age = fields.Integer()
    secret = fields.String(load_only=True)


class ParentSchema(Schema):
    one = fields.Nested(ChildSchema, allow_none=True)
    many = fields.Nested(ChildSchema, many=True)
    listed = fields.List(fields.Nested(ChildSchema))
    only_name = fields.Nested(ChildSchema, only=("name",))
    no_age = fields.List(fields.Nested(ChildSchema, exclude=("age",)))
    instance = fields.Nested(ChildSchema(many=True, only=("age",)))
    by_name = fields.Nested("ChildSchema")
    by_callable = fields.Nested(lambda: ChildSchema(exclude=("name",)))
    dict_of = fields.Dict(keys=fields.String(), values=fields.Nested(ChildSchema))


CHILD = {"name": "李娜", "age": "31", "secret": "x", "extra": 1}


def test_nested_schemas_single_many_listed_and_narrowed_dump_like_marshmallow():
    parent = {key: CHILD for key in ("one", "only_name", "by_name", "by_callable")}
    parent |= {"many": [CHILD, {}], "listed": [CHILD], "no_age": [CHILD], "instance": [CHILD], "dict_of": {"k": CHILD}}
    got = assert_same(ParentSchema(), parent)
    assert got["one"] == {"name": "李娜", "age": 31}
    assert got["only_name"] == {"name": "李娜"}


def test_a_none_nested_value_stays_none_and_a_missing_one_is_left_out():
    got = assert_same(ParentSchema(), {"one": None, "many": None, "listed": None})
    assert got == {"one": None, "many": None, "listed": None}


def test_a_schema_with_many_dumps_each_object_and_none_like_marshmallow():
    assert_same(ChildSchema(many=True), [CHILD, {"name": None}])
    assert_same(ChildSchema(many=True), None)
    assert_same(ChildSchema(many=True), ())


def test_a_schema_nesting_itself_is_dumped_by_marshmallow_below_the_first_level():
    class TreeSchema(Schema):
        label = fields.String()
        children = fields.List(fields.Nested(lambda: TreeSchema()))

    assert_same(TreeSchema(), {"label": "root", "children": [{"label": "a", "children": [{"label": "b", "children": []}]}]})


def test_pluck_takes_one_field_of_the_nested_schema():
    schema = make_schema(first=fields.Pluck(ChildSchema, "name"), all=fields.Pluck(ChildSchema, "age", many=True))
    got = assert_same(schema, {"first": CHILD, "all": [CHILD, {"age": 2}]})
    assert got == {"first": "李娜", "all": [31, 2]}
    assert_same(schema, {"first": None, "all": None})


# --- where values come from and where they go ----------------------------------------------------------


def test_data_key_renames_and_attribute_reads_another_key_including_a_dotted_path():
    schema = make_schema(
        id=fields.String(attribute="_id"),
        to_state=fields.String(attribute="to", data_key="to"),
        city=fields.String(attribute="address.city"),
    )
    got = assert_same(schema, {"_id": "a1", "to": "done", "address": {"city": "株洲"}})
    assert got == {"id": "a1", "to": "done", "city": "株洲"}
    assert_same(schema, {"address": None})


def test_missing_keys_are_left_out_and_dump_defaults_fill_them():
    schema = make_schema(
        name=fields.String(),
        kind=fields.String(dump_default="个人"),
        tags=fields.List(fields.String(), dump_default=list),
        count=fields.Integer(dump_default="4"),
    )
    assert assert_same(schema, {}) == {"kind": "个人", "tags": [], "count": 4}
    assert assert_same(schema, {"name": None, "kind": None}) == {"name": None, "kind": None, "tags": [], "count": 4}


def test_a_key_named_like_a_dict_method_is_read_as_marshmallow_reads_it():
    schema = make_schema(items=fields.List(fields.String()), keys=fields.Raw(), values=fields.String())
    assert_same(schema, {"items": ["a"], "keys": 1, "values": "v"})
    assert_same(schema, {"keys": 1, "values": "v"})  # marshmallow finds dict.items and fails to list it
    assert_same(make_schema(values=fields.String()), {})


def test_objects_other_than_plain_dicts_are_read_through_marshmallows_accessor():
    schema = make_schema(name=fields.String(), age=fields.Integer(), missing=fields.String())
    assert_same(schema, SimpleNamespace(name="王", age=3))
    assert_same(schema, defaultdict(lambda: "默认", {"name": "王"}))
    assert_same(schema, None)


class FrozenDict(dict):
    __slots__ = ()

    def label(self):
        return "a method, not a key"


class ShoutingDict(dict):
    def __getitem__(self, key):
        return str(super().__getitem__(key)).upper()


def test_dict_subclasses_are_read_as_marshmallow_reads_them():
    schema = make_schema(name=fields.String(), label=fields.String(), nested=fields.Nested(ChildSchema))
    assert_same(schema, FrozenDict(name="王", nested=FrozenDict(name="李", age=3)))  # no label key: the method's text
    assert assert_same(schema, ShoutingDict(name="wang", label="x")) == {"name": "WANG", "label": "X"}


def test_method_function_and_constant_fields_are_computed_from_the_whole_object():
    class Computed(Schema):
        label = fields.Method("make_label")
        skipped = fields.Method("left_out")
        doubled = fields.Function(lambda obj: obj["n"] * 2)
        kind = fields.Constant("固定")
        nothing = fields.Constant(None)

        def make_label(self, obj):
            return f"#{obj['n']}"

        def left_out(self, obj):
            return missing

    assert assert_same(Computed(), {"n": 2}) == {"label": "#2", "doubled": 4, "kind": "固定", "nothing": None}


def test_pre_and_post_dump_hooks_run_as_marshmallow_runs_them():
    class Hooked(Schema):
        name = fields.String()
        size = fields.Integer()

        @pre_dump
        def _upper(self, obj, **kwargs):
            return {**obj, "name": obj["name"].upper()}

        @post_dump
        def _mark(self, data, **kwargs):
            return {**data, "marked": True}

        @post_dump(pass_collection=True)
        def _envelope(self, data, many, **kwargs):
            return {"items": data} if many else data

        @post_dump(pass_original=True)
        def _original(self, data, original, **kwargs):
            return {**data, "had": sorted(original)}

    assert_same(Hooked(), {"name": "a", "size": "3"})
    assert_same(Hooked(many=True), [{"name": "a", "size": 1}, {"name": "b"}])


# --- what is not compiled ----------------------------------------------------------------------------


class TitleCase(fields.String):
    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else str(value).title()


def test_a_field_with_its_own_serialisation_makes_its_schema_fall_back_to_marshmallow():
    schema = make_schema(price=fields.Decimal(places=2), title=TitleCase())
    assert_same(schema, {"price": decimal.Decimal("1.005"), "title": "one trip"}, compiled=False)
    assert "Decimal" in fastdump.dumper(schema).fallback


def test_a_subclass_that_changes_nothing_is_compiled():
    class Phone(fields.String):
        pass

    assert_same(
        make_schema(phone=Phone(), email=fields.Email(), url=fields.Url()), {"phone": 138, "email": "a@b.cn", "url": None}
    )


def test_a_schema_overriding_its_accessor_falls_back_but_its_parent_does_not():
    class Upper(Schema):
        name = fields.String()

        def get_attribute(self, obj, attr, default):
            return str(obj.get(attr, "")).upper()

    parent = make_schema(inner=fields.Nested(Upper), plain=fields.String())
    assert_same(parent, {"inner": {"name": "abc"}, "plain": "p"})
    assert fastdump.dumper(Upper()).fallback


def test_the_cache_of_compiled_dumps_is_bounded(monkeypatch):
    monkeypatch.setattr(fastdump, "_CACHE_LIMIT", 5)
    kept = [ParentSchema() for _ in range(4)]  # each compiles its nested schemas too
    for schema in kept:
        assert_same(schema, {"one": CHILD, "listed": [CHILD]})
    assert len(fastdump._CACHE) <= 5


def test_the_check_walks_a_generator_given_to_a_many_schema_once_for_each_dump():
    assert fastdump.checked_dumper(ChildSchema(many=True))(iter([CHILD])) == [{"name": "李娜", "age": 31}]


def test_two_instances_of_a_schema_share_code_but_each_keeps_its_own_fields():
    class Labelled(Schema):
        label = fields.Method("make_label")
        at = fields.DateTime()

        def __init__(self, prefix, **kwargs):
            super().__init__(**kwargs)
            self.prefix = prefix

        def make_label(self, obj):
            return self.prefix + obj["name"]

    first, second = Labelled("甲"), Labelled("乙")
    second.fields["at"].format = "%Y"  # what marshmallow reads at dump time is what was compiled
    moment = dt.datetime(2026, 1, 2)
    assert assert_same(first, {"name": "a", "at": moment}) == {"label": "甲a", "at": "2026-01-02T00:00:00"}
    assert assert_same(second, {"name": "a", "at": moment}) == {"label": "乙a", "at": "2026"}
    assert fastdump.dumper(first).__code__ is fastdump.dumper(second).__code__


def test_a_compiled_dump_is_made_once_per_schema_and_many():
    schema = ChildSchema()
    assert fastdump.dumper(schema) is fastdump.dumper(schema)
    assert fastdump.dumper(schema, many=True) is not fastdump.dumper(schema)


# --- the safety net ----------------------------------------------------------------------------------


def test_first_difference_counts_types_and_key_order():
    assert fastdump.first_difference({"a": [1, {"b": 1.0}]}, {"a": [1, {"b": 1.0}]}) is None
    assert fastdump.first_difference({"a": [1, {"b": 1}]}, {"a": [1, {"b": 1.0}]}) == "$.a[1].b (int != float)"
    assert fastdump.first_difference({"a": True}, {"a": 1}) == "$.a (bool != int)"
    assert fastdump.first_difference({"a": 1, "b": 2}, {"b": 2, "a": 1}).startswith("$ (keys")
    assert fastdump.first_difference([1], [1, 2]) == "$ (length 1 != 2)"
    assert fastdump.first_difference({"name": "李娜"}, {"name": "李四"}) == "$.name (values differ)"  # never the values
    assert fastdump.first_difference(float("nan"), float("nan")) is None


def test_the_check_names_the_schema_and_the_first_differing_path():
    check = fastdump.checked_dumper(ChildSchema(), lambda obj: {"name": "李娜", "age": "31"})
    with pytest.raises(fastdump.FastDumpMismatch, match=r"ChildSchema: .* at \$\.age \(str != int\)"):
        check(CHILD)


def test_the_check_fails_when_only_one_of_the_two_dumps_raises():
    def broken(obj):
        raise KeyError("x")

    with pytest.raises(fastdump.FastDumpMismatch, match="the fast dump raised"):
        fastdump.checked_dumper(ChildSchema(), broken)(CHILD)
    with pytest.raises(fastdump.FastDumpMismatch, match="marshmallow raised"):
        fastdump.checked_dumper(make_schema(at=fields.DateTime()), lambda obj: {})({"at": "text"})


def test_the_check_is_off_by_default_and_on_in_every_testing_app():
    assert load_config(environ={})["FASTDUMP_CHECK"] is False
    assert load_config({"TESTING": True}, environ={})["FASTDUMP_CHECK"] is True
    assert load_config({"TESTING": True, "FASTDUMP_CHECK": False}, environ={})["FASTDUMP_CHECK"] is False
    assert load_config(environ={"ONETRIP_FASTDUMP_CHECK": "1"})["FASTDUMP_CHECK"] is True


class GreetingSchema(Schema):
    text = fields.String()
    count = fields.Integer()


def _greeting_app(check: bool, broken: bool) -> Flask:
    """A one-view app on our Blueprint; `broken` plants a wrong compiled dump for its schema."""
    schema = GreetingSchema()
    if broken:
        fastdump._CACHE[schema] = {False: lambda obj: {"text": "wrong"}}
    blp = Blueprint("greeting", __name__, url_prefix="/api/v1/greeting")

    @blp.route("")
    class Greeting(MethodView):
        @blp.response(200, schema)
        def get(self):
            return {"text": "你好", "count": "2"}, 201, {"X-Extra": "1"}

    app = Flask(__name__)
    app.config.update(load_config({"TESTING": True, "FASTDUMP_CHECK": check, "PROPAGATE_EXCEPTIONS": False}))
    app.config.update(API_TITLE="t", API_VERSION="v1", OPENAPI_VERSION="3.1.0")
    register_error_handlers(app)
    OneTripApi(app).register_blueprint(blp)
    return app


def test_responses_are_served_by_the_compiled_dump_with_the_views_status_and_headers():
    response = _greeting_app(check=True, broken=False).test_client().get("/api/v1/greeting")
    assert (response.status_code, response.get_json(), response.headers["X-Extra"]) == (201, {"text": "你好", "count": 2}, "1")
    served = _greeting_app(check=False, broken=True).test_client().get("/api/v1/greeting")
    assert served.get_json() == {"text": "wrong"}  # what the compiled dump gave is what was sent


def test_the_dump_is_compiled_at_the_first_response_so_a_schema_named_later_is_found():
    schema = make_schema(child=fields.Nested("LateChildSchema"))
    app = Flask(__name__)
    view = fastdump.response_view(lambda: {"child": {"name": 1}}, 200, schema, lambda data: data)

    class LateChildSchema(Schema):
        name = fields.String()

    with app.test_request_context():
        assert view().get_json() == {"child": {"name": "1"}}
    assert fastdump.dumper(schema).fallback is None


def test_a_view_building_its_own_response_dumps_through_the_same_check():
    schema = GreetingSchema()
    fastdump._CACHE[schema] = {False: lambda obj: {"text": "wrong"}}
    app = Flask(__name__)
    with app.app_context():
        assert fastdump.dump(schema, {"text": "a"}) == {"text": "wrong"}
        app.config["FASTDUMP_CHECK"] = True
        with pytest.raises(fastdump.FastDumpMismatch, match="GreetingSchema"):
            fastdump.dump(schema, {"text": "a"})
        assert fastdump.dump(GreetingSchema(), {"text": "a", "count": 1.5}) == {"text": "a", "count": 1}


def test_a_wrong_compiled_dump_is_a_500_when_the_check_is_on():
    response = _greeting_app(check=True, broken=True).test_client().get("/api/v1/greeting")
    assert response.status_code == 500


def _response_schemas(app) -> list[Schema]:
    """The schemas of every documented response of the app's views."""
    views = []
    for view in app.view_functions.values():
        view_class = getattr(view, "view_class", None)
        views += [getattr(view_class, name.lower()) for name in view_class.methods] if view_class else [view]
    documented = [getattr(view, "_apidoc", {}).get("response", {}).get("responses", {}) for view in views]
    answers = [answer for responses in documented for answers in responses.values() for answer in answers]
    return [answer["schema"] for answer in answers if isinstance(answer, dict) and isinstance(answer.get("schema"), Schema)]


def test_every_response_schema_of_the_api_is_compiled(app):
    schemas = _response_schemas(app)
    assert len(schemas) > 100
    for schema in schemas:
        fastdump.dumper(schema)  # and every schema nested in it
    packages = ("api.", "auth.", "payments.", "notifications.", "wechat.", "flask_smorest.")
    ours = [(schema, kept) for schema, kept in list(fastdump._CACHE.items()) if type(schema).__module__.startswith(packages)]
    fallbacks = {type(schema).__name__: dump.fallback for schema, kept in ours for dump in kept.values()}
    assert len(ours) > 300
    assert {name: reason for name, reason in fallbacks.items() if reason} == {}


# --- generated objects through real schemas -------------------------------------------------------------

SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5)
JSON = SCALARS | st.lists(SCALARS, max_size=3) | st.dictionaries(st.text(max_size=3), SCALARS | st.lists(SCALARS), max_size=3)


def _values(field, depth=0):
    """Values a stored document may hold for this field: right types, None, and the wrong types too."""
    if isinstance(field, fields.Nested):
        objects = _documents(field.schema, depth + 1)
        return st.none() | (st.lists(objects, max_size=3) if field.schema.many or field.many else objects)
    if isinstance(field, fields.List):
        return st.none() | st.lists(_values(field.inner, depth), max_size=3)
    if isinstance(field, fields.Dict):
        return st.none() | st.dictionaries(
            st.text(max_size=4), _values(field.value_field, depth) if field.value_field else JSON, max_size=3
        )
    if isinstance(field, fields.String):
        return st.none() | st.text(max_size=8) | st.integers()
    if isinstance(field, fields.Integer):
        return st.none() | st.integers() | st.booleans() | st.floats(allow_nan=False, allow_infinity=False)
    if isinstance(field, fields.Float):
        return st.none() | st.floats() | st.integers(-(2**60), 2**60)
    return JSON


def _documents(schema, depth=0):
    optional = {(field.attribute or name): _values(field, depth) for name, field in schema.dump_fields.items()}
    return st.fixed_dictionaries({}, optional=optional) if depth < 4 else st.just({})


REAL_SCHEMAS = [
    ApplicationSchema(),
    ApplicationSummarySchema(many=True),
    ItemSummarySchema(many=True),
    BundleSchema(),
    VaultSchema(),
]


@pytest.mark.parametrize("schema", REAL_SCHEMAS, ids=lambda schema: type(schema).__name__)
def test_real_response_schemas_dump_generated_documents_like_marshmallow(schema):
    documents = st.lists(_documents(schema), max_size=3) if schema.many else _documents(schema)

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(documents)
    def check(document):
        assert_same(schema, document)

    check()


@pytest.mark.parametrize("item_count", [0, 1, 9, 10, 11, 99, 100, 101, 12345])
@pytest.mark.parametrize("page_size", [1, 10, 100])
@pytest.mark.parametrize("page", [1, 2, 3, 10, 100_000])
def test_the_pagination_metadata_is_the_same_as_flask_smorests(page, page_size, item_count):
    from flask_smorest import Blueprint as SmorestBlueprint

    ours = Blueprint._make_pagination_metadata(page, page_size, item_count)
    theirs = SmorestBlueprint._make_pagination_metadata(page, page_size, item_count)
    assert fastdump.first_difference(ours, theirs) is None, (ours, theirs)
