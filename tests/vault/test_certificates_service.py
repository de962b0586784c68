"""Issuing, finding and revoking e-certificates (service level)."""

from __future__ import annotations

import json
import re

import pytest
from pymongo.errors import DuplicateKeyError

from api.errors import Forbidden, NotFound
from api.vault import service

PERSON = {"kind": "person", "key": "person-key-1"}
OTHER_PERSON = {"kind": "person", "key": "person-key-2"}


def _expire(store, cert):
    store["certificates"].update_one({"_id": cert["_id"]}, {"$set": {"valid_until": "2020-01-01T00:00:00.000Z"}})


def test_an_issued_certificate_keeps_its_data_and_holder_name_encrypted(store, issue):
    cert = issue(PERSON, data={"id_number": "430211199001011234", "shop": "示例小馆"}, holder_name="张晓明")

    stored = store["certificates"].find_one({"_id": cert["_id"]})
    text = json.dumps(stored, ensure_ascii=False)
    assert "430211199001011234" not in text and "张晓明" not in text and "示例小馆" not in text
    assert stored["holder_name_masked"] == "张**"
    assert stored["status"] == "valid" and stored["version"] == 1
    assert stored["holder_kind"] == "person" and stored["holder_key"] == "person-key-1"


def test_certificate_numbers_are_unique_and_readable(issue):
    numbers = {issue(PERSON)["number"] for _ in range(5)}

    assert len(numbers) == 5
    assert all(re.fullmatch(r"ZZFBL20\d{2}\d{6}[0-9A-Z]{4}", number) for number in numbers)


def test_a_given_number_that_is_taken_is_refused(issue):
    issue(PERSON, number="ZZTEST0001")

    with pytest.raises(DuplicateKeyError):
        issue(PERSON, number="ZZTEST0001")


def test_an_org_holder_name_is_masked_by_half(store, cipher, issue):
    cert = issue(service.org_holder(cipher, "91430211MA00000012"), holder_name="株洲示例餐饮管理有限公司")

    assert cert["holder_name_masked"] == "株洲示例餐饮**"


def test_the_valid_certificate_is_found_across_person_and_org_holders(store, cipher, issue):
    org = service.org_holder(cipher, "91430211MA00000012")
    issue(OTHER_PERSON, "food_business_licence")
    held_by_org = issue(org, "food_business_licence", data={"licence": "JY14302110000001"})

    found = service.find_valid_certificate(store, cipher, [PERSON, org], "food_business_licence")

    assert found["_id"] == held_by_org["_id"]
    assert found["data"] == {"licence": "JY14302110000001"}


def test_the_newest_valid_certificate_of_a_type_wins(store, cipher, issue):
    issue(PERSON, data={"n": 1})
    newest = issue(PERSON, data={"n": 2})
    store["certificates"].update_one({"_id": newest["_id"]}, {"$set": {"issued_on": "2999-01-01T00:00:00.000Z"}})

    assert service.find_valid_certificate(store, cipher, [PERSON], "food_business_licence")["data"] == {"n": 2}


def test_a_certificate_of_another_type_or_holder_is_not_found(store, cipher, issue):
    issue(PERSON, "business_licence")
    issue(OTHER_PERSON, "food_business_licence")

    assert service.find_valid_certificate(store, cipher, [PERSON], "food_business_licence") is None
    assert service.find_valid_certificate(store, cipher, [], "food_business_licence") is None


def test_a_holder_key_of_another_kind_does_not_match(store, cipher, issue):
    issue({"kind": "org", "key": PERSON["key"]})

    assert service.find_valid_certificate(store, cipher, [PERSON], "food_business_licence") is None


def test_an_expired_certificate_is_not_found_as_valid_and_is_listed_as_expired(store, cipher, issue):
    cert = issue(PERSON)
    _expire(store, cert)

    assert service.find_valid_certificate(store, cipher, [PERSON], "food_business_licence") is None
    assert [c["status"] for c in service.certificates_of(store, cipher, [PERSON])] == ["expired"]


def test_a_certificate_without_validity_never_expires(store, cipher, issue):
    cert = issue(PERSON, valid_years=None)

    assert cert["valid_until"] is None
    assert service.find_valid_certificate(store, cipher, [PERSON], "food_business_licence")["_id"] == cert["_id"]


def test_valid_years_set_the_end_of_validity(issue):
    cert = issue(PERSON, valid_years=5)

    assert int(cert["valid_until"][:4]) - int(cert["issued_on"][:4]) == 5
    assert cert["valid_until"][4:] == cert["issued_on"][4:] or cert["issued_on"][5:10] == "02-29"


def test_a_revoked_certificate_is_not_found_as_valid(store, cipher, issue):
    cert = issue(PERSON)

    revoked = service.revoke_certificate(store, cert["_id"], "申请人主动注销")

    assert revoked["status"] == "revoked" and revoked["revoked_reason"] == "申请人主动注销" and revoked["version"] == 2
    assert service.find_valid_certificate(store, cipher, [PERSON], "food_business_licence") is None
    assert [c["status"] for c in service.certificates_of(store, cipher, [PERSON])] == ["revoked"]


def test_revoking_twice_keeps_the_first_revocation(store, issue):
    cert = issue(PERSON)
    first = service.revoke_certificate(store, cert["_id"], "第一次")

    again = service.revoke_certificate(store, cert["_id"], "第二次")

    assert again["revoked_reason"] == "第一次" and again["revoked_at"] == first["revoked_at"]


def test_revoking_an_unknown_certificate_is_not_found(store):
    with pytest.raises(NotFound):
        service.revoke_certificate(store, "cert_missing", "无")


def test_a_certificate_issued_in_a_rolled_back_transaction_is_not_stored(store, issue):
    with pytest.raises(RuntimeError), store.transaction() as session:
        issue(PERSON, session=session)
        raise RuntimeError("the application's transaction fails after issuing")

    assert store["certificates"].count_documents({}) == 0


def test_certificates_of_lists_newest_first_with_data_on_request(store, cipher, issue):
    first = issue(PERSON, data={"n": 1})
    second = issue(PERSON, data={"n": 2})
    store["certificates"].update_one({"_id": second["_id"]}, {"$set": {"issued_on": "2999-01-01T00:00:00.000Z"}})

    listed = service.certificates_of(store, cipher, [PERSON], include_data=True)

    assert [c["_id"] for c in listed] == [second["_id"], first["_id"]]
    assert listed[0]["data"] == {"n": 2} and listed[0]["holder_name"] == "张晓明"
    assert "data" not in service.certificates_of(store, cipher, [PERSON])[0]


def test_the_person_holder_needs_real_name_level_2():
    with pytest.raises(Forbidden):
        service.person_holder({"_id": "acc_1", "acr": 1})

    assert service.person_holder({"_id": "acc_1", "id_bi": "bi"}) == {"kind": "person", "key": "bi"}


def test_certificates_follow_the_person_not_the_account(store, cipher, issue):
    cert = issue(service.person_holder({"_id": "acc_old", "id_bi": "same-person"}))

    holders = [service.person_holder({"_id": "acc_new", "id_bi": "same-person"})]

    assert service.find_valid_certificate(store, cipher, holders, "food_business_licence")["_id"] == cert["_id"]
