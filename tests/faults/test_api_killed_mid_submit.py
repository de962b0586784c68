"""kill -9 of the API (gunicorn, production settings) while 200 submissions are in flight: after a
restart every application is either wholly submitted — its sub-applications, its fee order, its
timeline event and its notification — or still a draft with none of those. Never half."""

from __future__ import annotations

import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import requests

from api.store import SQLiteStore

from .conftest import bearer
from .drafts import API, BUYER, ready_property_transfer
from .processes import wait_for

DRAFTS = 200


def clone_drafts(store, draft_id: str, count: int) -> list[str]:
    """`count` copies of a ready draft under new ids and numbers: as if `count` people had filled one in."""
    original = store["applications"].find_one({"_id": draft_id})
    copies = [{**original, "_id": f"{draft_id}_{n:03d}", "number": f"{original['number']}{n:03d}"} for n in range(count - 1)]
    store["applications"].insert_many(copies)
    return [draft_id] + [copy["_id"] for copy in copies]


def submit_all(url: str, headers: dict, ids: list[str], version: int, stop_after: int) -> tuple[dict, ThreadPoolExecutor]:
    """POST every submit from 32 threads; a request cut off by the kill is recorded as its exception."""
    outcomes: dict[str, object] = {}
    answered = threading.Semaphore(0)

    def one(application_id: str):
        try:
            response = requests.post(f"{url}{API}/applications/{application_id}/submit", json={"version": version},
                                     headers=headers, timeout=30)  # fmt: skip
            outcomes[application_id] = response.status_code
        except requests.RequestException as error:
            outcomes[application_id] = type(error).__name__
        answered.release()

    pool = ThreadPoolExecutor(max_workers=32)
    for application_id in ids:
        pool.submit(one, application_id)
    for _ in range(stop_after):
        answered.acquire()
    return outcomes, pool


def parts_of(store, application_id: str) -> dict[str, int]:
    return {
        "subs": store["sub_applications"].count_documents({"application_id": application_id}),
        "fee_orders": store["fee_orders"].count_documents({"application_id": application_id}),
        "submit_events": store["application_events"].count_documents({"application_id": application_id, "action": "submit"}),
        "notifications": store["outbox"].count_documents(
            {"event": "application.submitted", "data.application_id": application_id}
        ),
    }


def test_an_api_killed_during_200_submissions_leaves_each_application_whole_or_a_draft(seeded, processes):
    data_dir, app = seeded
    store, headers = app.extensions["store"], bearer(app, BUYER)
    draft = ready_property_transfer(app.test_client(), headers)
    ids = clone_drafts(store, draft["id"], DRAFTS)
    api = processes.api(data_dir)

    outcomes, pool = submit_all(api.url, headers, ids, draft["version"], stop_after=random.randint(20, 80))
    api.kill_hard()
    pool.shutdown(wait=True)

    survivor = SQLiteStore(str(data_dir / "onetrip.sqlite3"))  # the file as the crash left it, read directly
    assert survivor.connection().execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    items = len(draft["items"])
    states = Counter()
    for application_id in ids:
        application = survivor["applications"].find_one({"_id": application_id})
        parts = parts_of(survivor, application_id)
        states[application["state"]] += 1
        if application["state"] == "draft":
            assert parts == {"subs": 0, "fee_orders": 0, "submit_events": 0, "notifications": 0}, (application_id, parts)
        else:
            assert application["state"] == "submitted", application["state"]
            assert parts == {"subs": items, "fee_orders": 1, "submit_events": 1, "notifications": 1}, (application_id, parts)
            assert survivor["fee_orders"].find_one({"application_id": application_id})["amount_fen"] == 8000
        if outcomes.get(application_id) == 200:
            assert application["state"] == "submitted", f"{application_id} was answered 200 but is lost after the crash"
    landed = f"the kill did not land mid-run: {states}, {Counter(outcomes.values())}"
    assert states["submitted"] >= 20 and states["draft"] >= 1, landed

    restarted = processes.api(data_dir)  # and the drafts the crash left are submitted as if nothing happened
    for application_id in [i for i in ids if survivor["applications"].find_one({"_id": i})["state"] == "draft"]:
        answer = requests.post(f"{restarted.url}{API}/applications/{application_id}/submit", json={"version": draft["version"]},
                               headers=headers, timeout=30)  # fmt: skip
        assert answer.status_code == 200, answer.text
    wait_for(lambda: survivor["applications"].count_documents({"_id": {"$in": ids}, "state": "submitted"}) == DRAFTS)
    assert survivor["sub_applications"].count_documents({"application_id": {"$in": ids}}) == DRAFTS * items
    assert survivor["fee_orders"].count_documents({"application_id": {"$in": ids}}) == DRAFTS
