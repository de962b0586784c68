"""Fixtures for notifications: stores on each engine, a settable clock, recording channels, message
factories, loopback HTTP stubs, and the app with this package's blueprint and CLI."""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from api import create_app
from api.store import SQLiteStore, ensure_indexes, open_store
from auth.crypto import FieldCipher, bind_cipher
from notifications.channels.base import RetryLater
from notifications.outbox import enqueue
from notifications.templates_zh import TEMPLATES
from notifications.worker import Worker

_keys = itertools.count(1)
T0 = datetime(2026, 5, 4, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai: outside the quiet hours


def cipher_in(tmp_path) -> FieldCipher:
    """A field cipher with its keys under tmp_path (never the repository's var/keys)."""
    return FieldCipher.from_config({"DATA_DIR": str(tmp_path)})


def open_sqlite(tmp_path, name: str = "notifications.sqlite3") -> SQLiteStore:
    store = SQLiteStore(str(tmp_path / name))
    ensure_indexes(store)
    bind_cipher(store, cipher_in(tmp_path))
    return store


@pytest.fixture
def sqlite_store(tmp_path):
    store = open_sqlite(tmp_path)
    yield store
    store.close()


@pytest.fixture(params=["sqlite", "mongomock"])
def engine_store(request, tmp_path):
    """The same single-threaded behaviour on the embedded engine and on MongoDB's API (mongomock)."""
    if request.param == "sqlite":
        store = open_sqlite(tmp_path)
    else:
        store = open_store({"MONGODB_URI": "mongomock://"})
        ensure_indexes(store)
        bind_cipher(store, cipher_in(tmp_path))
    yield store
    store.close()


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = T0):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock():
    return Clock()


class RecordingChannel:
    """Counts every send per message id; `failures` scripts what it raises on successive calls."""

    def __init__(self, name: str, failures: list[Exception] | None = None):
        self.name = name
        self.failures = list(failures or [])
        self.sent: Counter[str] = Counter()
        self.calls = 0
        self._lock = threading.Lock()

    def send(self, message, rendered, progress):
        with self._lock:
            self.calls += 1
            if self.failures:
                raise self.failures.pop(0)
            self.sent[message["_id"]] += 1
        return {"recorded": True}


def recording_channels(*names: str) -> dict[str, RecordingChannel]:
    return {name: RecordingChannel(name) for name in names or ("inbox", "webpush", "sms")}


def always_failing(name: str, times: int = 100) -> RecordingChannel:
    return RecordingChannel(name, [RetryLater("provider down") for _ in range(times)])


def make_worker(store, channels, clock=None, **options) -> Worker:
    options.setdefault("quiet_hours", None)
    return Worker(store, channels, clock=clock or Clock(), **options)


def sample_data(event: str, **changes) -> dict:
    return {**TEMPLATES[event].sample, **changes}


def make_message(
    store,
    event: str = "application.submitted",
    account_id: str | None = "acc-1",
    phone: str | None = None,
    key: str | None = None,
    now: datetime = T0,
    **data,
) -> dict:
    """Enqueue one message with the template's sample data (and `data` over it)."""
    recipient = {"account_id": account_id, "phone": phone}
    key = key or f"{event}:{account_id or 'by-phone'}:{next(_keys)}"  # never the phone: keys are stored in plaintext
    return enqueue(store, event, recipient, sample_data(event, **data), key, now=now)


@pytest.fixture
def app(tmp_path):
    """The real app; push subscriptions may point at the loopback stub."""
    return create_app(
        {
            "DATA_DIR": str(tmp_path / "var"),
            "TESTING": True,
            "LOG_LEVEL": "WARNING",
            "WEBPUSH_ENDPOINT_HOSTS": "127.0.0.1",
        }
    )
