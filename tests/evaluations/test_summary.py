"""Public totals per item, department, bundle and hall, from counters moved on every write; checked against numbers
counted by hand. 满意率 = (非常满意 + 满意 + 基本满意) / all ratings."""

from __future__ import annotations

import pytest

from api.appointments.demo import seed_demo_halls

from .conftest import ok, rate


@pytest.fixture
def rated(citizen, finished_application, served_visit):
    """Five ratings: 开办餐饮店 (scjg, cgj, xfjy) 5, 2, and 4 edited to 3; 公章刻制备案 (gaj) 3; a visit at the
    市民中心 for 户口出生登记 (gaj) 1."""
    for level in (5, 2):
        owner = citizen()
        ok(rate(owner, finished_application(owner), level, comment="私人意见"), 201)
    owner = citizen()
    edited = ok(rate(owner, finished_application(owner), 4), 201)
    ok(owner.patch(f"/evaluations/{edited['id']}", json={"level": 3}))
    owner = citizen()
    ok(rate(owner, finished_application(owner, items=["430200-GAJ-002"]), 3), 201)
    owner = citizen()
    ok(rate(owner, served_visit(owner), 1, subject_type="appointment"), 201)


def counts(summary: dict) -> dict[int, int]:
    return {entry["level"]: entry["count"] for entry in summary["levels"]}


def test_a_departments_totals_count_each_level_and_the_satisfaction_rate(client, rated):
    summary = ok(client.get("/api/v1/evaluations/summary?department=scjg"))

    assert (summary["name"], summary["count"], summary["satisfied"]) == ("株洲市市场监督管理局", 3, 2)
    assert counts(summary) == {5: 1, 4: 0, 3: 1, 2: 1, 1: 0}  # the edit moved 满意 to 基本满意
    assert summary["satisfaction_rate"] == 0.6667


def test_a_visit_counts_for_its_item_department_and_hall(client, rated, store):
    seed_demo_halls(store)
    gaj = ok(client.get("/api/v1/evaluations/summary?department=gaj"))
    hall = ok(client.get("/api/v1/evaluations/summary?hall=zz-smzx"))
    item = ok(client.get("/api/v1/evaluations/summary?item=430200-GAJ-001"))

    assert (gaj["count"], gaj["satisfied"], gaj["satisfaction_rate"]) == (2, 1, 0.5)
    assert (hall["count"], hall["satisfaction_rate"], counts(hall)[1]) == (1, 0.0, 1)
    assert (item["name"], item["count"]) == ("户口出生登记", 1)


def test_bundle_item_and_overall_totals(client, rated):
    bundle = ok(client.get("/api/v1/evaluations/summary?bundle=open-restaurant"))
    item = ok(client.get("/api/v1/evaluations/summary?item=430200-CGJ-001"))
    overall = ok(client.get("/api/v1/evaluations/summary"))

    assert (bundle["count"], bundle["satisfied"]) == (3, 2) and counts(item) == counts(bundle)
    assert (overall["scope"], overall["count"], overall["satisfied"], overall["satisfaction_rate"]) == ("all", 5, 3, 0.6)
    assert counts(overall) == {5: 1, 4: 0, 3: 2, 2: 1, 1: 1}


def test_a_summary_carries_no_comments_and_nothing_personal(client, rated):
    body = client.get("/api/v1/evaluations/summary?department=scjg").get_data(as_text=True)
    assert "私人意见" not in body and "acc-" not in body


def test_an_item_nobody_rated_has_zero_counts_and_no_rate(client):
    summary = ok(client.get("/api/v1/evaluations/summary?item=430200-RSJ-001"))
    assert (summary["count"], summary["satisfaction_rate"], set(counts(summary).values())) == (0, None, {0})


def test_an_unknown_scope_is_a_404_and_two_scopes_a_422(client):
    assert client.get("/api/v1/evaluations/summary?item=430200-NOPE-001").status_code == 404
    assert client.get("/api/v1/evaluations/summary?department=nope").status_code == 404
    assert client.get("/api/v1/evaluations/summary?hall=nope").status_code == 404
    assert client.get("/api/v1/evaluations/summary?item=430200-GAJ-001&department=gaj").status_code == 422


def test_the_vocabulary_lists_five_levels_and_complaint_tags_only_for_poor_levels(client):
    levels = {entry["level"]: entry for entry in ok(client.get("/api/v1/evaluations/vocabulary"))["levels"]}
    assert [levels[n]["label"] for n in (5, 4, 3, 2, 1)] == ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    assert "跑了多次" in levels[1]["tags"] and "跑了多次" not in levels[5]["tags"] and "态度好" not in levels[2]["tags"]
