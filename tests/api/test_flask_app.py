"""OneTripFlask.ensure_sync: a plain function is looked at once, a coroutine function every time."""

import flask.app
import pytest

from api import flask_app
from api.flask_app import OneTripFlask


@pytest.fixture
def looked_at(monkeypatch):
    """The functions Flask's own ensure_sync asks inspect about, in order."""
    seen = []
    real = flask.app.iscoroutinefunction

    def counting(func):
        seen.append(func)
        return real(func)

    monkeypatch.setattr(flask.app, "iscoroutinefunction", counting)
    return seen


def test_the_api_runs_on_the_class(app):
    assert isinstance(app, OneTripFlask)


def test_a_plain_function_is_looked_at_once_and_returned_as_it_is(looked_at):
    app = OneTripFlask(__name__)

    def view():
        return "ok"

    assert app.ensure_sync(view) is view
    assert app.ensure_sync(view) is view
    assert looked_at == [view]


def test_a_method_bound_anew_is_remembered_by_its_function(looked_at):
    app = OneTripFlask(__name__)

    class View:
        def get(self):
            return "ok"

    first, second = View().get, View().get
    assert app.ensure_sync(first) == first
    assert app.ensure_sync(second) == second
    assert looked_at == [first]


def test_a_coroutine_function_goes_to_async_to_sync_every_time(looked_at, monkeypatch):
    app = OneTripFlask(__name__)
    wrapped = []
    monkeypatch.setattr(app, "async_to_sync", lambda func: wrapped.append(func) or (lambda: "ran"))

    async def view():
        return "ok"

    assert app.ensure_sync(view)() == "ran"
    assert app.ensure_sync(view)() == "ran"
    assert wrapped == [view, view]
    assert looked_at == [view, view]


def test_the_remembered_functions_are_bounded(monkeypatch):
    monkeypatch.setattr(flask_app, "PLAIN_FUNCTIONS_KEPT", 3)
    app = OneTripFlask(__name__)
    for _ in range(10):
        app.ensure_sync(lambda: None)  # a new function each time, as a closure made per request would be
    assert 1 <= len(app._plain_functions) <= 3


def test_requests_through_every_hook_still_answer(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.headers["X-Request-ID"]
    assert response.headers["Content-Security-Policy"]
