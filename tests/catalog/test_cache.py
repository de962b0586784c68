"""The catalogue from memory (api/catalog/cache.py): every app on the same store sees a write on its next
request, on either engine; searches answer exactly as the store did; a kept answer is the same response;
the documents handed out cannot be changed; memory holds one catalogue whatever the number of writes."""

from __future__ import annotations

import copy
import gc
import itertools
import weakref

import pytest

from api import create_app
from api.catalog import cache, service
from api.catalog.service import BUNDLES, ITEMS, catalogue_changed, load_catalog
from api.store import MongoStore
from auth.tokens import issue_access_token

from .conftest import ADMIN, PUBLIC, as_update

ITEM = "430200-GAJ-001"  # 户口出生登记, held by the bundle newborn


def _config(tmp_path, engine: str) -> dict:
    config = {"DATA_DIR": str(tmp_path / "var"), "TESTING": True, "LOG_LEVEL": "WARNING"}
    return {**config, "MONGODB_URI": "mongomock://"} if engine == "mongomock" else config


@pytest.fixture(params=["sqlite", "mongomock"])
def two_apps(request, tmp_path):
    """Two apps on one store, as two gunicorn workers (or two hosts) are: each with its own store object."""
    first, second = create_app(_config(tmp_path, request.param)), create_app(_config(tmp_path, request.param))
    if request.param == "mongomock":  # each mongomock client is its own server: share the first one's
        store = first.extensions["store"]
        second.extensions["store"] = MongoStore(store.client, store.db.name)
    load_catalog(first.extensions["store"])
    return first, second


def _admin(app) -> dict:
    return {"Authorization": "Bearer " + issue_access_token(app, "acc-admin", roles=("admin",), acr=1)}


def _renamed(client, headers, code: str, name: str) -> None:
    current = client.get(f"{PUBLIC}/items/{code}").get_json()
    response = client.put(f"{ADMIN}/items/{code}", json={**as_update(current), "name": name}, headers=headers)
    assert response.status_code == 200, response.get_json()


def _item_names(client, **query) -> list[str]:
    response = client.get(f"{PUBLIC}/items", query_string={"page_size": 100, **query})
    assert response.status_code == 200, response.get_json()
    return [item["name"] for item in response.get_json()]


# -- every process sees every write on its next request ------------------------------------------------------


def test_an_admin_edit_through_one_app_is_seen_by_the_other_app_on_its_next_request(two_apps):
    first, second = (app.test_client() for app in two_apps)
    assert second.get(f"{PUBLIC}/items/{ITEM}").get_json()["name"] == "户口出生登记"  # the second app has its copy
    old_names = _item_names(second)

    _renamed(first, _admin(two_apps[0]), ITEM, "新生儿出生登记（改）")

    assert second.get(f"{PUBLIC}/items/{ITEM}").get_json()["name"] == "新生儿出生登记（改）"
    assert _item_names(second) == [name if name != "户口出生登记" else "新生儿出生登记（改）" for name in old_names]
    assert _item_names(second, q="（改）") == ["新生儿出生登记（改）"]
    guides = second.get(f"{PUBLIC}/bundles/newborn").get_json()["item_guides"]
    assert "新生儿出生登记（改）" in [guide["name"] for guide in guides]  # the bundle recomputed with it


def test_a_new_item_and_a_reloaded_catalogue_from_one_app_reach_the_other(two_apps, tmp_path):
    first, second = (app.test_client() for app in two_apps)
    assert second.get(f"{PUBLIC}/items/430200-ZWFW-101").status_code == 404
    from .conftest import item_data

    assert first.post(f"{ADMIN}/items", json=item_data(), headers=_admin(two_apps[0])).status_code == 201
    assert second.get(f"{PUBLIC}/items/430200-ZWFW-101").get_json()["name"] == "居住证明开具"

    load_catalog(two_apps[0].extensions["store"])  # `flask load-catalog` (nothing changes: still a new generation)
    assert second.get(f"{PUBLIC}/items/430200-ZWFW-101").status_code == 200


def test_a_direct_write_followed_by_catalogue_changed_is_seen_by_the_other_app(two_apps):
    store = two_apps[0].extensions["store"]
    second = two_apps[1].test_client()
    assert "户口出生登记" in _item_names(second)

    store[ITEMS].update_one({"_id": ITEM}, {"$set": {"status": "retired"}})
    catalogue_changed(store)

    assert "户口出生登记" not in _item_names(second)


def test_a_refused_edit_leaves_the_copies_as_they_were(two_apps):
    first, second = (app.test_client() for app in two_apps)
    current = first.get(f"{PUBLIC}/items/{ITEM}").get_json()
    stale = {**as_update(current), "name": "不会保存", "version": current["version"] + 1}

    response = first.put(f"{ADMIN}/items/{ITEM}", json=stale, headers=_admin(two_apps[0]))

    assert response.status_code == 409
    assert first.get(f"{PUBLIC}/items/{ITEM}").get_json() == current == second.get(f"{PUBLIC}/items/{ITEM}").get_json()


def test_a_request_reads_the_generation_once_however_many_catalogue_reads_it_makes(catalog, app, store, monkeypatch):
    reads = []
    stored_stamp = cache._stored_stamp
    monkeypatch.setattr(cache, "_stored_stamp", lambda store: reads.append(1) or stored_stamp(store))
    cache.catalogue(store)  # the copy is loaded
    reads.clear()

    with app.test_request_context(f"{PUBLIC}/bundles/newborn"):
        bundle = service.get_bundle(store, "newborn")
        [service.get_item(store, code) for code in bundle["items"]]
        service.departments(store)
    assert len(reads) == 1

    service.get_item(store, ITEM)
    service.get_item(store, ITEM)
    assert len(reads) == 3  # outside a request (the CLI, the workers): every read asks


def test_a_request_that_edits_the_catalogue_reads_its_own_edit_afterwards(catalog, app, store):
    with app.test_request_context(f"{ADMIN}/items/{ITEM}"):
        current = service.get_item(store, ITEM)
        service.update_item(store, ITEM, {**as_update(current), "name": "户口出生登记（同一请求）"})

        assert service.get_item(store, ITEM)["name"] == "户口出生登记（同一请求）"


# -- searching the copy answers as the store did -------------------------------------------------------------


def _stored_search(store, collection: str, q=None, department=None, tag=None, for_whom=None) -> list[dict]:
    """The search as it was before the copy: the filters in the store, department of a bundle and keywords in Python."""
    query = {"status": "active", **({"tags": tag} if tag else {}), **({"for_whom": for_whom} if for_whom else {})}
    if department and collection == ITEMS:
        query["department"] = department
    found = [{k: v for k, v in d.items() if k != "_id"} for d in store[collection].find(query, sort=[("_id", 1)])]
    if department and collection == BUNDLES:
        found = [b for b in found if any(d["code"] == department for d in b["guide"]["departments"])]
    keys = ("code", "name", "summary", "department_name", "lead_department_name")
    words = (q or "").split()
    return [d for d in found if all(w in " ".join(str(d.get(k) or "") for k in keys) for w in words)]


def test_searches_from_memory_give_what_the_store_gives_in_the_same_order(catalog, store):
    store[ITEMS].update_one({"_id": "430200-GS-001"}, {"$set": {"status": "retired"}})  # not listed any more
    catalogue_changed(store)
    queries = itertools.product(
        [None, "营业", "出生", "过户", "医疗保障局", "餐饮 执照", "430200-GAJ", "没有这个词"],
        [None, "gaj", "scjg", "ybj", "gs"],
        [None, "马上办", "就近办"],
        [None, "person", "business"],
    )
    non_empty = 0
    for q, department, tag, for_whom in queries:
        args = {"q": q, "department": department, "tag": tag, "for_whom": for_whom}
        for collection, search in ((ITEMS, service.search_items), (BUNDLES, service.search_bundles)):
            expected = _stored_search(store, collection, **args)
            assert search(store, **args) == expected, (collection, args)
            assert search(store, **args) == expected, (collection, args)  # the kept result, the second time
            non_empty += bool(expected)
    assert non_empty > 100


# -- answers kept for the public GETs -----------------------------------------------------------------------

PATHS = [
    f"{PUBLIC}/items",
    f"{PUBLIC}/items?q=%E8%90%A5%E4%B8%9A&page_size=2&page=2",
    f"{PUBLIC}/bundles?department=gaj",
    f"{PUBLIC}/bundles/newborn",
    f"{PUBLIC}/items/{ITEM}",
    f"{PUBLIC}/departments",
    f"{PUBLIC}/certificate-types",
]


def _seen(response) -> tuple:
    return response.status_code, response.get_data(), [(k, v) for k, v in response.headers.items() if k != "X-Request-ID"]


@pytest.mark.parametrize("path", PATHS)
def test_a_public_get_answered_again_from_memory_is_the_same_response_without_running_the_view(
    catalog, client, monkeypatch, path
):
    first = client.get(path)
    assert first.status_code == 200 and first.headers["Cache-Control"] == "public, max-age=300"
    for name in ("search_items", "search_bundles", "get_item", "get_bundle", "departments", "certificate_types"):
        monkeypatch.setattr(service, name, lambda *args, **kwargs: pytest.fail("the view ran again"))

    again = client.get(path)

    assert _seen(again) == _seen(first)
    assert again.headers["X-Request-ID"] != first.headers["X-Request-ID"]


def test_a_kept_answer_gives_304_for_its_etag_with_its_caching_headers(catalog, client):
    etag = client.get(f"{PUBLIC}/bundles/newborn").headers["ETag"]

    response = client.get(f"{PUBLIC}/bundles/newborn", headers={"If-None-Match": etag})

    assert response.status_code == 304 and response.get_data() == b""
    assert (response.headers["ETag"], response.headers["Cache-Control"]) == (etag, "public, max-age=300")
    assert client.get(f"{PUBLIC}/bundles/newborn", headers={"If-None-Match": '"other"'}).status_code == 200


def test_an_edit_makes_the_public_gets_answer_the_new_catalogue_with_a_new_etag(catalog, client, admin):
    before = client.get(f"{PUBLIC}/items/{ITEM}")

    _renamed(client, admin, ITEM, "出生登记（新）")

    after = client.get(f"{PUBLIC}/items/{ITEM}", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.get_json()["name"] == "出生登记（新）"
    assert after.headers["ETag"] != before.headers["ETag"]
    assert "出生登记（新）" in _item_names(client)


def test_an_error_answer_is_not_kept(catalog, client):
    assert client.get(f"{PUBLIC}/items?tag=nope").status_code == 422
    assert client.get(f"{PUBLIC}/items/NOPE").status_code == 404

    assert client.get(f"{PUBLIC}/items?tag=nope").status_code == 422
    assert client.get(f"{PUBLIC}/items/NOPE").status_code == 404


# -- read-only documents, bounded memory ---------------------------------------------------------------------


def test_documents_from_memory_cannot_be_changed_in_place_but_copy_into_plain_ones(catalog, store):
    item = service.get_item(store, ITEM)

    for change in (
        lambda: item.__setitem__("name", "x"),
        lambda: item.update(name="x"),
        lambda: item.pop("name"),
        lambda: item["fields"].append({}),
        lambda: item["fields"][0].__setitem__("label", "x"),
        lambda: service.get_bundle(store, "newborn")["items"].sort(),
        lambda: service.departments(store)["gaj"].clear(),
    ):
        with pytest.raises(TypeError, match="read-only"):
            change()
    plain = copy.deepcopy(item)
    plain["fields"][0]["label"] = "x"
    assert type(plain) is dict and type(plain["fields"]) is list
    assert service.get_item(store, ITEM)["fields"][0]["label"] != "x"


def test_memory_holds_one_catalogue_whatever_the_number_of_generations(catalog, store):
    copies = [weakref.ref(cache.catalogue(store))]
    for _ in range(3):
        catalogue_changed(store)
        copies.append(weakref.ref(cache.catalogue(store)))
    gc.collect()

    assert [copy() is not None for copy in copies] == [False, False, False, True]


def test_what_a_catalogue_keeps_is_bounded_in_entries_and_bytes(catalog, store, client):
    for n in range(cache.KEPT + 20):
        assert client.get(f"{PUBLIC}/items", query_string={"q": f"词{n}"}).status_code == 200
    entries, size = cache.catalogue(store).kept_size
    assert 0 < entries <= cache.KEPT

    catalogue = cache.catalogue(store)
    catalogue.keep(("big", 1), b"", cache.KEPT_BYTES - 10)
    catalogue.keep(("big", 2), b"", 20)
    assert catalogue.recall(("big", 1)) is None and catalogue.kept_size == (1, 20)
    catalogue.keep(("too big",), b"", cache.KEPT_BYTES + 1)
    assert catalogue.recall(("too big",)) is None and catalogue.kept_size[1] <= cache.KEPT_BYTES
