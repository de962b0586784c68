"""Response serialisation at a fraction of marshmallow's cost: a schema compiled once into plain Python.

`dumper(schema)` returns a function `dump(obj)` that gives exactly what `schema.dump(obj)` gives. It is
built the first time it is asked for (then cached per schema instance and `many`): the schema's
`dump_fields` (its only/exclude/load_only already applied, in marshmallow's order) become the source
of one Python function per schema — a dict lookup per field when the object is a dict or a subclass
keeping dict's lookup (marshmallow's `get_value` otherwise), the field's own formatting inlined,
nested schemas compiled the same way and called directly. A tracking view (~390 fields) costs a tenth
of marshmallow's walk.

Supported, with marshmallow's semantics reproduced: String (and Email, Url …), Integer and Float
(`as_string` too), Boolean, Raw and plain Field (passed through), UUID, DateTime / AwareDateTime /
NaiveDateTime / Date / Time in every format the field names (its own serialisation function is
called), List, Dict (with or without key/value fields), Nested (many, only/exclude, instances,
classes, names, callables), Pluck, Method, Function, Constant; `data_key`, `attribute` (dotted too),
`dump_default` (callable or not), load_only fields left out, missing keys left out, None kept as
None, pre_dump/post_dump hooks (run by the schema itself). The support of a field is decided by
which `_serialize` its class uses, not by its name, so a subclass that changes nothing is compiled
and one that overrides serialisation is not.

What is compiled is the schema as it stands at its first dump: a field changed afterwards (its format,
its data_key) is not seen — our schemas are declared once and never changed. Two instances of one schema
give the same source, so they share one code object (each with its own fields and nested dumps bound).

Anything else — a field class with its own `_serialize`, `serialize` or `get_value`, a schema that
overrides `dump`, `_serialize`, `get_attribute` or `dict_class`, a Method inside a List — makes that
schema fall back to its own `schema.dump`: decided at compile time (`dumper(schema).fallback` says
why), never per call. A nested schema that falls back does not make its parent fall back.

The safety net: with FASTDUMP_CHECK (api/config.py; on in every TESTING app, so the whole test suite
checks it) every dump is done both ways and a difference raises FastDumpMismatch naming the schema and
the first differing path (types and key order count: what reaches the JSON must be the same).

The flask-smorest hook (`response_view`, used by api/blueprint.py's `Blueprint.response`):
flask-smorest's `ResponseMixin.response` builds the documentation and the runtime wrapper in one
closure that calls `schema.dump`; our Blueprint keeps its documentation (the `_apidoc` of the wrapper
it returns) and replaces the runtime wrapper with `response_view`, which does what flask-smorest's
does (flask-smorest 0.47) with the fast dump. It relies on `flask_smorest.utils`'
`unpack_tuple_response`, `set_status_and_headers_in_response` and `get_appcontext` (where the ETag
code reads `result_dump`) and on the Blueprint's `_prepare_response_content`; no private attribute
is patched.
"""

from __future__ import annotations

import functools
import math
import threading
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import marshmallow as ma
from flask import current_app, jsonify
from flask_smorest.utils import get_appcontext, set_status_and_headers_in_response, unpack_tuple_response
from marshmallow import fields as mf
from marshmallow.decorators import POST_DUMP, PRE_DUMP
from marshmallow.utils import ensure_text_type, get_value, missing
from werkzeug import Response

_NO_KEY = object()


class _ReadsLikeDict(dict):
    """type -> whether `obj.get(key)` finds what marshmallow's `obj[key]` finds: dict and its subclasses that
    keep dict's lookup (the catalogue's ReadOnlyDict), not defaultdict or Counter. Bounded: types are few."""

    def __missing__(self, kind: type) -> bool:
        answer = (
            issubclass(kind, dict)
            and kind.__getitem__ is dict.__getitem__
            and kind.get is dict.get
            and kind.__getattribute__ is dict.__getattribute__
            and not hasattr(kind, "__missing__")
        )
        if len(self) < 256:
            self[kind] = answer
        return answer


_READS_LIKE_DICT = _ReadsLikeDict()


class FastDumpMismatch(AssertionError):
    """The compiled dump and marshmallow's disagree (raised only under FASTDUMP_CHECK)."""


class _Unsupported(Exception):
    """A schema or field that the compiler does not reproduce: the schema falls back to marshmallow."""


def dumper(schema: ma.Schema, many: bool | None = None) -> Callable[[Any], Any]:
    """`schema.dump` as one function: compiled when every field is supported, else `schema.dump` itself."""
    many = bool(schema.many if many is None else many)
    compiled = _CACHE.get(schema)
    if compiled is not None and many in compiled:
        return compiled[many]
    with _LOCK:
        return _remembered(schema, many, _Compiler())


def dump(schema: ma.Schema, obj: Any) -> Any:
    """`schema.dump(obj)`, compiled, and checked against marshmallow under FASTDUMP_CHECK: what every
    `@blp.response` (response_view) and a view building its own response (a cookie, a status) use. The
    schema must be an instance kept for the process (a module constant): compiling one costs ~2 ms."""
    fast = dumper(schema)
    return (checked_dumper(schema, fast) if current_app.config.get("FASTDUMP_CHECK") else fast)(obj)


def checked_dumper(schema: ma.Schema, fast: Callable[[Any], Any] | None = None) -> Callable[[Any], Any]:
    """`dumper(schema)` that also dumps with marshmallow and raises FastDumpMismatch where they differ."""
    fast = fast or dumper(schema)
    name = type(schema).__name__

    def dump(obj):
        if schema.many and isinstance(obj, Iterator):
            obj = list(obj)  # both dumps walk it
        try:
            got = fast(obj)
        except Exception as fast_error:  # both must fail alike; marshmallow's error is the one that surfaces
            schema.dump(obj)
            raise FastDumpMismatch(f"{name}: the fast dump raised {fast_error!r}, marshmallow did not") from fast_error
        try:
            expected = schema.dump(obj)
        except Exception as error:
            raise FastDumpMismatch(f"{name}: marshmallow raised {error!r}, the fast dump did not") from error
        path = first_difference(got, expected)
        if path is not None:
            raise FastDumpMismatch(f"{name}: the fast dump differs from marshmallow's at {path}")
        return expected

    return dump


def first_difference(got: Any, expected: Any, path: str = "$") -> str | None:
    """The path of the first place where two dumps differ in type, value, length or key order; None if equal."""
    if type(got) is not type(expected):
        return f"{path} ({type(got).__name__} != {type(expected).__name__})"
    if isinstance(got, dict):
        if list(got) != list(expected):
            return f"{path} (keys {list(got)} != {list(expected)})"
        for key, value in got.items():
            if (found := first_difference(value, expected[key], f"{path}.{key}")) is not None:
                return found
        return None
    if isinstance(got, (list, tuple)):
        if len(got) != len(expected):
            return f"{path} (length {len(got)} != {len(expected)})"
        for index, (value, other) in enumerate(zip(got, expected, strict=True)):
            if (found := first_difference(value, other, f"{path}[{index}]")) is not None:
                return found
        return None
    if isinstance(got, float) and math.isnan(got) and math.isnan(expected):
        return None
    return None if got == expected else f"{path} (values differ)"  # no values: they may be personal data


_CACHE: weakref.WeakKeyDictionary[ma.Schema, dict[bool, Callable[[Any], Any]]] = weakref.WeakKeyDictionary()
_CACHE_LIMIT = 4096  # schema instances; the API's responses and their nested schemas are ~500
_LOCK = threading.RLock()  # re-entrant: compiling a schema compiles its nested ones


def _remembered(schema: ma.Schema, many: bool, compiler: _Compiler) -> Callable[[Any], Any]:
    """The compiled dump of this schema instance and `many`, compiled once (call with _LOCK held)."""
    compiled = _CACHE.get(schema)
    if compiled is None:
        if len(_CACHE) >= _CACHE_LIMIT:  # schemas made per call would grow it: a view keeps the dump it has
            _CACHE.clear()
        compiled = _CACHE.setdefault(schema, {})
    if many not in compiled:
        compiled[many] = compiler.schema(schema, many)
    return compiled[many]


_BASE_NAMESPACE = {"missing": missing, "get_value": get_value, "_NO_KEY": _NO_KEY, "_READS_LIKE_DICT": _READS_LIKE_DICT}
_CODE: dict[str, Any] = {}  # source -> code object: compiling costs ~15 µs a line, running the code to define `one` ~nothing


def _code(name: str, source: str):
    code = _CODE.get(source)
    if code is None:
        code = compile(source, f"<fastdump {name}>", "exec")
        if len(_CODE) < _CACHE_LIMIT:
            _CODE[source] = code
    return code


def _string(value):
    return None if value is None else ensure_text_type(value)


def _number(num_type: type, as_string: bool) -> Callable[[Any], Any]:
    if as_string:
        return lambda value: None if value is None else str(num_type(value))
    return lambda value: None if value is None else num_type(value)


def _temporal(field: mf.Field) -> Callable[[Any], Any]:
    data_format = field.format or field.DEFAULT_FORMAT
    format_function = field.SERIALIZATION_FUNCS.get(data_format)
    return format_function or (lambda value: value.strftime(data_format))


def _own(field_or_schema: Any, *names: str) -> None:
    """The object must not carry its own (instance-level) version of these methods."""
    if overridden := [name for name in names if name in vars(field_or_schema)]:
        raise _Unsupported(f"{type(field_or_schema).__name__} overrides {', '.join(overridden)} on the instance")


class _Compiler:
    """Writes one function per schema; values the code needs (formatters, nested dumps) are bound by name."""

    def __init__(self):
        self.namespaces: list[dict[str, Any]] = []  # one per schema being compiled, innermost last
        self.active: list[type] = []  # schema classes being compiled: a class met again is a recursion

    def bind(self, value: Any) -> str:
        """A name for `value` in the function being written; names count from 0 in each function, so two
        instances of one schema give the same source and share its code object."""
        namespace = self.namespaces[-1]
        name = f"_b{len(namespace) - len(_BASE_NAMESPACE)}"
        namespace[name] = value
        return name

    def schema(self, schema: ma.Schema, many: bool) -> Callable[[Any], Any]:
        try:
            compiled = self._compile(schema, many)
            compiled.fallback = None  # type: ignore[attr-defined]
            return compiled
        except _Unsupported as reason:
            fallback = functools.partial(schema.dump, many=many)
            fallback.fallback = str(reason)  # type: ignore[attr-defined]
            return fallback

    def _compile(self, schema: ma.Schema, many: bool) -> Callable[[Any], Any]:
        kind = type(schema)
        for name in ("dump", "_serialize", "get_attribute"):
            if getattr(kind, name) is not getattr(ma.Schema, name):
                raise _Unsupported(f"{kind.__name__} overrides Schema.{name}")
        _own(schema, "dump", "_serialize", "get_attribute")
        if kind.dict_class is not dict:
            raise _Unsupported(f"{kind.__name__}.dict_class is not dict")
        if kind in self.active:
            raise _Unsupported(f"{kind.__name__} nests itself")
        self.active.append(kind)
        self.namespaces.append(namespace := dict(_BASE_NAMESPACE))
        try:
            lines = ["def one(obj):", "    get = obj.get if _READS_LIKE_DICT[type(obj)] else None", "    ret = {}"]
            for attr_name, field in schema.dump_fields.items():
                key = field.data_key if field.data_key is not None else attr_name
                lines += ["    " + line for line in self._field(attr_name, key, field)]
            lines.append("    return ret")
            # the source holds only generated names and repr()-quoted field keys: nothing from outside the schemas
            exec(_code(kind.__name__, "\n".join(lines)), namespace)  # noqa: S102
            one = namespace["one"]
        finally:
            self.active.pop()
            self.namespaces.pop()
        return _whole(schema, one, many)

    def _field(self, attr_name: str, key: str, field: mf.Field) -> list[str]:
        kind = type(field)
        if kind.serialize is not mf.Field.serialize or kind.get_value is not mf.Field.get_value:
            raise _Unsupported(f"{kind.__name__} overrides Field.serialize or get_value")
        _own(field, "serialize", "get_value", "_serialize")
        if not field._CHECK_ATTRIBUTE:
            return self._computed(key, field)
        source = attr_name if field.attribute is None else field.attribute
        if "." in source:
            lines = [f"v = get_value(obj, {source!r}, missing)"]
        else:  # marshmallow's get_value: obj[key], and when the key is absent the attribute (dict.items …)
            lines = [
                f"v = get({source!r}, _NO_KEY) if get is not None else get_value(obj, {source!r}, missing)",
                f"if v is _NO_KEY: v = getattr(obj, {source!r}, missing)",
            ]
        if field.dump_default is not missing:
            default = self.bind(field.dump_default)
            call = "()" if callable(field.dump_default) else ""
            lines.append(f"if v is missing: v = {default}{call}")
        lines.append(f"if v is not missing: ret[{key!r}] = {self.value(field, 'v', 0)}")
        return lines

    def _computed(self, key: str, field: mf.Field) -> list[str]:
        """Method, Function and Constant: computed from the whole object (marshmallow reads no attribute)."""
        serialize = type(field)._serialize
        if serialize is mf.Method._serialize:
            if field._serialize_method is None:
                return []  # marshmallow's result is `missing`: the key never appears
            expression = f"{self.bind(field._serialize_method)}(obj)"
        elif serialize is mf.Function._serialize and field.serialize_func is not None:
            expression = f"{self.bind(field.serialize_func)}(obj)"
        elif serialize is mf.Constant._serialize:
            expression = self.bind(field.constant)
        else:
            raise _Unsupported(f"{type(field).__name__} reads no attribute and is not Method, Function or Constant")
        return [f"r = {expression}", f"if r is not missing: ret[{key!r}] = r"]

    def value(self, field: mf.Field, var: str, depth: int) -> str:
        """An expression giving `field._serialize(<var>, …)`."""
        kind = type(field)
        _own(field, "_serialize")
        serialize = kind._serialize
        if serialize is mf.Field._serialize:  # Raw, Boolean, Field: the value as it is
            return var
        if serialize is mf.String._serialize:
            return f"({var} if type({var}) is str else {self.bind(_string)}({var}))"
        if serialize is mf.UUID._serialize:
            return f"(None if {var} is None else str({var}))"
        if serialize is mf.Number._serialize:
            return self._number(field, var)
        if serialize is mf.DateTime._serialize:  # _TemporalField's: DateTime, Date, Time and their kin
            return f"(None if {var} is None else {self.bind(_temporal(field))}({var}))"
        if serialize is mf.List._serialize:
            item = f"x{depth}"
            return f"(None if {var} is None else [{self.value(field.inner, item, depth + 1)} for {item} in {var}])"
        if serialize is mf.Mapping._serialize:
            return self._mapping(field, var, depth)
        if serialize is mf.Nested._serialize:
            return f"(None if {var} is None else {self.bind(self._nested(field))}({var}))"
        if serialize is mf.Pluck._serialize:
            return f"(None if {var} is None else {self.bind(self._pluck(field))}({var}))"
        raise _Unsupported(f"{kind.__name__} has its own _serialize")

    def _number(self, field: mf.Field, var: str) -> str:
        kind = type(field)
        if kind._format_num is not mf.Number._format_num or kind._to_string is not mf.Number._to_string:
            raise _Unsupported(f"{kind.__name__} formats numbers its own way")
        if field.num_type not in (int, float):
            raise _Unsupported(f"{kind.__name__}.num_type is {field.num_type!r}")
        convert = self.bind(_number(field.num_type, field.as_string))
        if field.as_string:
            return f"{convert}({var})"
        return f"({var} if type({var}) is {field.num_type.__name__} else {convert}({var}))"

    def _mapping(self, field: mf.Field, var: str, depth: int) -> str:
        if type(field).mapping_type is not dict:
            raise _Unsupported(f"{type(field).__name__} builds {type(field).mapping_type!r}")
        if field.key_field is None and field.value_field is None:
            return f"(None if {var} is None else dict({var}))"
        key, item = f"k{depth}", f"x{depth}"
        key_expression = key if field.key_field is None else self.value(field.key_field, key, depth + 1)
        item_expression = item if field.value_field is None else self.value(field.value_field, item, depth + 1)
        return f"(None if {var} is None else {{{key_expression}: {item_expression} for {key}, {item} in {var}.items()}})"

    def _nested(self, field: mf.Nested) -> Callable[[Any], Any]:
        try:
            nested = field.schema
        except Exception as error:  # an unknown schema name: marshmallow raises it when it dumps
            raise _Unsupported(f"{type(field).__name__} {field.name}: {error}") from error
        many = bool(nested.many or field.many)
        if type(nested) in self.active:  # a recursive schema: marshmallow walks it
            return functools.partial(nested.dump, many=many)
        return _remembered(nested, many, self)

    def _pluck(self, field: mf.Pluck) -> Callable[[Any], Any]:
        nested, key, many = self._nested(field), field._field_data_key, field.many

        def pluck(value):
            dumped = nested(value)
            if dumped is None:
                return None
            return [each[key] for each in dumped] if many else dumped[key]

        return pluck


def _whole(schema: ma.Schema, one: Callable[[Any], Any], many: bool) -> Callable[[Any], Any]:
    """Schema.dump around the compiled `one`: hooks (run by the schema itself) and `many`."""
    pre, post = schema._hooks.get(PRE_DUMP), schema._hooks.get(POST_DUMP)
    if not pre and not post:
        if not many:
            return one
        return lambda obj: [one(each) for each in obj] if obj is not None else one(obj)
    invoke = schema._invoke_dump_processors

    def dump(obj):
        data = invoke(PRE_DUMP, obj, many=many, original_data=obj) if pre else obj
        result = [one(each) for each in data] if many and data is not None else one(data)
        return invoke(POST_DUMP, result, many=many, original_data=obj) if post else result

    return dump


def response_view(func: Callable, status_code: Any, schema: ma.Schema, prepare: Callable[[Any], Any]) -> Callable:
    """flask-smorest's response wrapper (ResponseMixin.response, 0.47) with the fast dump.

    The dump is compiled on the first response, not at import: nested schemas named by a string are
    registered by then, and a process compiles only what it serves (~2 ms a schema)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        result_raw, r_status_code, r_headers = unpack_tuple_response(current_app.ensure_sync(func)(*args, **kwargs))
        if isinstance(result_raw, Response):
            set_status_and_headers_in_response(result_raw, r_status_code, r_headers)
            return result_raw
        result_dump = dump(schema, result_raw)
        get_appcontext()["result_dump"] = result_dump
        response = jsonify(prepare(result_dump))
        set_status_and_headers_in_response(response, r_status_code, r_headers)
        if r_status_code is None:
            response.status_code = status_code
        return response

    return wrapper
