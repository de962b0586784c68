"""The embedded engine's queue of writers: one writer at a time, handed on without SQLite's sleeps.

SQLite lets one writer in at a time. A writer that finds the lock taken sleeps and tries again with
growing sleeps (1, 2, 5 … 100 ms) until its busy timeout, so under contention a waiting writer often
sleeps on long after the lock came free: long tails (submit alone at 32 clients: p99 560 ms). Writers
of the store queue here first instead:

- the threads of one process on a threading lock (woken as soon as it is released);
- the processes (gunicorn workers, the worker, stats and jobs processes) on an advisory lock, flock on
  a sidecar file next to the database (`<database>-writer.lock`), tried every 0.5–2 ms. A process
  that polls holds a shared flock on `<database>-writer.wait`, so the process holding the turn can see
  that others wait: after 8 turns in a row it steps aside until one of them has had its turn (up to 2 ms),
  instead of handing the turn from thread to thread while the other processes starve.

Only then does the writer BEGIN IMMEDIATE, which finds SQLite's lock free unless a writer outside the
queue holds it (the sqlite3 shell, a raw connection): SQLite's busy timeout still applies there, with
what is left of the wait. The whole wait is bounded by the store's busy timeout; past it the writer
gets the error SQLite gives, "database is locked", which the API answers 503 + Retry-After.

The kernel releases a flock when its process dies (kill -9 included), so a dead writer never blocks
the queue. A flock belongs to the open file description, which a forked child shares with its
parent: each process opens the sidecar itself, lazily, and a child forgets what it inherited.
Readers never queue (WAL: they read a snapshot while one writer writes).
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
import weakref
from contextlib import contextmanager
from typing import IO

# A waiting process tries every 0.5-2 ms: on the load benchmark's mix (docs/performance.md) polling every
# 0.1-0.5 ms gave the same throughput and a p99 of 75-80 ms against 54-58 ms: each wake-up takes the waiting
# process's interpreter lock from its other thread.
FIRST_POLL_SECONDS = 0.0005
LONGEST_POLL_SECONDS = 0.002
TURNS_WHILE_OTHERS_WAIT = 8
STEP_ASIDE_SECONDS = 0.002

_queues: weakref.WeakSet[WriterQueue] = weakref.WeakSet()


def busy_error() -> sqlite3.OperationalError:
    """The error SQLite raises when its busy timeout passes, so every caller handles one error."""
    return sqlite3.OperationalError("database is locked")


class WriterQueue:
    """Acquire before BEGIN IMMEDIATE, release after COMMIT or ROLLBACK; not reentrant."""

    def __init__(self, database_path: str):
        self.lock_path = f"{database_path}-writer.lock"
        self.wait_path = f"{database_path}-writer.wait"
        self._threads = threading.Lock()
        self._file: IO[bytes] | None = None
        self._wait_file: IO[bytes] | None = None
        self._streak = 0
        self._step_aside = False
        self._no_file = False  # the sidecar cannot be made (a read-only folder): threads queue, processes rely on SQLite
        _queues.add(self)

    def acquire(self, timeout: float) -> float:
        """Wait for our turn, at most `timeout` seconds; returns the seconds left of it.

        Raises the busy error when the time is up: nothing is held then.
        """
        deadline = time.monotonic() + timeout
        if not self._threads.acquire(timeout=max(timeout, 0)):
            raise busy_error()
        try:
            sidecar = self._sidecar()
            if sidecar is not None:
                if self._step_aside:
                    self._step_aside = False
                    self._let_others_in(deadline)
                if not self._try(sidecar.fileno()):
                    self._streak = 0
                    with self._waiting():
                        self._lock_file(sidecar.fileno(), deadline)
        except BaseException:
            self._threads.release()
            raise
        return deadline - time.monotonic()

    def release(self) -> None:
        try:
            if self._file is not None:
                fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
                self._streak += 1
                if self._streak >= TURNS_WHILE_OTHERS_WAIT:  # looked at once every so many turns: it costs two syscalls
                    self._streak, self._step_aside = 0, self._others_waiting()
        finally:
            self._threads.release()

    @staticmethod
    def _try(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    @contextmanager
    def _waiting(self):
        """Other processes see that this one waits (a shared lock on the wait file) while it polls."""
        if self._wait_file is None:
            try:
                self._wait_file = open(self.wait_path, "ab")  # noqa: SIM115 - held for the life of the store
            except OSError:
                yield
                return
        fcntl.flock(self._wait_file.fileno(), fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(self._wait_file.fileno(), fcntl.LOCK_UN)

    def _others_waiting(self) -> bool:
        if self._wait_file is None:
            try:
                self._wait_file = open(self.wait_path, "ab")  # noqa: SIM115 - held for the life of the store
            except OSError:
                return False
        if not self._try(self._wait_file.fileno()):
            return True
        fcntl.flock(self._wait_file.fileno(), fcntl.LOCK_UN)
        return False

    def _let_others_in(self, deadline: float) -> None:
        """This process had several turns in a row while others waited: wait until one of them has had its turn."""
        until = min(deadline, time.monotonic() + STEP_ASIDE_SECONDS)
        while time.monotonic() < until and self._others_waiting():
            time.sleep(FIRST_POLL_SECONDS)

    def _sidecar(self) -> IO[bytes] | None:
        if self._file is None and not self._no_file:
            try:
                self._file = open(self.lock_path, "ab")  # noqa: SIM115 - held for the life of the store
            except OSError:
                self._no_file = True
        return self._file

    @staticmethod
    def _lock_file(fd: int, deadline: float) -> None:
        pause = FIRST_POLL_SECONDS
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                pass
            left = deadline - time.monotonic()
            if left <= 0:
                raise busy_error()
            time.sleep(min(pause, left))
            pause = min(pause * 2, LONGEST_POLL_SECONDS)

    def _forget_after_fork(self) -> None:
        """In a forked child: the parent's thread lock and lock file are not ours (never unlock them)."""
        self._threads = threading.Lock()
        if self._file is not None:
            try:
                self._file.close()  # closes the child's copy only: the parent's flock stays held until it releases it
            except OSError:
                pass
        self._file = None
        if self._wait_file is not None:
            try:
                self._wait_file.close()
            except OSError:
                pass
        self._wait_file = None
        self._streak, self._step_aside = 0, False


def _after_fork_in_child() -> None:
    for queue in list(_queues):
        queue._forget_after_fork()


os.register_at_fork(after_in_child=_after_fork_in_child)
