"""docs/miniprogram.md shows the OpenAPI document's examples, not copies that drift away from it."""

from __future__ import annotations

import json
import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "miniprogram.md"
MARKED = re.compile(r"<!-- example: (\w+) (\S+) (request|response \d{3}) -->\s*```json\n(.*?)```", re.S)
OURS = "/api/v1/auth/miniprogram/"


def examples_in_the_doc() -> dict[tuple[str, str, str], object]:
    found = {}
    for method, path, what, text in MARKED.findall(DOC.read_text(encoding="utf-8")):
        found[(method.lower(), path, what)] = json.loads(text)
    return found


def examples_in_the_document(spec: dict, paths) -> dict[tuple[str, str, str], object]:
    found = {}
    for path in paths:
        for method, operation in spec["paths"][path].items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            request = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            if "example" in request:
                found[(method, path, "request")] = request["example"]
            for status, response in operation["responses"].items():
                content = response.get("content", {}).get("application/json", {})
                if "example" in content:
                    found[(method, path, f"response {status}")] = content["example"]
    return found


def test_every_example_on_the_page_equals_the_openapi_documents(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    in_doc = examples_in_the_doc()
    assert len(in_doc) >= 6
    documented = examples_in_the_document(spec, {path for _, path, _ in in_doc})
    for key, example in in_doc.items():
        assert key in documented, f"{key} has no example in the OpenAPI document"
        assert example == documented[key], key


def test_every_example_of_the_mini_program_endpoints_is_on_the_page(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    ours = examples_in_the_document(spec, [path for path in spec["paths"] if path.startswith(OURS)])
    assert ours and set(ours) <= set(examples_in_the_doc())
