"""The catalogue in memory: one read-only copy per store and process, reloaded when the catalogue changes.

Every write of the catalogue's collections bumps a generation document (`catalog_generation`) in the
same transaction (`changing`), or right after it for writes made elsewhere (`bump`, which tests and
scripts writing catalogue documents directly call). A read compares the stored generation's stamp
(one primary-key read, at most once per HTTP request) with the stamp its copy was loaded at and
reloads the whole catalogue when they differ, so a write by any process, on any engine, is seen by
every process on its next request. The stamp is random, not only a counter, so that a restored
backup never matches a copy loaded from another catalogue.

Memory: one copy per store (the catalogue of its latest generation) and, per copy, what was derived
from it — search results and the public GET responses (routes.py) — up to KEPT entries and KEPT_BYTES
of response bodies (past either, the copy forgets them all); a store that is gone takes its copy with it.

The copy's documents are read-only (ReadOnlyDict, ReadOnlyList raise on any change in place):
callers read them or build new documents from them (`{**item}`, `copy.deepcopy` gives plain ones).
"""

from __future__ import annotations

import secrets
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager

from flask import has_request_context, request

from api.store.matching import matches

ITEMS = "catalog_items"
BUNDLES = "catalog_bundles"
DEPARTMENTS = "departments"
CERTIFICATE_TYPES = "certificate_types"
GENERATION = "catalog_generation"
_GENERATION_ID = "catalog"
_REQUEST_KEY = "onetrip.catalog_stamp"
KEPT = 256
KEPT_BYTES = 4 * 1024 * 1024
_SEARCHED_KEYS = ("code", "name", "summary", "department_name", "lead_department_name")


# -- read-only documents ---------------------------------------------------------------------------------


def _read_only(*args, **kwargs):
    raise TypeError("catalogue documents from the cache are read-only: build a new one (or copy.deepcopy it)")


def _thawed(value):
    if isinstance(value, dict):
        return {key: _thawed(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_thawed(inner) for inner in value]
    return value


class ReadOnlyDict(dict):
    """A dict (json, marshmallow and the store take it as one) that refuses every change in place."""

    __slots__ = ()
    __setitem__ = __delitem__ = __ior__ = clear = pop = popitem = setdefault = update = _read_only

    def __copy__(self) -> dict:
        return dict(self)

    def __deepcopy__(self, memo) -> dict:
        return _thawed(self)

    def __reduce__(self):
        return dict, (dict(self),)


class ReadOnlyList(list):
    __slots__ = ()
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _read_only
    append = clear = extend = insert = pop = remove = reverse = sort = _read_only

    def __copy__(self) -> list:
        return list(self)

    def __deepcopy__(self, memo) -> list:
        return _thawed(self)

    def __reduce__(self):
        return list, (list(self),)


def frozen(value):
    """`value` (a JSON-like document) as read-only dicts and lists all the way down."""
    if isinstance(value, dict):
        return ReadOnlyDict((key, frozen(inner)) for key, inner in value.items())
    if isinstance(value, list):
        return ReadOnlyList(frozen(inner) for inner in value)
    return value


# -- one generation of the catalogue ---------------------------------------------------------------------


def without_id(document: dict | None) -> dict | None:
    """A stored document as the catalogue shows it: without `_id` (its code is in it already)."""
    if document is None:
        return None
    return {key: value for key, value in document.items() if key != "_id"}


def _searched_text(document: dict) -> str:
    return " ".join(str(document.get(key) or "") for key in _SEARCHED_KEYS)


class Catalogue:
    """Every item, bundle, department and certificate type of one generation, as the store held them.

    Dicts keep the store's order: items, bundles and certificate types by code, departments as found.
    """

    def __init__(self, stamp: str | None, items: list[dict], bundles: list[dict], departments: list[dict],
                 certificate_types: list[dict]):  # fmt: skip
        self.stamp = stamp
        self.items = {d["_id"]: frozen(without_id(d)) for d in items}
        self.bundles = {d["_id"]: frozen(without_id(d)) for d in bundles}
        self.departments = {d["_id"]: frozen(without_id(d)) for d in departments}
        self.certificate_types = {d["_id"]: frozen(without_id(d)) for d in certificate_types}
        self._texts = {id(d): _searched_text(d) for d in (*self.items.values(), *self.bundles.values())}
        self._kept: dict[tuple, object] = {}
        self._kept_bytes = 0
        self._keeping = threading.Lock()

    @classmethod
    def load(cls, store, stamp: str | None) -> Catalogue:
        by_code = [("_id", 1)]
        return cls(
            stamp,
            items=list(store[ITEMS].find({}, sort=by_code)),
            bundles=list(store[BUNDLES].find({}, sort=by_code)),
            departments=list(store[DEPARTMENTS].find({})),
            certificate_types=list(store[CERTIFICATE_TYPES].find({}, sort=by_code)),
        )

    def search(self, collection: str, words: list[str], query: dict) -> list[dict]:
        """The documents of `collection` matching the store query `query` (the engine's own matching) whose
        searched text holds every word, in code order."""
        key = ("search", collection, tuple(words), tuple(sorted(query.items())))
        found = self.recall(key)
        if found is None:
            documents = self.items if collection == ITEMS else self.bundles
            found = tuple(
                d for d in documents.values() if matches(d, query) and all(word in self._texts[id(d)] for word in words)
            )
            self.keep(key, found)
        return list(found)

    def recall(self, key: tuple):
        """What `keep` was given under `key` for this generation, or None."""
        return self._kept.get(key)

    def keep(self, key: tuple, value, size: int = 0) -> None:
        """Keep something derived from this generation only (immutable: every reader gets the same object)."""
        if size > KEPT_BYTES:
            return
        with self._keeping:
            if key in self._kept:
                return
            if len(self._kept) >= KEPT or self._kept_bytes + size > KEPT_BYTES:
                self._kept = {}
                self._kept_bytes = 0
            self._kept[key] = value
            self._kept_bytes += size

    @property
    def kept_size(self) -> tuple[int, int]:
        """(entries, bytes of response bodies) kept now."""
        return len(self._kept), self._kept_bytes


# -- which generation is current -------------------------------------------------------------------------


def _stored_stamp(store) -> str | None:
    found = store[GENERATION].find_one({"_id": _GENERATION_ID})
    return found.get("stamp") if found else None


def _current_stamp(store) -> str | None:
    """The stored stamp, read once per HTTP request (and on every call outside one)."""
    if not has_request_context():
        return _stored_stamp(store)
    seen = request.environ.get(_REQUEST_KEY)
    if seen is not None and seen[0] is store:
        return seen[1]
    stamp = _stored_stamp(store)
    request.environ[_REQUEST_KEY] = (store, stamp)
    return stamp


def _remember_request_stamp(store, stamp: str | None) -> None:
    if has_request_context():
        request.environ[_REQUEST_KEY] = (store, stamp)


def _forget_request_stamp() -> None:
    if has_request_context():
        request.environ.pop(_REQUEST_KEY, None)


def bump(store, session=None) -> None:
    """Mark the catalogue changed: every process reloads its copy on its next read."""
    store[GENERATION].update_one(
        {"_id": _GENERATION_ID},
        {"$inc": {"generation": 1}, "$set": {"stamp": secrets.token_urlsafe(12)}},
        upsert=True,
        session=session,
    )
    _forget_request_stamp()


@contextmanager
def changing(store) -> Iterator[object]:
    """A transaction writing the catalogue: its writes and the new generation commit together."""
    try:
        with store.transaction() as session:
            yield session
            bump(store, session)
    finally:
        _forget_request_stamp()  # a rolled back generation may have been read inside the block


# -- the copies ------------------------------------------------------------------------------------------

_copies: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_loading = threading.Lock()
_RELOADS = 3


def catalogue(store) -> Catalogue:
    """The store's catalogue as of its current generation (loaded now if the copy held is older)."""
    held = _copies.get(store)
    if held is not None and held.stamp == _current_stamp(store):
        return held
    with _loading:
        held = _copies.get(store)
        stamp = _stored_stamp(store)  # now: the request's stamp may be older than a copy another thread loaded
        if held is None or held.stamp != stamp:
            held = _load(store, stamp)
            _copies[store] = held
    _remember_request_stamp(store, held.stamp)  # the rest of the request reads this copy
    return held


def _load(store, stamp: str | None) -> Catalogue:
    for _ in range(_RELOADS):
        loaded = Catalogue.load(store, stamp)
        # a write between the stamp read and the load would leave a copy mixing generations under the
        # older stamp (reloaded on the next request, but used for the rest of this one): load again
        after = _stored_stamp(store)
        if after == stamp:
            break
        stamp = after
    return loaded


def held_for_request(store) -> Catalogue | None:
    """The copy this request has read, if it has read one and it is still the copy held."""
    held = _copies.get(store)
    seen = request.environ.get(_REQUEST_KEY) if has_request_context() else None
    if held is None or seen is None or seen[0] is not store or seen[1] != held.stamp:
        return None
    return held
