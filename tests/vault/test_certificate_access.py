"""Who sees which certificate: the holder only; an org's only while acting for it; never a hint of others'."""

from __future__ import annotations

import pytest

from api.vault import service

CERTS = "/api/v1/me/certificates"


def test_a_citizen_lists_their_own_certificates_only(verified, issue, holder_of):
    mine_session, _ = verified("13800000031", "张晓明")
    other_session, _ = verified("13800000032", "李秀英")
    mine = issue(holder_of(mine_session))
    issue(holder_of(other_session), holder_name="李秀英")

    listed = mine_session.get(CERTS).get_json()

    assert [c["id"] for c in listed] == [mine["_id"]]


def test_the_holder_sees_the_detail_with_data_masked_unless_revealed(verified, issue, holder_of):
    session, _ = verified("13800000033")
    cert = issue(holder_of(session), data={"shop": "示例小馆", "legal_rep_id_number": "430211199001011234"})

    masked = session.get(f"{CERTS}/{cert['_id']}").get_json()
    revealed = session.get(f"{CERTS}/{cert['_id']}", query_string={"reveal": "true"}).get_json()

    assert masked["holder_name"] == "张晓明"
    assert masked["data"] == {"shop": "示例小馆", "legal_rep_id_number": "4302**********1234"}
    assert revealed["data"]["legal_rep_id_number"] == "430211199001011234"
    assert masked["verify_url"].startswith("http://127.0.0.1:8000/verify?token=")


@pytest.mark.parametrize("suffix", ["", "/qr.svg", "/qr.png"])
def test_another_citizen_gets_404_for_a_certificate_that_is_not_theirs(verified, issue, holder_of, suffix):
    owner, _ = verified("13800000034", "张晓明")
    stranger, _ = verified("13800000035", "李秀英")
    cert = issue(holder_of(owner))

    response = stranger.get(f"{CERTS}/{cert['_id']}{suffix}")
    missing = stranger.get(f"{CERTS}/cert_doesnotexist{suffix}")

    assert response.status_code == 404 and missing.status_code == 404
    assert response.get_json() == missing.get_json()  # the same answer: existence is not revealed


def test_a_level_1_account_has_no_certificates(login, issue):
    session = login("13800000036")

    assert session.get(CERTS).get_json() == []
    assert session.get(f"{CERTS}/cert_any").status_code == 404


def test_an_orgs_certificate_is_visible_only_while_acting_for_it(verified, add_org, issue, cipher):
    session, person = verified("13800000037")
    org = add_org(person)
    cert = issue(service.org_holder(cipher, org.credit_code), "business_licence", holder_name=org.name)
    acting = {"X-Acting-For": org.credit_code}

    assert session.get(CERTS).get_json() == []
    assert session.get(f"{CERTS}/{cert['_id']}").status_code == 404
    listed = session.get(CERTS, headers=acting).get_json()
    assert [(c["id"], c["holder_kind"], c["holder_name"]) for c in listed] == [(cert["_id"], "org", "株洲示例餐饮**")]
    assert session.get(f"{CERTS}/{cert['_id']}", headers=acting).status_code == 200
    assert session.get(f"{CERTS}/{cert['_id']}/qr.png", headers=acting).status_code == 200


def test_acting_for_an_org_still_shows_the_persons_own_certificates(verified, add_org, issue, cipher, holder_of):
    session, person = verified("13800000038")
    org = add_org(person)
    own = issue(holder_of(session))
    orgs = issue(service.org_holder(cipher, org.credit_code), "business_licence", holder_name=org.name)

    listed = session.get(CERTS, headers={"X-Acting-For": org.credit_code}).get_json()

    assert {c["id"] for c in listed} == {own["_id"], orgs["_id"]}


def test_someone_unrelated_cannot_act_for_the_org_to_see_its_certificates(verified, add_org, add_person, issue, cipher):
    session, _ = verified("13800000039", "李秀英")
    org = add_org(add_person("王建国"))
    cert = issue(service.org_holder(cipher, org.credit_code), "business_licence", holder_name=org.name)

    response = session.get(f"{CERTS}/{cert['_id']}", headers={"X-Acting-For": org.credit_code})

    assert response.status_code == 403


def test_certificates_need_a_login(client):
    assert client.get(CERTS).status_code == 401
    assert client.get(f"{CERTS}/cert_any/qr.png").status_code == 401
