"""`flask load-catalog [DIRECTORY]`: loads the seed or a directory; a broken file stores nothing and says why."""

from __future__ import annotations

import pytest

from api.catalog import service
from api.catalog.service import BUNDLES, DEPARTMENTS, ITEMS

from .conftest import bundle_data, changing, edit_file, form_field, item_data, seed_counts, stored_bundle, stored_item


@pytest.fixture
def run(app):
    def invoke(*arguments: str):
        return app.test_cli_runner().invoke(args=["load-catalog", *map(str, arguments)])

    return invoke


def _everything(store) -> dict:
    return {collection: list(store[collection].find({}, sort=[("_id", 1)])) for collection in (DEPARTMENTS, ITEMS, BUNDLES)}


def test_load_catalog_without_a_directory_loads_the_seed_and_prints_the_counts(run, store):
    result = run()

    counts = seed_counts()
    assert result.exit_code == 0, result.output
    assert result.output.strip() == ", ".join(f"{collection}: {count}" for collection, count in counts.items())
    assert store[ITEMS].count_documents({}) == counts[ITEMS] and store[BUNDLES].count_documents({}) == counts[BUNDLES]


def test_load_catalog_loads_the_directory_it_is_given(run, store, seed_copy):
    edit_file(seed_copy, "items.json", changing("430200-SCJG-001", name="营业执照信息在线核验"))

    result = run(seed_copy)

    assert result.exit_code == 0, result.output
    assert stored_item(store, "430200-SCJG-001")["name"] == "营业执照信息在线核验"


def test_an_item_with_an_unknown_department_is_refused_naming_the_file_the_item_and_the_field(run, store, seed_copy):
    edit_file(seed_copy, "items.json", changing("430200-GAJ-001", department="nosuch"))

    result = run(seed_copy)

    assert result.exit_code == 1
    assert "items.json" in result.output and "430200-GAJ-001" in result.output
    assert "department: 没有编码为“nosuch”的部门" in result.output and "未载入任何内容" in result.output
    assert "Traceback" not in result.output and result.exception.__class__ is SystemExit


def test_a_broken_file_leaves_a_fresh_store_empty(run, store, seed_copy):
    edit_file(seed_copy, "items.json", changing("430200-GAJ-001", department="nosuch"))

    run(seed_copy)

    assert _everything(store) == {DEPARTMENTS: [], ITEMS: [], BUNDLES: []}


def test_a_broken_file_leaves_the_loaded_catalogue_exactly_as_it_was(run, store, catalog, seed_copy):
    before = _everything(store)

    edit_file(seed_copy, "items.json", changing("430200-SCJG-001", name="改了名字的事项"))  # valid, before the broken one
    edit_file(seed_copy, "items.json", changing("430200-GAJ-001", department="nosuch"))
    edit_file(seed_copy, "departments.json", changing("scjg", short_name="改名"))

    assert run(seed_copy).exit_code == 1
    assert _everything(store) == before


def test_a_file_that_is_not_json_is_named_with_the_line_and_column(run, store, seed_copy):
    (seed_copy / "bundles.json").write_text('[{"code": "newborn",\n  oops}]', encoding="utf-8")

    result = run(seed_copy)

    assert result.exit_code == 1
    assert "bundles.json 不是有效的 JSON（第 2 行第 3 列" in result.output
    assert store[ITEMS].count_documents({}) == 0


def test_a_document_of_the_wrong_shape_is_named_by_file_position_and_code(run, store, seed_copy):
    edit_file(seed_copy, "departments.json", changing("xfjy", code="XFJY"))

    result = run(seed_copy)

    assert result.exit_code == 1
    assert "departments.json 第 " in result.output and " 项（XFJY）有误" in result.output
    assert "code: 部门编码应为2到12个小写字母" in result.output


def test_a_file_that_is_not_an_array_of_objects_is_refused(run, seed_copy):
    (seed_copy / "departments.json").write_text('{"code": "scjg"}', encoding="utf-8")

    result = run(seed_copy)

    assert result.exit_code == 1 and "departments.json 应为 JSON 数组，每项一个对象" in result.output


def test_a_code_given_twice_in_one_file_is_refused(run, seed_copy):
    edit_file(seed_copy, "items.json", lambda items: items.append(next(i for i in items if i["code"] == "430200-GS-001")))

    result = run(seed_copy)

    assert result.exit_code == 1 and "编码“430200-GS-001”在文件中重复" in result.output


def test_a_missing_file_is_named(run, store, seed_copy):
    (seed_copy / "bundles.json").unlink()

    result = run(seed_copy)

    assert result.exit_code == 1 and "缺少文件 bundles.json" in result.output
    assert store[ITEMS].count_documents({}) == 0


def test_a_bundle_naming_an_unknown_item_is_refused_and_nothing_is_stored(run, store, seed_copy):
    def add_an_unknown_item(bundles):
        next(bundle for bundle in bundles if bundle["code"] == "newborn")["items"].append("430200-GAJ-999")

    edit_file(seed_copy, "bundles.json", add_an_unknown_item)

    result = run(seed_copy)

    assert result.exit_code == 1
    assert "bundles.json 中“newborn”有误" in result.output and "没有编码为“430200-GAJ-999”的事项" in result.output
    assert store[ITEMS].count_documents({}) == 0


def test_a_directory_that_does_not_exist_is_a_usage_error(run, tmp_path):
    result = run(tmp_path / "nowhere")

    assert result.exit_code == 2 and "does not exist" in result.output


@pytest.fixture
def admin_bundle(store, catalog):
    """A bundle an admin made from a seed item (供水过户) and an item of their own: it is in no file."""
    service.create_item(store, item_data())
    return service.create_bundle(store, bundle_data(items=("430200-GS-001", "430200-ZWFW-101")))


def _add_field_to_water_transfer(field: dict):
    def change(items):
        next(item for item in items if item["code"] == "430200-GS-001")["fields"].append(field)

    return change


def test_reloading_recomputes_a_stored_bundle_that_is_in_no_file_but_holds_a_reloaded_item(run, store, admin_bundle, seed_copy):
    edit_file(seed_copy, "items.json", _add_field_to_water_transfer(form_field("residence.address", type="address")))

    assert run(seed_copy).exit_code == 0

    fields = {field["name"]: field["items"] for field in stored_bundle(store, "residence-proof")["fields"]}
    assert fields["residence.address"] == ["430200-GS-001", "430200-ZWFW-101"]
    assert stored_bundle(store, "residence-proof")["version"] == admin_bundle["version"] + 1


def test_a_reload_that_would_break_a_stored_bundle_is_refused_naming_it(run, store, admin_bundle, seed_copy):
    before = _everything(store)
    edit_file(seed_copy, "items.json", _add_field_to_water_transfer(form_field("residence.address", type="string")))

    result = run(seed_copy)

    assert result.exit_code == 1
    assert "residence-proof" in result.output and "residence.address" in result.output
    assert _everything(store) == before
