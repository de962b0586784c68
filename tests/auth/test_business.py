"""Acting for a business: the legal representative, and agents they authorise until an expiry."""

import datetime as dt

import pytest

from auth.data_quality import CASES

from .conftest import make_credit_code, with_wrong_check_character


def in_days(days: int) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def company(verified, add_org):
    rep, person = verified("13800000001", "李娜")
    return rep, add_org(person)


def test_the_legal_representative_sees_the_org_and_can_act_for_it(company):
    rep, org = company
    orgs = rep.get("/api/v1/me/orgs").get_json()
    assert [(o["credit_code"], o["relation"]) for o in orgs] == [(org.credit_code, "legal_representative")]
    assert rep.get("/api/v1/me", headers={"X-Acting-For": org.credit_code}).status_code == 200


def test_someone_else_cannot_act_for_the_org(company, verified):
    _, org = company
    stranger, _ = verified("13800000002", "王五")
    response = stranger.get("/api/v1/me", headers={"X-Acting-For": org.credit_code})
    assert response.status_code == 403
    assert response.get_json()["code"] == "not_authorized_for_org"


def test_an_authorised_agent_can_act_until_the_grant_is_withdrawn(company, verified):
    rep, org = company
    agent, agent_person = verified("13800000002", "王五")
    grant = rep.post(
        f"/api/v1/orgs/{org.credit_code}/agents",
        json={"name": "王五", "id_number": agent_person.id_number, "expires_at": in_days(30)},
    )
    assert grant.status_code == 201
    assert agent.get("/api/v1/me", headers={"X-Acting-For": org.credit_code}).status_code == 200
    assert [o["relation"] for o in agent.get("/api/v1/me/orgs").get_json()] == ["agent"]

    assert rep.delete(f"/api/v1/orgs/{org.credit_code}/agents/{grant.get_json()['id']}").status_code == 204
    assert agent.get("/api/v1/me", headers={"X-Acting-For": org.credit_code}).status_code == 403


def test_an_expired_grant_gives_no_access(company, verified, store):
    rep, org = company
    agent, agent_person = verified("13800000002", "王五")
    rep.post(
        f"/api/v1/orgs/{org.credit_code}/agents",
        json={"name": "王五", "id_number": agent_person.id_number, "expires_at": in_days(1)},
    )
    store["org_agents"].update_many({}, {"$set": {"expires_at": "2000-01-01T00:00:00.000Z"}})
    assert agent.get("/api/v1/me", headers={"X-Acting-For": org.credit_code}).status_code == 403


def test_only_the_legal_representative_may_authorise_agents(company, verified):
    _, org = company
    other, other_person = verified("13800000002", "王五")
    response = other.post(
        f"/api/v1/orgs/{org.credit_code}/agents",
        json={"name": "王五", "id_number": other_person.id_number, "expires_at": in_days(30)},
    )
    assert response.status_code == 403


@pytest.mark.parametrize("days", [-1, 400])
def test_a_grant_must_end_after_today_and_within_a_year(company, add_person, days, store):
    rep, org = company
    person = add_person("赵六")
    response = rep.post(
        f"/api/v1/orgs/{org.credit_code}/agents",
        json={"name": "赵六", "id_number": person.id_number, "expires_at": in_days(days)},
    )
    assert response.status_code == 422
    assert "expires_at" in response.get_json()["errors"]
    assert store["org_agents"].count_documents({}) == 0


def test_an_agent_whose_name_does_not_match_the_registry_is_refused(company, add_person):
    rep, org = company
    person = add_person("赵六")
    response = rep.post(
        f"/api/v1/orgs/{org.credit_code}/agents", json={"name": "赵七", "id_number": person.id_number, "expires_at": in_days(30)}
    )
    assert response.status_code == 422


def test_a_cancelled_org_cannot_be_acted_for(verified, add_org):
    rep, person = verified("13800000001", "李娜")
    org = add_org(person, status="cancelled")
    assert rep.get("/api/v1/me", headers={"X-Acting-For": org.credit_code}).status_code == 403
    assert rep.get("/api/v1/me/orgs").get_json() == []


def test_a_level_1_account_acts_for_nobody(login, add_person, add_org):
    person = add_person("李娜")
    org = add_org(person)
    session = login()
    assert session.get("/api/v1/me", headers={"X-Acting-For": org.credit_code}).status_code == 403


def test_refresh_can_put_the_org_into_the_token(company):
    import jwt

    rep, org = company
    response = rep.client.post("/api/v1/auth/refresh", json={"acting_for": org.credit_code})
    assert response.status_code == 200
    assert jwt.decode(response.get_json()["access_token"], options={"verify_signature": False})["act"] == org.credit_code


def test_refresh_for_an_org_one_may_not_act_for_is_a_403_and_keeps_the_session(company, verified, add_org, add_person):
    rep, _ = company
    other_org = add_org(add_person("钱七"), name="别家公司")
    assert rep.client.post("/api/v1/auth/refresh", json={"acting_for": other_org.credit_code}).status_code == 403
    assert rep.client.post("/api/v1/auth/refresh", json={}).status_code == 200


@pytest.fixture
def early_company(verified, add_org):
    """A company the 法人库 holds under a credit code with a wrong check character."""
    rep, person = verified("13800000001", "李娜")
    return rep, add_org(person, name="株洲早期登记示例公司", credit_code=with_wrong_check_character(make_credit_code()))


def test_a_registered_code_that_fails_the_checksum_is_accepted_and_flagged_once_as_a_data_quality_case(early_company, store):
    rep, org = early_company
    for _ in range(3):
        assert rep.get("/api/v1/me", headers={"X-Acting-For": org.credit_code}).status_code == 200
    cases = list(store[CASES].find({}))
    assert len(cases) == 1
    case = cases[0]
    assert (case["kind"], case["credit_code"], case["org_name"], case["status"]) == (
        "credit_code_checksum",
        org.credit_code,
        "株洲早期登记示例公司",
        "open",
    )


def test_authorising_an_agent_for_an_org_with_a_registered_bad_checksum_code_works_and_flags_it(early_company, verified, store):
    rep, org = early_company
    _, agent = verified("13800000002", "王五")
    response = rep.post(
        f"/api/v1/orgs/{org.credit_code}/agents", json={"name": "王五", "id_number": agent.id_number, "expires_at": in_days(30)}
    )
    assert response.status_code == 201
    assert store[CASES].count_documents({"credit_code": org.credit_code}) == 1


def test_refreshing_to_act_for_an_org_with_a_registered_bad_checksum_code_flags_it(early_company, store):
    rep, org = early_company
    assert rep.client.post("/api/v1/auth/refresh", json={"acting_for": org.credit_code}).status_code == 200
    assert store[CASES].count_documents({"credit_code": org.credit_code}) == 1


def test_a_code_that_fails_the_checksum_and_is_not_registered_is_refused_at_input_and_not_flagged(company, store):
    rep, _ = company
    unknown = with_wrong_check_character(make_credit_code())
    response = rep.get(f"/api/v1/orgs/{unknown}/agents")
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"credit_code": ["统一社会信用代码校验码错误，请核对"]}
    assert rep.get("/api/v1/me", headers={"X-Acting-For": unknown}).status_code == 403
    assert store[CASES].count_documents({}) == 0


def test_a_valid_registered_code_opens_no_case(company, store):
    rep, org = company
    assert rep.get("/api/v1/me", headers={"X-Acting-For": org.credit_code}).status_code == 200
    assert rep.get(f"/api/v1/orgs/{org.credit_code}/agents").status_code == 200
    assert store[CASES].count_documents({}) == 0
