"""Whether this run also proved the contract on a real MongoDB server."""

import pytest

from .conftest import REAL_MONGODB_SKIP, _real_mongodb_configured


def test_the_contract_suite_also_runs_on_a_real_mongodb_server():
    if not _real_mongodb_configured():
        pytest.skip(REAL_MONGODB_SKIP)
    import os

    from api.store import open_store

    store = open_store({"MONGODB_URI": os.environ["MONGODB_URI"], "MONGODB_DATABASE": "onetrip_ping"})
    assert store.ping()["ok"] is True
