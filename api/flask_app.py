"""The Flask class of the API: Flask, with `ensure_sync` remembering which functions are plain.

Flask asks `ensure_sync` before every call of a view, a before/after-request hook and a teardown function
(about nine a request), and each answer is an `inspect.iscoroutinefunction` call, 3 % of a request's
in-process cost (docs/performance.md). Whether a function is a coroutine function is fixed when it is
defined, so a function once found plain is remembered, and the same function is returned as before. A
bound method is remembered by its function, since methods are bound anew on every request. Coroutine
functions are never remembered: they go to Flask's `async_to_sync` on every call, as before. The set is
bounded: functions made per request (a partial, a closure) would otherwise add to it without end.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

PLAIN_FUNCTIONS_KEPT = 4096


class OneTripFlask(Flask):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plain_functions: set = set()

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        key = getattr(func, "__func__", func)
        if key in self._plain_functions:
            return func
        ensured = super().ensure_sync(func)
        if ensured is func:
            if len(self._plain_functions) >= PLAIN_FUNCTIONS_KEPT:
                self._plain_functions.clear()
            self._plain_functions.add(key)
        return ensured
