"""A bundle's one form (合并表单) and its guide, computed from its items so that each value is asked once."""

from __future__ import annotations

from api.errors import Invalid

_TRUST_ORDER = "ABCD"  # A needs no check … D is only the applicant's word


class FormConflict(Invalid):
    """Two items use one canonical field name for different things; `conflicts` maps the name to what differs."""

    def __init__(self, conflicts: dict[str, list[str]]):
        details = "；".join(f"{name}：{'，'.join(reasons)}" for name, reasons in conflicts.items())
        super().__init__(f"事项的表单字段相互冲突（{details}）", code="form_conflict", errors={"items": [details]})
        self.conflicts = conflicts


def _new_field(field: dict, code: str) -> dict:
    merged = {key: value for key, value in field.items() if key != "prefill"}
    merged["prefill"] = list(field.get("prefill") or [])
    merged["items"] = [code]
    return merged


def _tightest(merged: dict, field: dict, key: str, pick) -> None:
    if field.get(key) is not None:
        merged[key] = field[key] if merged.get(key) is None else pick(merged[key], field[key])


def _combine(merged: dict, field: dict, code: str) -> list[str]:
    """Fold one more item's field into the merged field; returns why they cannot be one field, if they cannot."""
    if merged["type"] != field["type"]:
        return [f"{'、'.join(merged['items'])} 中为 {merged['type']}，{code} 中为 {field['type']}"]
    if merged["type"] == "choice" and set(merged.get("choices") or ()) != set(field.get("choices") or ()):
        return [f"{'、'.join(merged['items'])} 与 {code} 的可选项不同"]
    merged["required"] = merged["required"] or field["required"]
    merged["prefill"] += [source for source in field.get("prefill") or () if source not in merged["prefill"]]
    merged["items"].append(code)
    if field.get("choice_labels"):
        merged["choice_labels"] = {**field["choice_labels"], **(merged.get("choice_labels") or {})}
    _tightest(merged, field, "max_length", min)
    _tightest(merged, field, "min", max)
    _tightest(merged, field, "max", min)
    if merged.get("min") is not None and merged.get("max") is not None and merged["min"] > merged["max"]:
        return [f"{'、'.join(merged['items'])} 的取值范围没有交集"]
    return []


def merge_form(items: list[dict]) -> list[dict]:
    """One field per canonical name, in the order the items first ask for it.

    A field is required if any item requires it, its prefill sources are the union in order of first
    appearance, its limits are the tightest of the items', and `items` lists the item codes using it.
    The same name with a different type (or different choices) raises FormConflict.
    """
    merged: dict[str, dict] = {}
    conflicts: dict[str, list[str]] = {}
    for item in items:
        for field in item["fields"]:
            name = field["name"]
            if name not in merged:
                merged[name] = _new_field(field, item["code"])
            elif name not in conflicts and (reasons := _combine(merged[name], field, item["code"])):
                conflicts[name] = reasons
    if conflicts:
        raise FormConflict(conflicts)
    return list(merged.values())


def _material_key(material: dict) -> str:
    if material["source"] == "certificate":
        return "certificate:" + material["certificate_type"]
    return "code:" + material["code"]


def merge_materials(items: list[dict]) -> list[dict]:
    """One entry per e-certificate type (or per material code), listing the items that need it.

    Required if any item requires it; its trust level is the weakest the items give, so that the review
    screen shows what still needs checking.
    """
    merged: dict[str, dict] = {}
    for item in items:
        for material in item["materials"]:
            key = _material_key(material)
            if key not in merged:
                merged[key] = {**material, "items": [item["code"]]}
                continue
            entry = merged[key]
            entry["required"] = entry["required"] or material["required"]
            entry["trust"] = max(entry["trust"], material["trust"], key=_TRUST_ORDER.index)
            entry["items"].append(item["code"])
    return list(merged.values())


def bundle_guide(items: list[dict], departments: dict[str, dict]) -> dict:
    """The bundle's guide summed up from its items: what it costs, how long it takes, how often one must go.

    Delivery lists the ways that reach every item posting a paper original (items that post nothing
    do not narrow it); with no paper at all, the ways every item offers.
    """
    posting = [item for item in items if any(result["paper"] for result in item["results"])] or items
    delivery = [way for way in posting[0]["delivery"] if all(way in item["delivery"] for item in posting)] if posting else []
    codes = list(dict.fromkeys(item["department"] for item in items))
    return {
        "total_fee_fen": sum(item["fee_fen"] for item in items),
        "max_promised_days": max((item["promised_days"] for item in items), default=0),
        "max_legal_days": max((item["legal_days"] for item in items), default=0),
        "visits": max((item["visits"] for item in items), default=0),
        "delivery": delivery,
        "online_depth": min((item["online_depth"] for item in items), default=4),
        "acr_level": max((item["acr_level"] for item in items), default=1),
        "departments": [departments.get(code) or {"code": code, "name": code, "short_name": code} for code in codes],
    }
