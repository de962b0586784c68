"""GET /api/v1/catalog/…: searching and reading items and bundles, with the error format and HTTP caching."""

from __future__ import annotations

import json

import pytest

from api.catalog import service

from .conftest import PUBLIC, as_update, item_data

pytestmark = pytest.mark.usefixtures("catalog")


def _codes(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [found["code"] for found in response.get_json()]


def test_the_bundle_list_shows_every_active_bundle_by_code(client, store):
    assert _codes(client.get(f"{PUBLIC}/bundles")) == sorted(
        b["_id"] for b in store["catalog_bundles"].find({"status": "active"})
    )


def test_bundles_are_found_by_a_chinese_keyword(client):
    assert _codes(client.get(f"{PUBLIC}/bundles", query_string={"q": "出生"})) == ["newborn"]


def test_every_keyword_must_match(client):
    assert _codes(client.get(f"{PUBLIC}/bundles", query_string={"q": "餐饮 执照"})) == ["open-restaurant"]
    assert _codes(client.get(f"{PUBLIC}/bundles", query_string={"q": "餐饮 退休"})) == []


def test_bundles_are_found_by_any_department_taking_part(client):
    assert _codes(client.get(f"{PUBLIC}/bundles", query_string={"department": "gaj"})) == ["newborn", "start-business"]


def test_bundles_are_found_by_who_they_are_for(client):
    found = _codes(client.get(f"{PUBLIC}/bundles", query_string={"for_whom": "business"}))

    assert "open-restaurant" in found
    assert not {"newborn", "retirement", "property-transfer", "start-business"} & set(found)  # a founder applies in person


def test_bundles_are_found_by_their_four_ways_tag(client):
    assert _codes(client.get(f"{PUBLIC}/bundles", query_string={"tag": "就近办"})) == ["newborn"]


def test_items_are_found_by_a_chinese_keyword_in_their_name_or_summary(client):
    assert _codes(client.get(f"{PUBLIC}/items", query_string={"q": "过户"})) == [
        "430200-GD-001",
        "430200-GS-001",
        "430200-RQ-001",
    ]


def test_items_are_found_by_their_department_name(client, store):
    found = _codes(client.get(f"{PUBLIC}/items", query_string={"q": "医疗保障局", "page_size": 100}))

    assert found == sorted(item["_id"] for item in store["catalog_items"].find({"department": "ybj"}))


def test_items_are_found_by_department_tag_and_who_they_are_for_together(client, store):
    query = {"department": "ybj", "tag": "马上办", "for_whom": "person"}

    found = client.get(f"{PUBLIC}/items", query_string=query).get_json()

    assert found and all(i["department"] == "ybj" and "马上办" in i["tags"] and i["for_whom"] == "person" for i in found)
    assert len(found) == store["catalog_items"].count_documents({"department": "ybj", "tags": "马上办", "for_whom": "person"})


def test_a_retired_item_is_not_listed_but_its_guide_can_still_be_read(client, store):
    service.create_item(store, item_data())
    retired = {**as_update(service.get_item(store, "430200-ZWFW-101")), "status": "retired"}
    service.update_item(store, "430200-ZWFW-101", retired)

    assert "430200-ZWFW-101" not in _codes(client.get(f"{PUBLIC}/items", query_string={"department": "zwfw"}))
    assert client.get(f"{PUBLIC}/items/430200-ZWFW-101").get_json()["status"] == "retired"


def test_an_item_guide_shows_everything_an_applicant_needs_to_know(client):
    guide = client.get(f"{PUBLIC}/items/430200-BDC-001").get_json()

    assert guide["department_name"].startswith("株洲市不动产登记中心") and guide["kind"] == "promised"
    assert (guide["fee_fen"], guide["promised_days"], guide["legal_days"]) == (8000, 3, 30)
    assert guide["fee_basis"] and guide["legal_basis"] and guide["process"] and guide["hall"] and guide["phone"]
    assert {m["trust"] for m in guide["materials"]} >= {"A", "B", "D"}
    assert {"buyer.name", "property.address"} <= {f["name"] for f in guide["fields"]}


def test_a_bundle_shows_its_merged_form_materials_and_guide(client, store):
    bundle = client.get(f"{PUBLIC}/bundles/newborn").get_json()

    fields = {field["name"]: field for field in bundle["fields"]}
    assert fields["applicant.name"]["items"] == bundle["items"]  # asked once for all five items
    assert len(fields) == len(bundle["fields"])
    assert [guide["code"] for guide in bundle["item_guides"]] == bundle["items"]
    assert bundle["guide"]["total_fee_fen"] == 0 and bundle["guide"]["visits"] == 0
    assert [d["code"] for d in bundle["guide"]["departments"]] == ["wjw", "gaj", "rsj", "ybj"]
    assert all(set(material["items"]) <= set(bundle["items"]) for material in bundle["materials"])


def test_a_bundle_guide_adds_up_its_items(client, store):
    bundle = client.get(f"{PUBLIC}/bundles/property-transfer").get_json()
    items = [service.get_item(store, code) for code in bundle["items"]]

    assert bundle["guide"]["total_fee_fen"] == sum(item["fee_fen"] for item in items) == 8000
    assert bundle["guide"]["max_promised_days"] == max(item["promised_days"] for item in items)
    assert bundle["guide"]["visits"] == 1  # the signing at the registration window


def test_the_departments_and_certificate_types_are_listed(client):
    departments = client.get(f"{PUBLIC}/departments").get_json()
    types = client.get(f"{PUBLIC}/certificate-types").get_json()

    assert {"scjg", "gaj", "bdc"} <= {d["code"] for d in departments}
    licence = next(t for t in types if t["type"] == "business_licence")
    assert licence["issuer_name"] == "株洲市市场监督管理局" and {"credit_code", "name"} <= {f["name"] for f in licence["fields"]}


@pytest.mark.parametrize(
    ("path", "code"), [("/items/430200-XXX-999", "item_not_found"), ("/bundles/no-such-thing", "bundle_not_found")]
)
def test_an_unknown_code_is_a_404_in_the_error_format(client, path, code):
    response = client.get(PUBLIC + path)

    assert response.status_code == 404
    assert response.get_json() == {"status": 404, "code": code, "message": response.get_json()["message"], "errors": {}}
    assert response.get_json()["message"] in ("没有这个事项", "没有这件事")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"tag": "马上"}, "tag"),
        ({"for_whom": "everyone"}, "for_whom"),
        ({"q": "餐" * 51}, "q"),
        ({"department": "d" * 21}, "department"),
        ({"page": "0"}, "page"),
        ({"page_size": "1000"}, "page_size"),
        ({"page": "one"}, "page"),
    ],
)
@pytest.mark.parametrize("collection", ["items", "bundles"])
def test_a_bad_query_value_is_a_422_naming_the_parameter(client, collection, query, field):
    response = client.get(f"{PUBLIC}/{collection}", query_string=query)

    assert response.status_code == 422
    assert response.get_json()["code"] == "validation_failed" and list(response.get_json()["errors"]) == [field]


def test_lists_are_paginated_with_the_totals_in_a_header(client, store):
    total = store["catalog_items"].count_documents({"status": "active"})

    response = client.get(f"{PUBLIC}/items", query_string={"page": 2, "page_size": 5})

    pagination = json.loads(response.headers["X-Pagination"])
    assert (pagination["total"], pagination["page"], pagination["previous_page"]) == (total, 2, 1)
    assert pagination["total_pages"] == -(-total // 5) and len(response.get_json()) == 5
    assert _codes(response) == sorted(i["_id"] for i in store["catalog_items"].find({"status": "active"}))[5:10]


@pytest.mark.parametrize("path", ["/bundles", "/bundles/newborn", "/items", "/items/430200-SCJG-001", "/departments"])
def test_public_reads_may_be_cached_by_anyone_and_carry_an_etag(client, path):
    response = client.get(PUBLIC + path)

    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["ETag"].startswith('"')


@pytest.mark.parametrize("path", ["/bundles", "/bundles/newborn", "/items/430200-SCJG-001"])
def test_an_unchanged_resource_answers_304_with_the_same_etag_and_caching(client, path):
    first = client.get(PUBLIC + path)

    again = client.get(PUBLIC + path, headers={"If-None-Match": first.headers["ETag"]})

    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Cache-Control"] == "public, max-age=300"


def test_an_etag_from_another_page_does_not_match(client):
    first = client.get(f"{PUBLIC}/items", query_string={"page_size": 5})

    other = client.get(
        f"{PUBLIC}/items", query_string={"page_size": 5, "page": 2}, headers={"If-None-Match": first.headers["ETag"]}
    )

    assert other.status_code == 200 and other.headers["ETag"] != first.headers["ETag"]


def test_a_changed_bundle_no_longer_matches_its_old_etag(client, store):
    first = client.get(f"{PUBLIC}/bundles/property-transfer")
    water = service.get_item(store, "430200-GS-001")
    service.update_item(store, "430200-GS-001", {**as_update(water), "name": "自来水过户"})

    again = client.get(f"{PUBLIC}/bundles/property-transfer", headers={"If-None-Match": first.headers["ETag"]})

    assert again.status_code == 200 and again.headers["ETag"] != first.headers["ETag"]
    assert "自来水过户" in [guide["name"] for guide in again.get_json()["item_guides"]]
