"""The figures against a hand-computed fixture: seven applications, two payments orders, two parcels and three
ratings, whose every figure is worked out below by hand (working days: 2–9 November 2026 has no holiday)."""

from __future__ import annotations

import pytest

from api.stats import aggregate

from .conftest import stored_application, stored_evaluation, stored_fee_order, stored_shipment

LICENCE = "430200-SCJG-004"  # 市场监管, 13 fields, promised 3 working days
PROPERTY = "430200-BDC-001"  # 不动产, 14 fields, one visit, 80 元
MON, TUE, WED, MON_AFTER = (
    "2026-11-02T02:00:00.000Z",
    "2026-11-03T02:00:00.000Z",
    "2026-11-04T02:00:00.000Z",
    "2026-11-09T02:00:00.000Z",
)


@pytest.fixture
def city(store):
    """
    a1 licence, online, no trip, Mon → Wed: 2 working days, deadline Thu (in time); 10 of 13 prefilled, 1 reused
    a2 licence, at the window (1 trip) + results handed over at the hall (1 trip) = 2 trips, Mon → next Mon:
       5 working days, deadline Thu: overdue; 4 of 13 prefilled
    a3 licence, online, still in review (open past its deadline); 13 of 13 prefilled
    a4 property, online, 1 trip (the item needs a visit), Mon → Tue: 1 working day; 7 of 14 prefilled, 1 reused;
       paid 80 元; parcel created Tue 02:00, delivered Wed 08:00: 30 hours
    a5 licence withdrawn, a6 a draft: neither counts
    a7 开办餐饮店 (26 merged fields), online, no trip, rejected; 20 prefilled (+3 from the previous application)
    a1's parcel: 5 hours. Ratings: a1 非常满意 (5), a2 不满意 (2), a4 基本满意 (3).
    """
    a1 = stored_application(store, item=LICENCE, submitted_at=MON, completed_at=WED, prefilled=10, previous=1, reused=1,
                            deadlines=("2026-11-05",))  # fmt: skip
    a2 = stored_application(store, item=LICENCE, channel="window", trips=1, hall="zz-lsq", submitted_at=MON,
                            completed_at=MON_AFTER, prefilled=4, handed_over=True, deadlines=("2026-11-05",))  # fmt: skip
    a3 = stored_application(store, item=LICENCE, state="in_review", prefilled=13, deadlines=("2026-11-05",))
    a4 = stored_application(store, item=PROPERTY, trips=1, submitted_at=MON, completed_at=TUE, prefilled=7, reused=1,
                            deadlines=("2026-11-06",))  # fmt: skip
    stored_application(store, item=LICENCE, state="withdrawn", prefilled=5)
    stored_application(store, item=LICENCE, state="draft", prefilled=5)
    a7 = stored_application(store, bundle="open-restaurant", state="rejected", prefilled=20, previous=3, sub_state="rejected")
    stored_fee_order(store, a4, 8000)
    stored_fee_order(store, a3, 500, state="pending")
    stored_shipment(store, a4, created_at=TUE, delivered_at="2026-11-04T08:00:00.000Z")
    stored_shipment(store, a1, created_at="2026-11-03T00:00:00.000Z", delivered_at="2026-11-03T05:00:00.000Z")
    stored_evaluation(store, a1, 5)
    stored_evaluation(store, a2, 2)
    stored_evaluation(store, a4, 3)
    return {"a1": a1, "a2": a2, "a3": a3, "a4": a4, "a7": a7}


def test_overall_figures_equal_the_hand_computed_ones(client, city):
    figures = client.get("/api/v1/stats/overview").get_json()
    assert figures == {
        "applications": 5,  # a1 a2 a3 a4 a7
        "online_share": 0.8,  # all but a2
        "zero_trip_share": 0.6,  # a1 a3 a7
        "at_most_one_trip_share": 0.8,  # and a4
        "completed": 3,
        "rejected": 1,
        "handling_days_avg": 2.67,  # (2 + 5 + 1) / 3
        "handling_days_p90": 5,  # of 1, 2, 5
        "overdue": 1,  # a2
        "prefilled_share": round(54 / 79, 4),  # (10 + 4 + 13 + 7 + 20) / (13 × 3 + 14 + 26)
        "certificates_reused": 2,  # a1 and a4, not a result of the same application
        "payments": 1,
        "paid_yuan": 80.0,
        "deliveries": 2,
        "delivery_hours_avg": 17.5,  # (30 + 5) / 2
        "delivery_hours_p90": 36,  # the bucket holding 30 hours
        "ratings": 3,
        "satisfaction": 0.6667,  # 5 and 3 of 5, 2, 3
        "rating_levels": {"1": 0, "2": 1, "3": 1, "4": 0, "5": 1},
    }


def test_an_items_figures_count_its_applications_only_and_carry_its_promised_time_limit(client, city):
    items = {row["code"]: row for row in client.get("/api/v1/stats/items").get_json()}
    licence = items[LICENCE]
    assert licence["promised_days"] == 3
    assert licence["applications"] == 3
    assert licence["online_share"] == 0.6667
    assert (licence["zero_trip_share"], licence["at_most_one_trip_share"]) == (0.6667, 0.6667)
    assert (licence["completed"], licence["handling_days_avg"], licence["handling_days_p90"], licence["overdue"]) == (
        2,
        3.5,
        5,
        1,
    )
    assert licence["prefilled_share"] == round(27 / 39, 4)
    assert (licence["payments"], licence["ratings"], licence["satisfaction"]) == (0, 2, 0.5)
    assert items[PROPERTY]["paid_yuan"] == 80.0
    assert items[PROPERTY]["delivery_hours_avg"] == 30.0
    assert "430200-SCJG-001" in items  # an item of the rejected bundle application
    assert "430200-WJW-001" not in items  # no application: no row


def test_a_department_counts_an_application_once_however_many_of_its_items_it_holds(client, city):
    departments = {row["code"]: row for row in client.get("/api/v1/stats/departments").get_json()}
    assert departments["scjg"]["applications"] == 4  # a1 a2 a3, and a7 with two 市场监管 items
    assert departments["scjg"]["name"] == "株洲市市场监督管理局"
    assert departments["cgj"]["applications"] == 1
    bdc = departments["bdc"]
    assert (bdc["applications"], bdc["payments"], bdc["paid_yuan"], bdc["deliveries"], bdc["delivery_hours_p90"]) == (
        1, 1, 80.0, 1, 36)  # fmt: skip
    assert (bdc["ratings"], bdc["satisfaction"]) == (1, 1.0)


def test_a_bundles_figures_and_promised_time_limit_are_those_of_its_applications_and_items(client, city):
    bundles = {row["code"]: row for row in client.get("/api/v1/stats/bundles").get_json()}
    assert list(bundles) == ["open-restaurant"]
    restaurant = bundles["open-restaurant"]
    assert (restaurant["applications"], restaurant["rejected"], restaurant["completed"]) == (1, 1, 0)
    assert restaurant["prefilled_share"] == round(20 / 26, 4)
    assert restaurant["promised_days"] == 3  # the longest of its items


def test_aggregating_twice_counts_nothing_twice(store, client, city):
    first = client.get("/api/v1/stats/overview").get_json()
    assert aggregate.run(store) == {"applications": 0, "fee_orders": 0, "shipments": 0, "evaluations": 0}
    store["stats_checkpoints"].delete_many({})  # even from the start again
    assert aggregate.run(store) == {"applications": 0, "fee_orders": 0, "shipments": 0, "evaluations": 0}
    assert client.get("/api/v1/stats/overview").get_json() == first


def test_a_change_after_the_checkpoint_is_counted_once(store, client, city):
    client.get("/api/v1/stats/overview")
    later = "2026-11-11T00:00:00.000Z"
    store["applications"].update_one(
        {"_id": city["a3"]["_id"]}, {"$set": {"state": "completed", "completed_at": WED, "updated_at": later}}
    )
    store["evaluations"].update_one({"subject_id": city["a2"]["_id"]}, {"$set": {"level": 4, "updated_at": later}})
    stored_application(store, item=PROPERTY, trips=1, state="submitted", prefilled=14, updated_at=later)
    assert aggregate.run(store) == {"applications": 2, "fee_orders": 0, "shipments": 0, "evaluations": 1}
    assert aggregate.run(store) == {"applications": 0, "fee_orders": 0, "shipments": 0, "evaluations": 0}
    figures = client.get("/api/v1/stats/overview").get_json()
    assert (figures["applications"], figures["completed"], figures["handling_days_avg"]) == (6, 4, 2.5)  # a3: 2 days
    assert (figures["ratings"], figures["satisfaction"], figures["rating_levels"]["2"], figures["rating_levels"]["4"]) == (
        3, 1.0, 0, 1)  # fmt: skip


def test_records_sharing_one_timestamp_are_all_counted_in_small_batches(store):
    for _ in range(3):
        stored_application(store, item=LICENCE, state="submitted", prefilled=1)  # all updated at SETTLED
    runs = [aggregate.run(store, limit=1)["applications"] for _ in range(4)]
    assert runs == [1, 1, 1, 0]
    assert store["stats_counters"].find_one({"_id": "overall"})["applications"] == 3


def test_a_withdrawal_takes_an_application_out_of_the_figures(store, client):
    application = stored_application(store, item=LICENCE, state="submitted", prefilled=2)
    assert client.get("/api/v1/stats/overview").get_json()["applications"] == 1
    store["applications"].update_one(
        {"_id": application["_id"]}, {"$set": {"state": "withdrawn", "updated_at": "2026-11-12T00:00:00.000Z"}}
    )
    figures = client.get("/api/v1/stats/overview").get_json()
    assert (figures["applications"], figures["prefilled_share"]) == (0, None)


def test_an_application_counts_in_the_month_it_was_submitted_in_shanghai(store, client, city):
    stored_application(store, item=LICENCE, state="submitted", submitted_at="2026-10-31T15:59:59.000Z")  # 23:59 on 31 Oct
    stored_application(store, item=LICENCE, state="submitted", submitted_at="2026-10-31T16:00:00.000Z")  # 00:00 on 1 Nov
    months = client.get("/api/v1/stats/months").get_json()
    assert [(m["code"], m["applications"], m["completed"], m["payments"], m["ratings"]) for m in months] == [
        ("2026-10", 1, 0, 0, 0),
        ("2026-11", 6, 3, 1, 3),  # the fixture's five and the one just after midnight; ratings made in November
    ]
    november = months[1]
    assert (november["handling_days_avg"], november["satisfaction"], november["paid_yuan"]) == (2.67, 0.6667, 80.0)


def test_two_aggregators_running_at_once_count_each_record_once(store):
    import threading

    for _ in range(30):
        stored_application(store, item=LICENCE, state="submitted", prefilled=2)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            aggregate.run(store, limit=7)
            aggregate.run(store)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    overall = store["stats_counters"].find_one({"_id": "overall"})
    assert (overall["applications"], overall["fields_prefilled"]) == (30, 60)
