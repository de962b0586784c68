"""The synthetic registry: valid numbers, linked families, real legal representatives, same seed → same registry."""

import datetime as dt
from collections import Counter

import pytest

from api.store import SQLiteStore
from auth.crypto import field_cipher
from auth.registry import LocalRegistry
from auth.registry.local import ORGS, PEOPLE
from auth.registry.synthetic import REGIONS, ROADS, SURNAMES, SyntheticRegistry
from auth.seed_registry import (
    DEMO_ORGS,
    DEMO_PEOPLE,
    MARKER,
    META,
    RegistryAlreadySeeded,
    demo_persons,
    register_cli,
    seed_demo_registry,
    seed_registry,
)
from auth.validators import birth_date_of, sex_of, validate_credit_code, validate_id_number

PEOPLE_N, ORGS_M = 3_000, 330
ZHUZHOU = {code for code, _ in REGIONS}


def generate(people=PEOPLE_N, orgs=ORGS_M, seed=1):
    households, org_list = [], []
    for _, members, represented in SyntheticRegistry(people, orgs, seed).households():
        households.append(members)
        org_list.extend(represented)
    return households, org_list


@pytest.fixture(scope="module")
def generated():
    return generate()


@pytest.fixture
def people(generated):
    return [person for household in generated[0] for person in household]


@pytest.fixture
def cipher(app):
    return field_cipher(app)


def test_exactly_the_requested_numbers_of_people_and_orgs_are_generated(generated, people):
    assert (len(people), len(generated[1])) == (PEOPLE_N, ORGS_M)


def test_every_id_number_is_valid_unique_and_from_zhuzhou(people):
    for person in people:
        assert validate_id_number(person.id_number) == person.id_number
        assert person.id_number[:6] in ZHUZHOU
        assert birth_date_of(person.id_number).isoformat() == person.birth_date
        assert sex_of(person.id_number) == person.sex
        assert 1930 <= int(person.birth_date[:4]) <= 2025
        assert int(person.id_number[14:17]) <= 900  # 901–999 belong to the demo people
    assert len({p.id_number for p in people}) == len(people)


def test_people_look_real_but_live_on_roads_that_do_not_exist(people):
    for person in people:
        assert person.name[0] in SURNAMES and 2 <= len(person.name) <= 3
        assert person.household_address.startswith("湖南省株洲市")
        assert any(road in person.household_address for road in ROADS)


def test_a_household_shares_one_address_and_has_one_adult_head(generated):
    for household in generated[0]:
        assert 1 <= len(household) <= 5
        assert len({p.household_address for p in household}) == 1
        heads = [p for p in household if p.relation == "户主"]
        assert len(heads) == 1 and heads[0].birth_date <= "2003-12-31"


def test_generations_in_a_household_are_plausibly_apart(generated):
    def year(person):
        return int(person.birth_date[:4])

    for household in generated[0]:
        head = next(p for p in household if p.relation == "户主")
        for person in household:
            if person.relation == "子女":
                assert 20 <= year(person) - year(head) <= 41
            elif person.relation == "父母":
                assert 21 <= year(head) - year(person) <= 36
            elif person.relation == "配偶":
                assert abs(year(person) - year(head)) <= 6 and person.sex != head.sex


def test_household_members_link_both_ways_with_the_same_relation(generated, people):
    by_id = {p.id_number: p for p in people}
    for household in generated[0]:
        for person in household:
            assert len(person.household_members) == len(household) - 1
            for member in person.household_members:
                other = by_id[member.id_number]
                assert (other.name, other.relation) == (member.name, member.relation)
                assert person.id_number in {m.id_number for m in other.household_members}


def test_every_credit_code_is_valid_unique_and_typed_by_its_prefix(generated):
    orgs = generated[1]
    for org in orgs:
        assert validate_credit_code(org.credit_code) == org.credit_code
        assert org.credit_code[:2] == {"company": "91", "sole_trader": "92"}[org.type]
        assert org.credit_code[2:8] in ZHUZHOU
        assert org.status in ("active", "cancelled", "revoked")
    assert len({org.credit_code for org in orgs}) == len(orgs)


def test_companies_and_sole_traders_come_in_the_seeds_ratio_of_one_to_three_and_a_half(generated):
    counts = Counter(org.type for org in generated[1])
    assert (counts["company"], counts["sole_trader"]) == (73, 257)  # 2 in 9 of 330
    full = Counter("company" if (j + 1) * 2 // 9 > j * 2 // 9 else "sole_trader" for j in range(450_000))
    assert full == {"company": 100_000, "sole_trader": 350_000}


def test_every_legal_representative_is_an_adult_of_the_registry(generated, people):
    by_id = {p.id_number: p for p in people}
    for org in generated[1]:
        rep = by_id[org.legal_rep_id_number]
        assert rep.name == org.legal_rep_name
        assert rep.birth_date <= "2007-12-31"


def test_the_same_seed_gives_the_same_registry_and_another_seed_another(generated):
    assert generate() == generated
    other = generate(seed=2)
    assert other[0][0] != generated[0][0] and other[1][0] != generated[1][0]


def test_seeding_writes_every_person_and_org_encrypted(store, cipher):
    result = seed_registry(store, cipher, 500, 55, seed=3, batch=128)
    assert (result["inserted"], result["skipped"]) == (555, False)
    assert store[PEOPLE].count_documents({}) == 500 and store[ORGS].count_documents({}) == 55
    document = store[PEOPLE].find_one({"_id": "syn-p00000000"})
    assert document["id_number"].startswith("v1.") and document["household_address"].startswith("v1.")
    assert all(m["id_number"].startswith("v1.") for m in document["members"])


def test_the_local_registry_finds_seeded_people_and_orgs_by_their_numbers(store, cipher):
    seed_registry(store, cipher, 400, 40, seed=4)
    households, orgs = generate(400, 40, seed=4)
    registry = LocalRegistry(store, cipher)
    for person in (households[0][0], households[-1][-1]):
        assert registry.find_person(person.id_number) == person
        assert registry.verify_person(person.name, person.id_number)
        assert not registry.verify_person(person.name + "某", person.id_number)
    assert registry.find_org(orgs[7].credit_code) == orgs[7]
    assert orgs[7] in registry.orgs_represented_by(orgs[7].legal_rep_id_number)


def test_seeding_again_with_the_same_seed_adds_nothing(store, cipher):
    seed_registry(store, cipher, 300, 30, seed=5)
    again = seed_registry(store, cipher, 300, 30, seed=5)
    assert (again["inserted"], again["skipped"]) == (0, True)
    assert store[PEOPLE].count_documents({}) == 300 and store[ORGS].count_documents({}) == 30


def test_an_interrupted_seeding_resumes_without_duplicates(store, cipher):
    seed_registry(store, cipher, 300, 30, seed=6, batch=100)
    store[PEOPLE].delete_many({"_id": {"$gte": "syn-p00000150"}})
    store[ORGS].delete_many({"_id": {"$gte": "syn-o00000020"}})
    store[META].update_one({"_id": MARKER}, {"$set": {"complete": False}})
    result = seed_registry(store, cipher, 300, 30, seed=6, batch=100)
    assert result["inserted"] == 150 + 10
    assert store[PEOPLE].count_documents({}) == 300 and store[ORGS].count_documents({}) == 30


def test_another_population_is_refused_unless_replacing_and_replacing_keeps_the_demo_people(store, cipher, app):
    seed_demo_registry(store, app)
    with pytest.raises(RegistryAlreadySeeded, match="2000 people"):
        seed_registry(store, cipher, 100, 10, seed=8)
    seed_registry(store, cipher, 100, 10, seed=8, replace=True)
    assert store[PEOPLE].count_documents({}) == 100 + len(DEMO_PEOPLE)
    assert store[ORGS].count_documents({}) == 10 + len(DEMO_ORGS)


def test_the_demo_people_are_valid_and_never_collide_with_generated_ones():
    today = dt.date(2026, 11, 25)
    for entry in DEMO_PEOPLE:
        assert validate_id_number(entry["id_number"], today=today) == entry["id_number"]
        assert int(entry["id_number"][14:17]) > 900
    for entry in DEMO_ORGS:
        assert validate_credit_code(entry["credit_code"]) == entry["credit_code"]
        assert entry["credit_code"][8:10] == "MD"  # generated codes use MA


def test_the_demo_cast_is_who_the_readme_says():
    by_name = {entry["name"]: entry for entry in DEMO_PEOPLE}
    zhang = by_name["张晓明"]
    assert zhang["id_number"][:6] == "430211" and zhang["birth_date"] < "2008"
    household = {p.name: p for p in demo_persons() if p.household_address == zhang["household_address"]}
    assert {m.relation for m in household["张晓明"].household_members} == {"配偶", "子女"}
    assert by_name["王建国"]["birth_date"].startswith("1966")
    restaurant = next(org for org in DEMO_ORGS if org["name"] == "株洲示例餐饮管理有限公司")
    assert restaurant["legal_rep_id_number"] == by_name["李娜"]["id_number"] and restaurant["type"] == "company"
    assert any(org["type"] == "sole_trader" for org in DEMO_ORGS)
    assert len({entry["phone"] for entry in DEMO_PEOPLE if entry["phone"]}) == 6


def test_the_demo_seeder_is_idempotent(store, app):
    first = seed_demo_registry(store, app)
    counts = store[PEOPLE].count_documents({}), store[ORGS].count_documents({})
    second = seed_demo_registry(store, app)
    assert first.startswith("9 demo records added; synthetic: 2218 added")
    assert second.startswith("0 demo records added; synthetic: 0 added")
    assert (store[PEOPLE].count_documents({}), store[ORGS].count_documents({})) == counts == (2000 + 7, 218 + 2)


def test_the_demo_seeder_keeps_a_bigger_registry_seeded_by_the_command(store, app, cipher):
    seed_registry(store, cipher, 2500, 250, seed=9)
    assert "kept" in seed_demo_registry(store, app)
    assert store[PEOPLE].count_documents({"source": "synthetic"}) == 2500


def test_the_seed_registry_command_seeds_and_reports(app, store):
    register_cli(app)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-registry", "--people", "400", "--orgs", "40", "--seed", "11", "--batch", "100"])
    assert result.exit_code == 0, result.output
    assert "registry seeded: 400 people, 40 organisations" in result.output and "400 / 400 people" in result.output
    assert store[PEOPLE].count_documents({}) == 400
    again = runner.invoke(args=["seed-registry", "--people", "400", "--orgs", "40", "--seed", "11"])
    assert "already seeded" in again.output


def test_generating_in_a_second_process_writes_the_same_registry(tmp_path, cipher):
    def seeded(parallel: bool) -> list:
        store = SQLiteStore(str(tmp_path / f"parallel-{parallel}.sqlite3"))
        seed_registry(store, cipher, 700, 70, seed=12, batch=100, parallel=parallel)
        people = [(d["_id"], d["id_bi"], d["name"], d["household_id"], len(d["members"])) for d in store[PEOPLE].find()]
        orgs = [(d["_id"], d["credit_bi"], d["legal_rep_bi"], d["name"]) for d in store[ORGS].find()]
        return sorted(people) + sorted(orgs)

    assert seeded(parallel=True) == seeded(parallel=False)
