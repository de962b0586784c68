"""The 四办 counts of the catalogue, what the public may see, the admin's views, and the aggregator on MongoDB."""

from __future__ import annotations

import json

from api.catalog.service import catalogue_changed, load_catalog
from api.stats import aggregate
from api.store import ensure_indexes, open_store

from .conftest import stored_application, stored_evaluation

LICENCE = "430200-SCJG-004"


def test_the_four_ways_counts_are_those_of_the_catalogue_data(client):
    counts = client.get("/api/v1/stats/catalogue").get_json()
    # api/catalog/data/items.json: 24 items; 马上办 are the 12 immediate items, every item is 网上办 and 一次办,
    # 6 are 就近办; one (不动产转移登记) needs a visit
    assert (counts["items"], counts["bundles"]) == (24, 5)
    assert counts["tags"] == {"马上办": 12, "网上办": 24, "就近办": 6, "一次办": 24}
    assert (counts["zero_visit_items"], counts["at_most_one_visit_items"]) == (23, 24)
    scjg = next(row for row in counts["departments"] if row["department"] == "scjg")
    assert (scjg["items"], scjg["马上办"], scjg["就近办"]) == (4, 1, 1)


def test_the_four_ways_counts_follow_a_change_of_the_catalogue(client, store):
    store["catalog_items"].update_one({"_id": "430200-SCJG-004"}, {"$set": {"status": "withdrawn"}})
    catalogue_changed(store)
    counts = client.get("/api/v1/stats/catalogue").get_json()
    assert (counts["items"], counts["tags"]["网上办"]) == (23, 23)


def test_public_figures_are_cacheable_and_name_no_person(client, store):
    application = stored_application(store, item=LICENCE, state="submitted", prefilled=3)
    stored_evaluation(store, application, 1)
    for path in ("overview", "months", "items", "departments", "bundles", "catalogue"):
        response = client.get(f"/api/v1/stats/{path}")
        assert response.status_code == 200
        assert response.headers["Cache-Control"].startswith("public, max-age=")
        text = json.dumps(response.get_json(), ensure_ascii=False)
        for personal in (application["_id"], application["number"], application["applicant_id"], "张三", "zz-smzx"):
            assert personal not in text, (path, personal)
    assert client.get("/api/v1/stats/items").get_json()[0]["applications"] == 1


def test_the_admin_views_need_a_login_and_the_admin_role(client, auth_header):
    for path in ("/api/v1/admin/stats/halls", "/api/v1/admin/stats/overdue"):
        assert client.get(path).status_code == 401
        assert client.get(path, headers=auth_header("acc-clerk", roles=("clerk",))).status_code == 403
        response = client.get(path, headers=auth_header("acc-admin", roles=("admin",)))
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store"


def test_the_admin_sees_figures_per_hall_and_the_items_open_past_their_deadline(client, store, auth_header):
    waiting = stored_application(store, item=LICENCE, state="submitted", deadlines=("2026-11-05",), hall="zz-lsq")
    late = stored_application(store, item=LICENCE, state="in_review", deadlines=("2026-11-05",))
    stored_application(store, item=LICENCE, state="in_review", deadlines=("2999-01-01",))
    stored_application(store, item=LICENCE, state="completed", completed_at="2026-11-09T02:00:00.000Z", deadlines=("2026-11-05",))
    admin = auth_header("acc-admin", roles=("admin",))
    halls = {row["code"]: row["applications"] for row in client.get("/api/v1/admin/stats/halls", headers=admin).get_json()}
    assert halls == {"zz-lsq": 1, "zz-smzx": 3}
    overdue = client.get("/api/v1/admin/stats/overdue", headers=admin).get_json()
    assert sorted(row["number"] for row in overdue) == sorted([waiting["number"], late["number"]])
    assert {(row["deadline_on"], row["department"]) for row in overdue} == {("2026-11-05", "scjg")}


def test_the_aggregator_counts_once_on_the_mongodb_engine_too():
    store = open_store({"MONGODB_URI": "mongomock://", "MONGODB_DATABASE": "stats_test"})
    ensure_indexes(store)
    load_catalog(store)
    first = stored_application(store, item=LICENCE, state="submitted", prefilled=5)
    stored_application(store, item=LICENCE, state="submitted", prefilled=5)
    assert aggregate.run(store)["applications"] == 2
    assert aggregate.run(store)["applications"] == 0
    store["applications"].update_one(
        {"_id": first["_id"]}, {"$set": {"state": "withdrawn", "updated_at": "2026-11-12T00:00:00.000Z"}}
    )
    assert aggregate.run(store)["applications"] == 1
    assert store["stats_counters"].find_one({"_id": "item:" + LICENCE})["applications"] == 1


def test_the_worker_command_counts_what_is_new_and_then_nothing(app, store):
    stored_application(store, item=LICENCE, state="submitted", prefilled=1)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["stats", "aggregate"])
    assert first.exit_code == 0, first.output
    assert "applications 1" in first.output
    again = runner.invoke(args=["stats", "aggregate"])
    assert "applications 0" in again.output
    assert store["stats_counters"].find_one({"_id": "overall"})["applications"] == 1
