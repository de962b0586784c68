"""Fixtures of the fault tests: a data directory seeded like `make run`, and real API processes."""

from __future__ import annotations

import pytest

from api import create_app
from api.cli import DEMO_SEEDERS
from api.store import ensure_indexes
from auth.tokens import issue_access_token

from .processes import Process, free_port, start_api


@pytest.fixture
def seeded(tmp_path):
    """(data_dir, app): the demo data of `make run` in tmp_path/var, and an in-process app on the same file."""
    data_dir = tmp_path / "var"
    app = create_app({"DATA_DIR": str(data_dir), "TESTING": True, "LOG_LEVEL": "WARNING"})
    store = app.extensions["store"]
    with app.app_context():
        ensure_indexes(store)
        for _name, seeder in DEMO_SEEDERS:
            seeder(store, app)
    return data_dir, app


@pytest.fixture
def processes():
    """processes.api(data_dir, **settings) starts the API under gunicorn; every process started is killed at teardown."""

    class Started:
        def __init__(self):
            self.all: list[Process] = []

        def api(self, data_dir, **settings) -> Process:
            process = start_api(data_dir, free_port(), **settings)
            self.all.append(process)
            return process

        def track(self, process: Process) -> Process:
            self.all.append(process)
            return process

    started = Started()
    yield started
    for process in started.all:
        process.stop()


def bearer(app, account_id: str, role: str = "citizen", acr: int = 2) -> dict:
    with app.app_context():
        return {"Authorization": "Bearer " + issue_access_token(app, account_id, roles=(role,), acr=acr)}
