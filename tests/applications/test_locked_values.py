"""Values the government holds are shown as received and locked: not changed by the applicant, re-checked at submission."""

from __future__ import annotations

from auth.registry.local import ORGS
from tests.applications.conftest import ok, ready_to_submit, start, submit


def _values(view: dict) -> dict:
    return {f["name"]: f["value"] for f in view["fields"]}


def test_changing_a_registry_value_is_refused_and_nothing_of_the_save_is_stored(restaurateur):
    owner = restaurateur()
    draft = start(owner, bundle="open-restaurant")

    response = owner.patch(
        f"/applications/{draft['id']}",
        json={"values": {"business.name": "别人的公司", "shop.name": "湘味小馆"}, "version": draft["version"]},
    )

    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["business.name"]
    after = ok(owner.get(f"/applications/{draft['id']}"))
    assert after["version"] == draft["version"]
    assert _values(after)["business.name"] == owner.org.name and _values(after)["shop.name"] is None


def test_clearing_a_registry_value_is_refused_too(restaurateur):
    owner = restaurateur()
    draft = start(owner, bundle="open-restaurant")

    response = owner.patch(f"/applications/{draft['id']}", json={"values": {"applicant.id_number": None}, "version": 1})

    assert response.status_code == 422 and "applicant.id_number" in response.get_json()["errors"]
    assert _values(ok(owner.get(f"/applications/{draft['id']}")))["applicant.id_number"] == owner.person.id_number


def test_sending_a_locked_value_back_unchanged_with_the_rest_of_the_form_is_fine(restaurateur):
    owner = restaurateur()
    draft = start(owner, bundle="open-restaurant")

    saved = ok(
        owner.patch(
            f"/applications/{draft['id']}",
            json={"values": {"business.name": owner.org.name, "shop.name": "湘味小馆"}, "version": draft["version"]},
        )
    )

    assert _values(saved)["shop.name"] == "湘味小馆"
    assert next(f for f in saved["fields"] if f["name"] == "business.name")["source"] == "registry"


def test_a_locked_value_that_no_longer_matches_its_source_at_submission_is_refused(restaurateur, store):
    owner = restaurateur()
    ready = ready_to_submit(owner, bundle="open-restaurant")
    moved = {"registered_address": "湖南省株洲市荷塘区新址路9号"}
    store[ORGS].update_one({"credit_code": owner.org.credit_code}, {"$set": moved})

    response = submit(owner, ready)

    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["business.registered_address"]
    after = ok(owner.get(f"/applications/{ready['id']}"))
    assert after["state"] == "draft" and after["version"] == ready["version"] and after["subs"] == []
    assert store["outbox"].count_documents({"event": "application.submitted"}) == 0


def test_a_locked_value_tampered_with_in_the_store_is_refused_at_submission(restaurateur, store):
    owner = restaurateur()
    ready = ready_to_submit(owner, bundle="open-restaurant")
    store["applications"].update_one({"_id": ready["id"]}, {"$set": {"form.business__legal_rep_name": "王五"}})

    response = submit(owner, ready)

    assert response.status_code == 422 and list(response.get_json()["errors"]) == ["business.legal_rep_name"]
    assert store["sub_applications"].count_documents({"application_id": ready["id"]}) == 0


def test_a_value_typed_over_an_editable_prefill_no_longer_claims_that_source(restaurateur):
    owner = restaurateur()
    draft = start(owner, bundle="open-restaurant")
    mine = "湖南省株洲市芦淞区建设南路3号"

    saved = ok(owner.patch(f"/applications/{draft['id']}", json={"values": {"applicant.contact_address": mine}, "version": 1}))

    field = next(f for f in saved["fields"] if f["name"] == "applicant.contact_address")
    assert field["value"] == mine and field["source"] is None and not field["locked"]
    assert saved["prefilled_share"] < draft["prefilled_share"]
