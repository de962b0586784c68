"""The local registry adapter: encrypted documents, found only through their blind indexes."""

import dataclasses
import json

import pytest
from pymongo.errors import DuplicateKeyError

from auth.crypto import field_cipher
from auth.registry import LocalRegistry, registry_for
from auth.registry.http import HttpRegistry
from auth.registry.local import ORGS, PEOPLE, person_document
from auth.seed_registry import DEMO_ORGS, DEMO_PEOPLE, demo_persons, seed_demo_people

ZHANG = DEMO_PEOPLE[0]
LI_NA = DEMO_PEOPLE[3]
RESTAURANT = DEMO_ORGS[0]


@pytest.fixture
def cipher(app):
    return field_cipher(app)


@pytest.fixture
def registry(store, cipher):
    seed_demo_people(store, cipher)
    return LocalRegistry(store, cipher)


def test_a_person_is_found_by_id_number_with_the_values_decrypted(registry):
    person = registry.find_person(ZHANG["id_number"])
    assert (person.name, person.id_number, person.sex, person.birth_date) == ("张晓明", ZHANG["id_number"], "M", "1990-05-12")
    assert person.household_address == ZHANG["household_address"]
    assert person.relation == "户主"
    assert {(m.name, m.relation) for m in person.household_members} == {("刘芳", "配偶"), ("张小宝", "子女")}
    assert {m.id_number for m in person.household_members} == {DEMO_PEOPLE[1]["id_number"], DEMO_PEOPLE[2]["id_number"]}


def test_an_id_number_typed_in_lower_case_or_with_spaces_finds_the_same_person(registry, store, cipher):
    person = demo_persons()[0]
    with_x = dataclasses.replace(person, id_number="43021119900512911X", household_members=())
    store[PEOPLE].insert_one(person_document(cipher, with_x, _id="p-x"))
    assert registry.find_person(" 43021119900512911x ").id_number == "43021119900512911X"


def test_an_unknown_id_number_finds_nobody(registry):
    assert registry.find_person("430211199005129999") is None
    assert registry.find_org("91430203MA0000000X") is None


def test_stored_documents_hold_no_id_number_or_address_in_plaintext(registry, store):
    raw = json.dumps(list(store[PEOPLE].find()) + list(store[ORGS].find()), ensure_ascii=False)
    for entry in DEMO_PEOPLE:
        assert entry["id_number"] not in raw
        assert entry["household_address"] not in raw
    assert "张晓明" in raw  # names stay readable, by design


def test_an_org_is_found_by_credit_code(registry):
    org = registry.find_org(RESTAURANT["credit_code"].lower())
    assert (org.name, org.type, org.status) == ("株洲示例餐饮管理有限公司", "company", "active")
    assert (org.legal_rep_id_number, org.legal_rep_name) == (LI_NA["id_number"], "李娜")


def test_the_orgs_a_person_represents_are_listed(registry):
    assert [org.name for org in registry.orgs_represented_by(LI_NA["id_number"])] == ["株洲示例餐饮管理有限公司"]
    assert registry.orgs_represented_by(ZHANG["id_number"]) == []


def test_verify_person_accepts_the_registered_name_only(registry):
    assert registry.verify_person("张晓明", ZHANG["id_number"])
    assert registry.verify_person(" 张 晓明 ", ZHANG["id_number"])
    assert not registry.verify_person("张晓", ZHANG["id_number"])
    assert not registry.verify_person("张晓明", "430211199005129999")


def test_lookups_use_the_blind_index_indexes(registry, store, cipher):
    plan = store[PEOPLE].explain_query_plan({"id_bi": cipher.blind_index("id_number", ZHANG["id_number"])})
    assert any("USING INDEX" in line for line in plan)
    plan = store[ORGS].explain_query_plan({"legal_rep_bi": cipher.blind_index("id_number", LI_NA["id_number"])})
    assert any("USING INDEX" in line for line in plan)


def test_a_second_record_with_the_same_id_number_is_refused(registry, store, cipher):
    with pytest.raises(DuplicateKeyError):
        store[PEOPLE].insert_one(person_document(cipher, demo_persons()[0]))


def test_seeding_the_demo_people_twice_adds_nothing(registry, store, cipher):
    before = store[PEOPLE].count_documents({}), store[ORGS].count_documents({})
    assert seed_demo_people(store, cipher) == 0
    assert (store[PEOPLE].count_documents({}), store[ORGS].count_documents({})) == before == (len(DEMO_PEOPLE), len(DEMO_ORGS))


def test_the_app_uses_the_local_registry_by_default_and_keeps_it(app):
    assert isinstance(registry_for(app), LocalRegistry)
    assert registry_for(app) is registry_for(app)


def test_the_app_uses_the_http_registry_when_configured(app):
    app.config.update(
        REGISTRY_ADAPTER="http", REGISTRY_HTTP_URL="http://127.0.0.1:9/dsp", REGISTRY_HTTP_APP_ID="a", REGISTRY_HTTP_SECRET="s"
    )
    registry = registry_for(app)
    assert isinstance(registry, HttpRegistry)
    assert registry.timeout == (2.0, 5.0)


def test_an_unknown_adapter_name_is_a_configuration_error(app):
    app.config["REGISTRY_ADAPTER"] = "ldap"
    with pytest.raises(ValueError, match="REGISTRY_ADAPTER"):
        registry_for(app)
