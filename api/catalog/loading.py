"""Reading the catalogue files (`flask load-catalog`): each document shaped by its schema, every error named.

A directory holds four JSON files, each an array of objects: departments.json, certificate_types.json,
items.json and bundles.json. Everything is read and checked here before `service.load_catalog` writes
anything, so that a broken file leaves the store as it was.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from marshmallow import Schema, ValidationError

from api.errors import Invalid

from .schemas import BundleCreateSchema, CertificateTypeSchema, DepartmentSchema, ItemCreateSchema


@dataclass(frozen=True)
class CatalogFiles:
    """The documents of one directory, each file's keyed by code (a certificate type by its type)."""

    departments: dict[str, dict]
    types: dict[str, dict]
    items: dict[str, dict]
    bundles: dict[str, dict]


def read_directory(directory: Path) -> CatalogFiles:
    return CatalogFiles(
        departments=_read_file(directory, "departments.json", DepartmentSchema(), "code"),
        types=_read_file(directory, "certificate_types.json", CertificateTypeSchema(), "type"),
        items=_read_file(directory, "items.json", ItemCreateSchema(), "code"),
        bundles=_read_file(directory, "bundles.json", BundleCreateSchema(), "code"),
    )


def raise_for(file: str, code: str, errors: dict) -> None:
    """Invalid naming the file and the document, when a document's references are wrong."""
    if errors:
        raise Invalid(f"{file} 中“{code}”有误", code="catalog_invalid", errors=errors)


def _parse(path: Path) -> list:
    try:
        documents = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as missing:
        raise Invalid(f"缺少文件 {path.name}", code="catalog_invalid") from missing
    except UnicodeDecodeError as undecodable:
        raise Invalid(f"{path.name} 不是 UTF-8 编码的文本", code="catalog_invalid") from undecodable
    except json.JSONDecodeError as broken:
        where = f"第 {broken.lineno} 行第 {broken.colno} 列"
        raise Invalid(f"{path.name} 不是有效的 JSON（{where}：{broken.msg}）", code="catalog_invalid") from broken
    if not isinstance(documents, list) or not all(isinstance(document, dict) for document in documents):
        raise Invalid(f"{path.name} 应为 JSON 数组，每项一个对象", code="catalog_invalid")
    return documents


def _read_file(directory: Path, name: str, schema: Schema, key: str) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for index, raw in enumerate(_parse(Path(directory) / name)):
        label = f"{name} 第 {index + 1} 项（{raw.get(key) or '无编码'}）"
        try:
            document = schema.load(raw)
        except ValidationError as error:
            raise Invalid(f"{label}有误", code="catalog_invalid", errors=error.messages) from error
        if document[key] in found:
            raise Invalid(f"{label}：编码“{document[key]}”在文件中重复", code="catalog_invalid")
        found[document[key]] = document
    return found
