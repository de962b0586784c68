"""The embedded engine: a subset of pymongo's Collection API over one SQLite file.

Each collection is a table `(id PRIMARY KEY, doc TEXT)` holding the document as JSON. Each thread
has its own connection (WAL mode, busy timeout). A write that reads first (update, upsert,
find_one_and_update) runs inside BEGIN IMMEDIATE, so it holds SQLite's single write lock from the
read to the write and is atomic across threads and processes. Writers take their turn in the
writers' queue (writer_queue.py) before BEGIN IMMEDIATE; readers never wait.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import msgspec
from bson import ObjectId
from pymongo import ReturnDocument
from pymongo.errors import BulkWriteError, DuplicateKeyError, InvalidOperation, OperationFailure
from pymongo.results import DeleteResult, InsertManyResult, InsertOneResult, UpdateResult

from .matching import matches, project, sort_key, validate_filter
from .sqlite_sql import compile_filter, compile_sort, json_path, path_expression
from .updates import apply_update, upsert_seed, validate_update
from .writer_queue import WriterQueue

_TABLE_PREFIX = "c_"
# A checkpoint after about as many WAL pages as SQLite's own (1,000): the number of commits between two is
# adapted to the pages the last checkpoint found, within these bounds (a commit writes 1 to 25 pages).
CHECKPOINT_PAGES = 1000
CHECKPOINT_COMMITS = (10, 1000)


def _dumps(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


_DECODER = msgspec.json.Decoder()


def _loads(text: str) -> Any:
    """json.loads's value, two to four times faster on our documents (docs/performance.md).

    msgspec gives the same values as json.loads, integers beyond 64 bits included (orjson turns those
    into floats, so it is not used); what it refuses (NaN, a lone surrogate, 1e400) goes to json.loads,
    which reads it or raises as before.
    """
    try:
        return _DECODER.decode(text)
    except msgspec.DecodeError:
        return json.loads(text)


def _check_id(value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise TypeError(f"the embedded engine needs _id to be a string or a number, not {type(value).__name__}")


def normalize_sort(sort: Any, direction: int | None = None) -> list[tuple[str, int]]:
    if sort is None:
        return []
    if isinstance(sort, str):
        return [(sort, direction or 1)]
    return [(key, int(d)) for key, d in (sort.items() if isinstance(sort, dict) else sort)]


class SQLiteStore:
    """One SQLite database file; `store["name"]` is a collection."""

    engine = "sqlite"

    def __init__(self, path: str, busy_timeout_ms: int = 5000, writer_queue: bool = True):
        self.path = path
        self.busy_timeout_ms = busy_timeout_ms
        # writer_queue=False: writers wait in SQLite's busy handler alone (the old way; bench/write_contention.py compares)
        self._writers = WriterQueue(path) if writer_queue and path != ":memory:" else None
        self._commits_between_checkpoints = self._commits_left = 100  # _checkpoint adapts it; thread races only shift it
        self._local = threading.local()
        self._collections: dict[str, SQLiteCollection] = {}
        self._lock = threading.Lock()
        conn = self.connection()
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS _store_indexes ("
            " collection TEXT NOT NULL, name TEXT NOT NULL, keys TEXT NOT NULL, is_unique INTEGER NOT NULL,"
            " PRIMARY KEY (collection, name))"
        )

    def connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=self.busy_timeout_ms / 1000)
            conn.execute(f"PRAGMA busy_timeout={int(self.busy_timeout_ms)}")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=OFF")
            if self._writers is not None:
                conn.execute("PRAGMA wal_autocheckpoint=0")  # checkpoints run outside the writers' queue (_checkpoint)
            self._local.conn = conn
        return conn

    def __getitem__(self, name: str) -> SQLiteCollection:
        collection = self._collections.get(name)
        if collection is None:
            with self._lock:
                collection = self._collections.get(name) or SQLiteCollection(self, name)
                self._collections[name] = collection
        return collection

    def __getattr__(self, name: str) -> SQLiteCollection:
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name]

    def list_collection_names(self) -> list[str]:
        rows = self.connection().execute("SELECT name FROM sqlite_master WHERE type='table' AND name LIKE 'c\\_%' ESCAPE '\\'")
        return sorted(row[0][len(_TABLE_PREFIX) :] for row in rows)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All store calls on this thread inside the block commit together or not at all."""
        conn = self.connection()
        if conn.in_transaction:
            raise RuntimeError("transactions do not nest")
        with self._write_lock(conn):
            try:
                yield None
            except BaseException:
                # a collection first used inside the block had its table created in it: forget it, so
                # that the next use creates the table again instead of finding it missing
                with self._lock:
                    self._collections.clear()
                raise

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A write lock for one operation, or the caller's transaction if one is open."""
        conn = self.connection()
        if conn.in_transaction:
            yield conn
            return
        with self._write_lock(conn):
            yield conn

    @contextmanager
    def _write_lock(self, conn: sqlite3.Connection) -> Iterator[None]:
        """Our turn in the writers' queue (writer_queue.py), then SQLite's write lock until COMMIT or ROLLBACK."""
        if self._writers is None:
            self._begin(conn)
        else:
            left = self._writers.acquire(self.busy_timeout_ms / 1000)
            try:
                self._begin(conn, left)
            except BaseException:
                self._writers.release()
                raise
        try:
            try:
                yield None
            except BaseException:
                if conn.in_transaction:  # some errors (a full disk) have rolled it back already
                    conn.execute("ROLLBACK")
                raise
            try:
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:  # a failed COMMIT leaves the transaction open: end it here
                    conn.execute("ROLLBACK")
                raise
        finally:
            if self._writers is not None:
                self._writers.release()
        if self._writers is not None:
            self._commits_left -= 1
            if self._commits_left <= 0:
                self._checkpoint(conn)

    def _checkpoint(self, conn: sqlite3.Connection) -> None:
        """Copy the WAL's committed pages into the database file, after leaving the writers' queue.

        SQLite's automatic checkpoint runs inside the COMMIT that crosses 1,000 WAL pages, with two fsyncs
        (6-11 ms on a busy disk): inside the queue every writer behind would wait for it. PASSIVE never
        blocks writers or readers; if another process is checkpointing, the next checkpoint catches up.
        """
        every = self._commits_between_checkpoints
        try:
            _, pages, _ = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            low, high = CHECKPOINT_COMMITS
            every = max(low, min(high, every * CHECKPOINT_PAGES // max(pages, 1)))
        except sqlite3.OperationalError:
            pass
        self._commits_between_checkpoints = self._commits_left = every

    def _begin(self, conn: sqlite3.Connection, left: float | None = None) -> None:
        """BEGIN IMMEDIATE; after a wait in the queue, SQLite's own busy wait gets only what is left of the timeout."""
        full = int(self.busy_timeout_ms)
        shortened = left is not None and left * 1000 < full - 1
        if shortened:
            conn.execute(f"PRAGMA busy_timeout={max(1, int(left * 1000))}")
        try:
            conn.execute("BEGIN IMMEDIATE")
        finally:
            if shortened:
                conn.execute(f"PRAGMA busy_timeout={full}")

    def ping(self) -> dict:
        self.connection().execute("SELECT 1").fetchone()
        return {"engine": self.engine, "ok": True}

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


class SQLiteCollection:
    def __init__(self, store: SQLiteStore, name: str):
        if not name or not all(c.isalnum() or c == "_" for c in name):
            raise ValueError(f"collection name {name!r}: letters, digits and _ only")
        self.store = store
        self.name = name
        self.table = f'"{_TABLE_PREFIX}{name}"'
        self.store.connection().execute(f"CREATE TABLE IF NOT EXISTS {self.table} (id PRIMARY KEY, doc TEXT NOT NULL)")
        self._load_indexes()

    # -- indexes -----------------------------------------------------------------------------

    def _load_indexes(self) -> None:
        rows = (
            self.store.connection()
            .execute("SELECT name, keys, is_unique FROM _store_indexes WHERE collection = ?", (self.name,))
            .fetchall()
        )
        self._indexes = {name: (json.loads(keys), bool(unique)) for name, keys, unique in rows}
        self.indexed_paths = frozenset(path for keys, _ in self._indexes.values() for path, _ in keys)

    def create_index(self, keys: Any, unique: bool = False, name: str | None = None, **kwargs: Any) -> str:
        if kwargs:
            raise NotImplementedError(f"index options {sorted(kwargs)} are not supported by the embedded engine")
        spec = [[path, direction] for path, direction in normalize_sort(keys)]
        for path, direction in spec:
            if direction not in (1, -1):
                raise NotImplementedError(f"index direction {direction!r} is not supported (1 or -1 only)")
            json_path(path) if path != "_id" else None
        name = name or "_".join(f"{path}_{direction}" for path, direction in spec)
        self._load_indexes()
        if name in self._indexes:
            if self._indexes[name] != (spec, unique):
                raise OperationFailure(f"an index named {name!r} exists with different options", code=85)
            return name
        columns = ", ".join(f"{path_expression(p)} {'DESC' if d < 0 else 'ASC'}" for p, d in spec)
        sql_name = f'"ix_{self.name}_{name}"'
        with self.store._write() as conn:
            for path, _ in spec:
                if (
                    path != "_id"
                    and conn.execute(
                        f"SELECT 1 FROM {self.table} WHERE json_type(doc, '{json_path(path)}') = 'array' LIMIT 1"
                    ).fetchone()
                ):
                    raise NotImplementedError(
                        f"{self.name}.{path} holds arrays: multikey indexes are not supported by the embedded engine"
                    )
            try:
                conn.execute(f"CREATE {'UNIQUE ' if unique else ''}INDEX IF NOT EXISTS {sql_name} ON {self.table} ({columns})")
            except sqlite3.IntegrityError as exc:
                raise DuplicateKeyError(f"E11000 duplicate key error building index {name}: {exc}", code=11000) from exc
            conn.execute(
                "INSERT OR REPLACE INTO _store_indexes (collection, name, keys, is_unique) VALUES (?, ?, ?, ?)",
                (self.name, name, json.dumps(spec), int(unique)),
            )
        self._load_indexes()
        return name

    def index_information(self) -> dict:
        self._load_indexes()
        info = {"_id_": {"key": [("_id", 1)]}}
        for name, (keys, unique) in self._indexes.items():
            info[name] = {"key": [tuple(k) for k in keys], **({"unique": True} if unique else {})}
        return info

    def _guard_indexed_paths(self, document: dict) -> None:
        for path in self.indexed_paths:
            node: Any = document
            for part in path.split("."):
                if isinstance(node, list):
                    raise NotImplementedError(
                        f"{self.name}.{path} is indexed and cannot hold arrays in the embedded engine (no multikey indexes)"
                    )
                if not isinstance(node, dict) or part not in node:
                    node = None
                    break
                node = node[part]
            if isinstance(node, list):
                raise NotImplementedError(
                    f"{self.name}.{path} is indexed and cannot hold arrays in the embedded engine (no multikey indexes)"
                )

    # -- writes ------------------------------------------------------------------------------

    def _prepare(self, document: dict) -> tuple[Any, str]:
        if not isinstance(document, dict):
            raise TypeError("document must be a dict")
        if "_id" not in document:
            document["_id"] = str(ObjectId())
        _check_id(document["_id"])
        self._guard_indexed_paths(document)
        return document["_id"], _dumps(document)

    def _duplicate(self, exc: sqlite3.IntegrityError) -> DuplicateKeyError:
        return DuplicateKeyError(f"E11000 duplicate key error collection: {self.name} ({exc})", code=11000)

    def insert_one(self, document: dict, session: Any = None, **kwargs: Any) -> InsertOneResult:
        row = self._prepare(document)
        with self.store._write() as conn:
            try:
                conn.execute(f"INSERT INTO {self.table} (id, doc) VALUES (?, ?)", row)
            except sqlite3.IntegrityError as exc:
                raise self._duplicate(exc) from exc
        return InsertOneResult(row[0], True)

    def insert_many(self, documents: list[dict], ordered: bool = True, session: Any = None, **kwargs: Any) -> InsertManyResult:
        if not ordered:
            raise NotImplementedError("insert_many(ordered=False) is not supported by the embedded engine")
        rows = [self._prepare(document) for document in documents]
        if not rows:
            raise TypeError("documents must be a non-empty list")
        error = None
        with self.store._write() as conn:
            before = conn.total_changes
            try:
                conn.executemany(f"INSERT INTO {self.table} (id, doc) VALUES (?, ?)", rows)
            except sqlite3.IntegrityError as exc:
                # Like MongoDB's ordered insert: the documents before the duplicate stay inserted.
                done = conn.total_changes - before
                error = {
                    "writeErrors": [{"index": done, "code": 11000, "errmsg": f"E11000 duplicate key error: {exc}"}],
                    "nInserted": done,
                }
        if error:
            raise BulkWriteError(error)
        return InsertManyResult([row[0] for row in rows], True)

    def _replace(self, conn: sqlite3.Connection, document_id: Any, old_encoded: str, new: dict) -> bool:
        """Write `new` over the document that was `old_encoded` unless nothing changed; True when written.

        Compared as JSON, not with ==, because Python's == holds True == 1 and 1 == 1.0, which
        MongoDB stores as different values.
        """
        encoded = _dumps(new)
        if encoded == old_encoded:
            return False
        self._guard_indexed_paths(new)
        try:
            conn.execute(f"UPDATE {self.table} SET doc = ? WHERE id = ?", (encoded, document_id))
        except sqlite3.IntegrityError as exc:
            raise self._duplicate(exc) from exc
        return True

    def _upsert(self, conn: sqlite3.Connection, query: dict, update: dict) -> dict:
        document = apply_update(upsert_seed(query), update, inserting=True)
        row = self._prepare(document)
        try:
            conn.execute(f"INSERT INTO {self.table} (id, doc) VALUES (?, ?)", row)
        except sqlite3.IntegrityError as exc:
            raise self._duplicate(exc) from exc
        return document

    def _update(self, query: dict, update: dict, upsert: bool, many: bool) -> UpdateResult:
        validate_filter(query)
        validate_update(update)
        matched = modified = 0
        with self.store._write() as conn:
            for document in list(self._iterate(query, [], 0, 0 if many else 1)):
                matched += 1
                document_id, old_encoded = document["_id"], _dumps(document)
                if self._replace(conn, document_id, old_encoded, apply_update(document, update, in_place=True)):
                    modified += 1
            if matched == 0 and upsert:
                document = self._upsert(conn, query, update)
                return UpdateResult({"n": 1, "nModified": 0, "upserted": document["_id"]}, True)
        return UpdateResult({"n": matched, "nModified": modified}, True)

    def update_one(self, filter: dict, update: dict, upsert: bool = False, session: Any = None, **kwargs: Any) -> UpdateResult:
        return self._update(filter, update, upsert, many=False)

    def update_many(self, filter: dict, update: dict, upsert: bool = False, session: Any = None, **kwargs: Any) -> UpdateResult:
        return self._update(filter, update, upsert, many=True)

    def find_one_and_update(
        self,
        filter: dict,
        update: dict,
        projection: Any = None,
        sort: Any = None,
        upsert: bool = False,
        return_document: bool = ReturnDocument.BEFORE,
        session: Any = None,
        **kwargs: Any,
    ) -> dict | None:
        validate_filter(filter)
        validate_update(update)
        with self.store._write() as conn:
            found = next(self._iterate(filter, normalize_sort(sort), 0, 1), None)
            if found is None:
                if not upsert:
                    return None
                new = self._upsert(conn, filter, update)
                return project(new, projection) if return_document == ReturnDocument.AFTER else None
            document_id, old_encoded = found["_id"], _dumps(found)
            # the document read is ours: updated in place, unless it is the answer (BEFORE), when a copy is
            # decoded from its JSON (the same values, faster than a deep copy)
            mine = found if return_document == ReturnDocument.AFTER else _loads(old_encoded)
            new = apply_update(mine, update, in_place=True)
            self._replace(conn, document_id, old_encoded, new)
        return project(new if return_document == ReturnDocument.AFTER else found, projection)

    def _delete(self, query: dict, many: bool) -> DeleteResult:
        validate_filter(query)
        with self.store._write() as conn:
            ids = [doc["_id"] for doc in self._iterate(query, [], 0, 0 if many else 1)]
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                conn.execute(f"DELETE FROM {self.table} WHERE id IN ({', '.join('?' for _ in chunk)})", chunk)
        return DeleteResult({"n": len(ids)}, True)

    def delete_one(self, filter: dict, session: Any = None, **kwargs: Any) -> DeleteResult:
        return self._delete(filter, many=False)

    def delete_many(self, filter: dict, session: Any = None, **kwargs: Any) -> DeleteResult:
        return self._delete(filter, many=True)

    def drop(self, session: Any = None) -> None:
        with self.store._write() as conn:
            for name in self._indexes:
                conn.execute(f'DROP INDEX IF EXISTS "ix_{self.name}_{name}"')
            conn.execute("DELETE FROM _store_indexes WHERE collection = ?", (self.name,))
            conn.execute(f"DELETE FROM {self.table}")
        self._load_indexes()

    # -- reads -------------------------------------------------------------------------------

    def _select(self, query: dict, sort: list, skip: int, limit: int, columns: str = "doc"):
        """The SQL for a query and whatever of it must still be checked in Python."""
        compiled = compile_filter(query, self.indexed_paths)
        residual = compiled.residual_filter
        sql = f"SELECT {columns} FROM {self.table} WHERE {compiled.where}"
        order = compile_sort(sort, self.indexed_paths) if sort else None
        if order:
            sql += f" ORDER BY {order}"
        python_sort = bool(sort) and order is None
        if residual is None and not python_sort and (limit or skip):
            sql += f" LIMIT {int(limit) if limit else -1} OFFSET {int(skip)}"
        return sql, compiled.params, residual, python_sort

    def _iterate(self, query: dict, sort: list, skip: int, limit: int) -> Iterator[dict]:
        sql, params, residual, python_sort = self._select(query, sort, skip, limit)
        rows = self.store.connection().execute(sql, params)
        documents = (_loads(row[0]) for row in rows)
        if residual is None and not python_sort:
            yield from documents
            return
        if residual is not None:
            documents = (d for d in documents if matches(d, residual))
        if python_sort:
            documents = iter(sorted(documents, key=lambda d: sort_key(d, sort)))
        taken = 0
        for index, document in enumerate(documents):
            if index < skip:
                continue
            yield document
            taken += 1
            if limit and taken >= limit:
                return

    def find(
        self,
        filter: dict | None = None,
        projection: Any = None,
        skip: int = 0,
        limit: int = 0,
        sort: Any = None,
        session: Any = None,
        **kwargs: Any,
    ) -> Cursor:
        if kwargs:
            raise NotImplementedError(f"find options {sorted(kwargs)} are not supported by the embedded engine")
        query = filter or {}
        validate_filter(query)
        return Cursor(self, query, projection, skip, limit, normalize_sort(sort))

    def find_one(
        self, filter: Any = None, projection: Any = None, sort: Any = None, session: Any = None, **kwargs: Any
    ) -> dict | None:
        if filter is not None and not isinstance(filter, dict):
            filter = {"_id": filter}
        query = filter or {}
        validate_filter(query)
        order = normalize_sort(sort)
        sql, params, residual, python_sort = self._select(query, order, 0, 1)
        if residual is None and not python_sort:  # SQL answers it: one row, without a cursor's generators
            row = self.store.connection().execute(sql, params).fetchone()
            document = _loads(row[0]) if row is not None else None
        else:
            document = next(self._iterate(query, order, 0, 1), None)
        return project(document, projection) if projection and document is not None else document

    def count_documents(self, filter: dict, skip: int = 0, limit: int = 0, session: Any = None, **kwargs: Any) -> int:
        validate_filter(filter)
        compiled = compile_filter(filter, self.indexed_paths)
        if compiled.residual_filter is None:
            sql = f"SELECT count(*) FROM (SELECT 1 FROM {self.table} WHERE {compiled.where}"
            sql += f" LIMIT {int(limit) if limit else -1} OFFSET {int(skip)})"
            return self.store.connection().execute(sql, compiled.params).fetchone()[0]
        return sum(1 for _ in self._iterate(filter, [], skip, limit))

    def estimated_document_count(self, **kwargs: Any) -> int:
        return self.store.connection().execute(f"SELECT count(*) FROM {self.table}").fetchone()[0]

    def aggregate(self, pipeline: list, session: Any = None, **kwargs: Any) -> Any:
        """Not emulated (DESIGN.md): say so with the stages' names instead of an AttributeError."""
        stages = ", ".join(sorted({str(key) for stage in pipeline if isinstance(stage, dict) for key in stage})) or "pipeline"
        raise NotImplementedError(f"aggregation ({stages}) is not supported by the OneTrip store: use plain queries or counters")

    def explain_query_plan(self, filter: dict, sort: Any = None) -> list[str]:
        """SQLite's EXPLAIN QUERY PLAN lines for a find; tests use it to prove an index is used."""
        sql, params, _, _ = self._select(filter, normalize_sort(sort), 0, 0)
        return [row[3] for row in self.store.connection().execute("EXPLAIN QUERY PLAN " + sql, params)]


class Cursor:
    """The chainable part of pymongo's Cursor: sort, skip, limit, then iteration (once, like pymongo)."""

    def __init__(self, collection: SQLiteCollection, query: dict, projection: Any, skip: int, limit: int, sort: list):
        self._collection = collection
        self._query = query
        self._projection = projection
        self._skip = skip
        self._limit = limit
        self._sort = sort
        self._documents: Iterator[dict] | None = None

    def _chainable(self) -> None:
        if self._documents is not None:
            raise InvalidOperation("cannot set options after executing query")

    def sort(self, key: Any, direction: int | None = None) -> Cursor:
        self._chainable()
        self._sort = normalize_sort(key, direction)
        return self

    def skip(self, count: int) -> Cursor:
        self._chainable()
        if count < 0:
            raise ValueError("skip must be >= 0")
        self._skip = count
        return self

    def limit(self, count: int) -> Cursor:
        self._chainable()
        if count < 0:
            raise ValueError("limit must be >= 0 in the embedded engine")
        self._limit = count
        return self

    def __iter__(self) -> Cursor:
        return self

    def __next__(self) -> dict:
        if self._documents is None:
            self._documents = self._collection._iterate(self._query, self._sort, self._skip, self._limit)
        document = next(self._documents)
        return project(document, self._projection) if self._projection else document

    def rewind(self) -> Cursor:
        self._documents = None
        return self

    def to_list(self, length: int | None = None) -> list[dict]:
        items = list(self)
        return items if length is None else items[:length]
