"""merge_form and merge_materials: a bundle asks each value once, as strictly as its strictest item."""

from __future__ import annotations

import pytest

from api.catalog.forms import FormConflict, merge_form, merge_materials

from .conftest import form_field


def _item(code: str, *fields: dict, materials=()) -> dict:
    return {"code": code, "fields": list(fields), "materials": list(materials)}


def _merged(*items: dict) -> dict[str, dict]:
    return {field["name"]: field for field in merge_form(list(items))}


def test_a_field_shared_by_several_items_appears_once_listing_every_item_that_uses_it():
    form = merge_form(
        [
            _item("A", form_field("applicant.name"), form_field("shop.name")),
            _item("B", form_field("applicant.name")),
            _item("C", form_field("shop.address"), form_field("applicant.name")),
        ]
    )

    assert [field["name"] for field in form] == ["applicant.name", "shop.name", "shop.address"]
    assert [field["items"] for field in form] == [["A", "B", "C"], ["A"], ["C"]]


def test_a_merged_field_is_required_when_any_item_requires_it():
    merged = _merged(
        _item("A", form_field("spouse.name", required=False)),
        _item("B", form_field("spouse.name", required=True)),
        _item("C", form_field("spouse.name", required=False)),
    )

    assert merged["spouse.name"]["required"] is True


def test_a_field_no_item_requires_stays_optional():
    merged = _merged(_item("A", form_field("spouse.name", required=False)), _item("B", form_field("spouse.name", required=False)))

    assert merged["spouse.name"]["required"] is False


def test_a_merged_field_takes_the_tightest_limits_of_its_items():
    merged = _merged(
        _item("A", form_field("shop.name", max_length=100), form_field("shop.area_sqm", type="number", min=1, max=100000)),
        _item("B", form_field("shop.name", max_length=50), form_field("shop.area_sqm", type="number", min=10)),
        _item("C", form_field("shop.name"), form_field("shop.area_sqm", type="number", max=5000)),
    )

    assert merged["shop.name"]["max_length"] == 50
    assert (merged["shop.area_sqm"]["min"], merged["shop.area_sqm"]["max"]) == (10, 5000)


def test_a_merged_field_offers_every_prefill_source_once_in_the_order_first_given():
    merged = _merged(
        _item("A", form_field("applicant.phone", type="phone", prefill=["account.phone"])),
        _item("B", form_field("applicant.phone", type="phone", prefill=["vault.contact_phone", "account.phone"])),
    )

    assert merged["applicant.phone"]["prefill"] == ["account.phone", "vault.contact_phone"]


def test_merging_leaves_the_items_own_fields_untouched():
    first, second = form_field("shop.name", max_length=100, prefill=["registry.org.name"]), form_field("shop.name", max_length=50)

    merge_form([_item("A", first), _item("B", second)])

    assert first["max_length"] == 100 and first["prefill"] == ["registry.org.name"] and "items" not in first


def test_one_name_with_two_types_is_a_form_conflict_naming_the_field_and_both_items():
    with pytest.raises(FormConflict) as raised:
        merge_form([_item("A", form_field("property.area_sqm", type="number")), _item("B", form_field("property.area_sqm"))])

    assert raised.value.status == 422 and raised.value.code == "form_conflict"
    assert list(raised.value.conflicts) == ["property.area_sqm"]
    assert "property.area_sqm" in raised.value.message and "A" in raised.value.message and "B" in raised.value.message


def test_a_choice_field_with_different_choices_in_two_items_is_a_form_conflict():
    with pytest.raises(FormConflict) as raised:
        merge_form(
            [
                _item("A", form_field("baby.sex", type="choice", choices=["male", "female"])),
                _item("B", form_field("baby.sex", type="choice", choices=["male", "female", "unknown"])),
            ]
        )

    assert list(raised.value.conflicts) == ["baby.sex"]


def test_limits_that_leave_no_value_allowed_are_a_form_conflict():
    with pytest.raises(FormConflict) as raised:
        at_least_100 = _item("A", form_field("shop.seats", type="integer", min=100))
        merge_form([at_least_100, _item("B", form_field("shop.seats", type="integer", max=50))])

    assert list(raised.value.conflicts) == ["shop.seats"]


def test_every_conflicting_field_is_named_not_only_the_first():
    with pytest.raises(FormConflict) as raised:
        merge_form(
            [
                _item("A", form_field("shop.name"), form_field("shop.seats", type="integer")),
                _item("B", form_field("shop.name", type="address"), form_field("shop.seats", type="string")),
            ]
        )

    assert sorted(raised.value.conflicts) == ["shop.name", "shop.seats"]


def _material(code: str, trust: str, required: bool = True, **extra) -> dict:
    return {"code": code, "name": "材料", "source": "upload", "required": required, "trust": trust, **extra}


def test_a_material_several_items_need_is_listed_once_at_the_weakest_trust_they_give():
    licence = {"source": "certificate", "certificate_type": "business_licence"}
    materials = merge_materials(
        [
            _item("A", materials=[_material("business_licence", "A", **licence), _material("plan", "C", required=False)]),
            _item("B", materials=[_material("licence_copy", "B", **licence), _material("plan", "C", required=True)]),
        ]
    )

    assert [(m["code"], m["trust"], m["required"], m["items"]) for m in materials] == [
        ("business_licence", "B", True, ["A", "B"]),
        ("plan", "C", True, ["A", "B"]),
    ]
