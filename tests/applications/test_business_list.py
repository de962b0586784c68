"""GET /applications lists the business's applications while acting for it (X-Acting-For), whoever of its
legal representative and authorised agents made them; without the header, the caller's own personal ones."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.applications.conftest import Caller, ok, start


@pytest.fixture
def owner_and_agent(restaurateur, resident):
    """李娜 acting for her company, and 周杰, whom she authorised as its agent, acting for it too."""
    owner = restaurateur()
    agent = resident("13800000011", "周杰")
    until = (dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    grant = {"name": agent.person.name, "id_number": agent.person.id_number, "expires_at": until}
    ok(owner.post(f"/orgs/{owner.org.credit_code}/agents", json=grant), 201)
    for_org = Caller(agent.client, {**agent.headers, "X-Acting-For": owner.org.credit_code}, agent.account_id, agent.person,
                     owner.org)  # fmt: skip
    return owner, for_org


def _ids(caller: Caller) -> list[str]:
    return [a["id"] for a in ok(caller.get("/applications"))]


def test_an_agent_acting_for_the_business_sees_the_applications_its_legal_representative_made_for_it(owner_and_agent):
    owner, agent = owner_and_agent
    restaurant = start(owner, bundle="open-restaurant")
    start(owner.as_self(), bundle="retirement")  # hers, not the business's

    listed = ok(agent.get("/applications"))

    assert [a["id"] for a in listed] == [restaurant["id"]]
    assert listed[0]["acting_for"] == owner.org.credit_code
    assert ok(agent.get(f"/applications/{restaurant['id']}"))["id"] == restaurant["id"]


def test_the_legal_representative_sees_the_applications_an_agent_made_for_the_business_newest_first(owner_and_agent):
    owner, agent = owner_and_agent
    first = start(owner, bundle="open-restaurant")
    second = start(agent, item="430200-SCJG-002")

    assert _ids(owner) == [second["id"], first["id"]]
    assert _ids(agent) == [second["id"], first["id"]]


def test_without_acting_for_a_business_the_list_holds_only_the_callers_personal_applications(owner_and_agent):
    owner, agent = owner_and_agent
    for_business = start(agent, item="430200-SCJG-002")
    personal = start(agent.as_self(), bundle="retirement")
    start(owner, bundle="open-restaurant")

    assert _ids(agent.as_self()) == [personal["id"]]
    assert for_business["id"] not in _ids(owner.as_self())
    assert _ids(owner.as_self()) == []


def test_the_list_is_paginated_over_the_businesss_applications(owner_and_agent):
    owner, agent = owner_and_agent
    for _ in range(3):
        start(owner, item="430200-SCJG-002")

    response = agent.get("/applications", query_string={"page": 2, "page_size": 2})

    assert response.status_code == 200 and len(response.get_json()) == 1
    assert '"total": 3' in response.headers["X-Pagination"]
