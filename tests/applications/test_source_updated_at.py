"""Each prefilled field shows when its source last changed it (`source_updated_at`): the registry record's
updated_at, the e-certificate's issue time, the vault's last save, the previous application's submission."""

from __future__ import annotations

from api.applications.prefill import PrefillContext, resolve_source
from api.vault import service as vault
from auth.registry import Person, Registry
from auth.registry.local import ORGS, PEOPLE
from tests.applications.conftest import ok, start, submitted

PERSON_CHANGED = "2025-01-02T03:04:05.000Z"
ORG_CHANGED = "2024-06-01T08:00:00.000Z"


def _fields(view: dict) -> dict[str, dict]:
    return {f["name"]: f for f in view["fields"]}


def _registry_changed(store, cipher, owner) -> None:
    """The registry records of the owner and of her company, as last changed on known days."""
    person_bi = cipher.blind_index("id_number", owner.person.id_number)
    store[PEOPLE].update_one({"id_bi": person_bi}, {"$set": {"updated_at": PERSON_CHANGED}})
    org_bi = cipher.blind_index("credit_code", owner.org.credit_code)
    store[ORGS].update_one({"credit_bi": org_bi}, {"$set": {"updated_at": ORG_CHANGED}})


def test_registry_values_show_when_the_registry_last_changed_the_person_or_the_business(restaurateur, store, cipher):
    owner = restaurateur()
    _registry_changed(store, cipher, owner)

    fields = _fields(start(owner, bundle="open-restaurant"))

    assert fields["applicant.name"]["source_updated_at"] == PERSON_CHANGED
    assert fields["applicant.id_number"]["source_updated_at"] == PERSON_CHANGED
    assert fields["business.name"]["source_updated_at"] == ORG_CHANGED
    assert fields["business.legal_rep_id_number"]["source_updated_at"] == ORG_CHANGED


def test_own_data_and_account_values_show_when_they_were_saved(restaurateur, store):
    owner = restaurateur()

    fields = _fields(start(owner, bundle="open-restaurant"))

    saved = store["vault_own"].find_one({"_id": owner.account_id})["updated_at"]
    assert fields["applicant.contact_address"]["source"] == "vault"
    assert fields["applicant.contact_address"]["source_updated_at"] == saved
    account = store["accounts"].find_one({"_id": owner.account_id})
    assert fields["applicant.phone"]["source_updated_at"] == account["created_at"]


def test_certificate_values_show_when_the_certificate_was_issued(restaurateur, store, cipher):
    owner = restaurateur()
    data = {"licence_no": "JY14302110000123", "business_name": owner.org.name, "credit_code": owner.org.credit_code,
            "legal_rep_name": owner.person.name, "premises_address": "湖南省株洲市天元区长江北路88号101",
            "main_category": "餐饮服务经营者", "business_items": "热食类食品制售"}  # fmt: skip
    licence = vault.issue_certificate(store, cipher, vault.org_holder(cipher, owner.org.credit_code), "food_business_licence",
                                      "食品经营许可证", data, "scjg", valid_years=5, holder_name=owner.org.name)  # fmt: skip

    fields = _fields(start(owner, item="430200-SCJG-004"))

    assert fields["licence.no"]["source"] == "certificate:food_business_licence"
    assert fields["licence.no"]["source_updated_at"] == licence["issued_on"]
    assert fields["shop.address"]["source_updated_at"] == licence["issued_on"]


def test_a_previous_applications_value_shows_when_that_application_was_submitted(restaurateur):
    owner = restaurateur()
    first = submitted(owner, bundle="open-restaurant")

    fields = _fields(start(owner, item="430200-SCJG-002"))

    assert fields["shop.name"]["source"] == "previous_application"
    assert fields["shop.name"]["source_updated_at"] == first["submitted_at"]


def test_a_typed_value_has_no_source_time_and_typing_over_an_offered_value_drops_it(restaurateur):
    owner = restaurateur()
    draft = start(owner, bundle="open-restaurant")
    assert _fields(draft)["shop.name"]["source_updated_at"] is None

    typed = ok(owner.patch(f"/applications/{draft['id']}", json={"values": {"applicant.contact_address": "湖南省株洲市新地址1号"},
                                                                 "version": draft["version"]}))  # fmt: skip

    assert _fields(typed)["applicant.contact_address"]["source"] is None
    assert _fields(typed)["applicant.contact_address"]["source_updated_at"] is None


class _PlatformRegistry(Registry):
    """A registry adapter other than the local collections: its answers carry no change time."""

    def find_person(self, id_number):
        return Person("张晓明", id_number, "M", "1990-05-12", "汉族", "湖南省株洲市天元区示例路1号")

    def find_org(self, credit_code):
        return None

    def orgs_represented_by(self, id_number):
        return []


def test_a_registry_that_does_not_say_when_it_changed_a_record_gives_no_time(store, cipher, resident):
    citizen = resident()
    account = store["accounts"].find_one({"_id": citizen.account_id})
    ctx = PrefillContext(store, cipher, _PlatformRegistry(), account)

    resolved = resolve_source(ctx, "registry.person.name")

    assert resolved.value == "张晓明" and resolved.source == "registry" and resolved.updated_at is None
