"""Factories for retention tests: rows of each kind, stamped at a chosen age, written straight to the store."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import time

import pytest

from api.applications.uploads import UPLOADS, upload_path
from api.clock import to_iso
from api.store import new_id
from tests.auth.conftest import clock  # noqa: F401 - the fixture moves api.clock

NOW = dt.datetime(2026, 5, 4, 2, 0, tzinfo=dt.UTC)  # where the clock fixture starts


def days_ago(days: float) -> str:
    return to_iso(NOW - dt.timedelta(days=days))


@pytest.fixture
def data_dir(app) -> str:
    return app.config["DATA_DIR"]


@pytest.fixture
def closed_application(store, data_dir):
    """closed_application(state, closed_days_ago) -> (application, upload record): one uploaded material, its file on disk."""

    def make(state: str = "rejected", closed_days_ago: float = 200) -> tuple[dict, dict]:
        application_id = new_id("app_")
        content = f"%PDF-1.4 {application_id}".encode()
        digest = hashlib.sha256(content).hexdigest()
        path = upload_path(data_dir, digest)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        old = time.time() - 400 * 86400
        os.utime(path, (old, old))
        upload = {"_id": new_id("upl_"), "owner_id": "acc-1", "application_id": application_id, "sha256": digest,
                  "created_at": days_ago(closed_days_ago + 10)}  # fmt: skip
        store[UPLOADS].insert_one(upload)
        application = {"_id": application_id, "number": application_id, "state": state, "applicant_id": "acc-1",
                       "materials": {"floor_plan": {"status": "provided", "upload_id": upload["_id"]}},
                       "created_at": days_ago(closed_days_ago + 20), "updated_at": days_ago(closed_days_ago),
                       "version": 5}  # fmt: skip
        store["applications"].insert_one(application)
        return application, upload

    return make
