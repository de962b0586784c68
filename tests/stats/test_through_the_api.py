"""The figures of a real application walked through the API: the records the aggregator reads are the ones
applications, review and the front window write."""

# ruff: noqa: F811 - pytest fixtures imported here are taken as arguments by name
from __future__ import annotations

from tests.applications.conftest import (  # noqa: F401 - fixtures used here
    app,
    approvers,
    business_licence,
    clerk,
    ok,
    resident,
    restaurateur,
    staff,
)
from tests.auth.conftest import add_org, add_person, cipher, login, verified  # noqa: F401 - fixtures used here
from tests.delivery.conftest import post


def test_a_restaurant_picked_up_at_the_hall_counts_as_one_trip_with_its_prefill_and_reused_licence(
    client, restaurateur, clerk, approvers
):
    owner = restaurateur()
    view = post(owner, clerk, approvers, {"method": "pickup", "hall": "zz-smzx"})
    during = client.get("/api/v1/stats/overview").get_json()
    assert (during["applications"], during["completed"], during["zero_trip_share"]) == (1, 0, 1.0)

    ok(clerk.post(f"/clerk/applications/{view['id']}/hand-over"))

    figures = client.get("/api/v1/stats/overview").get_json()
    assert (figures["applications"], figures["completed"], figures["online_share"]) == (1, 1, 1.0)
    assert (figures["zero_trip_share"], figures["at_most_one_trip_share"]) == (0.0, 1.0)  # the pickup was a trip
    assert (figures["handling_days_avg"], figures["handling_days_p90"], figures["overdue"]) == (0.0, 0, 0)  # the same day
    assert figures["prefilled_share"] == round(11 / 26, 4)  # as the draft showed it: 11 of 26 fields
    assert figures["certificates_reused"] == 1  # the business licence from the vault
    bundles = {row["code"]: row for row in client.get("/api/v1/stats/bundles").get_json()}
    assert bundles["open-restaurant"]["applications"] == 1
    departments = {row["code"]: row["applications"] for row in client.get("/api/v1/stats/departments").get_json()}
    assert departments == {"cgj": 1, "scjg": 1, "xfjy": 1}


def test_a_rating_made_and_edited_through_the_api_moves_the_satisfaction(client, restaurateur, clerk, approvers):
    owner = restaurateur()
    view = post(owner, clerk, approvers, {"method": "pickup", "hall": "zz-smzx"})
    ok(clerk.post(f"/clerk/applications/{view['id']}/hand-over"))
    rating = ok(owner.post("/evaluations", json={"subject_type": "application", "subject_id": view["id"], "level": 2,
                                                 "tags": []}), 201)  # fmt: skip
    figures = client.get("/api/v1/stats/overview").get_json()
    assert (figures["ratings"], figures["satisfaction"], figures["rating_levels"]["2"]) == (1, 0.0, 1)
    scjg = next(row for row in client.get("/api/v1/stats/departments").get_json() if row["code"] == "scjg")
    assert (scjg["ratings"], scjg["satisfaction"]) == (1, 0.0)

    ok(owner.patch(f"/evaluations/{rating['id']}", json={"level": 4, "tags": []}))  # the one edit within 7 days

    figures = client.get("/api/v1/stats/overview").get_json()
    assert (figures["ratings"], figures["satisfaction"], figures["rating_levels"]["2"], figures["rating_levels"]["4"]) == (
        1, 1.0, 0, 1)  # fmt: skip
