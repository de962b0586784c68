"""Where a draft's values come from beyond the registry and the vault: the last application, and what
happens when the registry cannot answer."""

from __future__ import annotations

from auth.registry import LocalRegistry, RegistryUnavailable
from tests.applications.conftest import Caller, ok, start, submitted


def test_the_last_application_for_the_same_business_offers_its_values_editable(restaurateur):
    owner = restaurateur()
    submitted(owner, bundle="open-restaurant")

    again = start(owner, item="430200-SCJG-002")

    shop_name = next(f for f in again["fields"] if f["name"] == "shop.name")
    assert shop_name["value"] == "湘味小馆" and shop_name["source"] == "previous_application" and not shop_name["locked"]
    assert shop_name["source_label"] == "上次申请"


def test_another_business_of_the_same_person_is_not_offered_the_first_ones_shop(restaurateur, add_org):
    owner = restaurateur()
    submitted(owner, bundle="open-restaurant")
    second = add_org(owner.person, name="株洲李娜第二餐饮有限公司")
    for_second = Caller(
        owner.client, {**owner.headers, "X-Acting-For": second.credit_code}, owner.account_id, owner.person, second
    )

    draft = start(for_second, item="430200-SCJG-002")

    values = {f["name"]: f for f in draft["fields"]}
    assert values["shop.name"]["value"] is None and values["business.name"]["value"] == second.name


def test_a_registry_outage_is_a_503_to_retry_and_starts_no_draft(resident, store, monkeypatch):
    citizen = resident()

    def down(self, id_number):
        raise RegistryUnavailable("timeout")

    monkeypatch.setattr(LocalRegistry, "find_person_dated", down)
    response = citizen.post("/applications", json={"bundle": "retirement"})

    assert response.status_code == 503 and response.get_json()["code"] == "registry_unavailable"
    assert store["applications"].count_documents({}) == 0
    monkeypatch.undo()
    assert ok(citizen.post("/applications", json={"bundle": "retirement"}), 201)["state"] == "draft"
