"""Rules that look beyond one document: do the departments, certificate types and items it names exist,
and does a bundle's form map onto its items' fields. Each check returns field errors ({} when all is well)."""

from __future__ import annotations

from dataclasses import dataclass

from .forms import FormConflict, merge_form
from .vocabulary import certificate_source

_COMPARED = ("label", "type", "required", "prefill", "items", "choices", "choice_labels", "max_length", "min", "max")


@dataclass(frozen=True)
class References:
    """What a document may refer to: department codes and each certificate type's field names."""

    departments: frozenset[str]
    certificate_fields: dict[str, frozenset[str]]


def _certificate_errors(certificate_type: str, refs: References) -> list[str]:
    return [] if certificate_type in refs.certificate_fields else [f"没有“{certificate_type}”这种证照类型"]


def _prefill_errors(sources: list[str], refs: References) -> list[str]:
    errors = []
    for source in sources:
        parsed = certificate_source(source)
        if parsed is None:
            continue
        certificate_type, field = parsed
        if certificate_type not in refs.certificate_fields:
            errors.append(f"数据来源“{source}”：没有“{certificate_type}”这种证照类型")
        elif field not in refs.certificate_fields[certificate_type]:
            errors.append(f"数据来源“{source}”：证照“{certificate_type}”没有字段“{field}”")
    return errors


def _nested(errors: dict, key: str, index: int, field: str, messages: list[str]) -> None:
    if messages:
        errors.setdefault(key, {}).setdefault(index, {})[field] = messages


def item_errors(item: dict, refs: References) -> dict:
    """References of one item (already shaped by ItemBaseSchema)."""
    errors: dict = {}
    if item["department"] not in refs.departments:
        errors["department"] = [f"没有编码为“{item['department']}”的部门"]
    for index, material in enumerate(item["materials"]):
        if material["source"] == "certificate":
            _nested(errors, "materials", index, "certificate_type", _certificate_errors(material["certificate_type"], refs))
    for index, field in enumerate(item["fields"]):
        _nested(errors, "fields", index, "prefill", _prefill_errors(field["prefill"], refs))
    for index, result in enumerate(item["results"]):
        certificate_type = result["certificate_type"]
        if messages := _certificate_errors(certificate_type, refs):
            _nested(errors, "results", index, "certificate_type", messages)
        elif unknown := [name for name in result["fields"] if name not in refs.certificate_fields[certificate_type]]:
            _nested(errors, "results", index, "fields", [f"证照“{certificate_type}”没有字段：{'、'.join(unknown)}"])
    return errors


def _item_reference_errors(bundle: dict, items_by_code: dict[str, dict]) -> list[str]:
    errors = []
    for code in bundle["items"]:
        item = items_by_code.get(code)
        if item is None:
            errors.append(f"没有编码为“{code}”的事项")
        elif item.get("status", "active") != "active":
            errors.append(f"事项“{code}”已停用")
        elif item["for_whom"] != bundle["for_whom"]:
            errors.append(f"事项“{code}”的服务对象与一件事不一致")
    return errors


def held_item_errors(item: dict, bundle: dict) -> dict:
    """Why `item`, as an admin would now have it, can no longer be part of `bundle`, which holds it."""
    errors: dict = {}
    if item.get("status", "active") != "active":
        errors["status"] = [f"一件事“{bundle['name']}”包含本事项，须先将其移出该一件事才能停用"]
    if item["for_whom"] != bundle["for_whom"]:
        errors["for_whom"] = [f"一件事“{bundle['name']}”的服务对象为 {bundle['for_whom']}，本事项须与之一致"]
    return errors


def sent_form_errors(sent: list[dict], merged: list[dict]) -> dict | list:
    """A bundle's form, when sent, must be the merged one: each field maps to a field of each item that uses it."""
    expected = {field["name"]: field for field in merged}
    errors: dict = {}
    for index, field in enumerate(sent):
        want = expected.get(field["name"])
        if want is None:
            errors[index] = {"name": [f"字段“{field['name']}”不属于任何所选事项"]}
            continue
        wrong = {key: [f"应为 {want.get(key)!r}（由所选事项合并得出）"] for key in _COMPARED if field.get(key) != want.get(key)}
        if wrong:
            errors[index] = wrong
    missing = [name for name in expected if name not in {field["name"] for field in sent}]
    if missing and not errors:
        return [f"缺少所选事项需要的字段：{'、'.join(missing)}"]
    return errors


def bundle_errors(bundle: dict, items_by_code: dict[str, dict], refs: References) -> dict:
    """References of one bundle, and that its items' forms merge into one (and equal the form sent, if any)."""
    errors: dict = {}
    if bundle["lead_department"] not in refs.departments:
        errors["lead_department"] = [f"没有编码为“{bundle['lead_department']}”的部门"]
    if item_messages := _item_reference_errors(bundle, items_by_code):
        errors["items"] = item_messages
        return errors
    try:
        merged = merge_form([items_by_code[code] for code in bundle["items"]])
    except FormConflict as conflict:
        errors["items"] = conflict.errors["items"]
        return errors
    if bundle.get("fields") is not None and (form_errors := sent_form_errors(bundle["fields"], merged)):
        errors["fields"] = form_errors
    return errors
