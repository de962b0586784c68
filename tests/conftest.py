"""Shared fixtures: a real app on a fresh embedded database per test, and a way to log in."""

from __future__ import annotations

import pytest

from api import create_app


@pytest.fixture
def app(tmp_path):
    return create_app({"DATA_DIR": str(tmp_path / "var"), "TESTING": True, "LOG_LEVEL": "WARNING"})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def store(app):
    return app.extensions["store"]


@pytest.fixture
def auth_header(app):
    """auth_header("acc-1", roles=("citizen",)) -> {"Authorization": "Bearer …"}."""
    from auth.tokens import issue_access_token

    def make(account_id: str = "acc-test", roles=("citizen",), acr: int = 1, act: str | None = None) -> dict:
        return {"Authorization": "Bearer " + issue_access_token(app, account_id, roles=roles, acr=acr, act=act)}

    return make
