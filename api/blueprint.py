"""flask-smorest's Blueprint with one correction, used by every resource package."""

from __future__ import annotations

from flask_smorest import Blueprint as SmorestBlueprint

_PAGINATION_FIELDS = ("total", "total_pages", "first_page", "last_page", "page", "previous_page", "next_page")


class Blueprint(SmorestBlueprint):
    """X-Pagination is a JSON text. flask-smorest documents it with `schema`, which tells clients (and
    schemathesis) to read it as a comma-separated OpenAPI header; `content: application/json` says what it is."""

    def _document_pagination_metadata(self, spec, resp_doc):
        schema = {"type": "object", "properties": {name: {"type": "integer"} for name in _PAGINATION_FIELDS}}
        header = {"description": "Pagination metadata", "content": {"application/json": {"schema": schema}}}
        resp_doc.setdefault("headers", {})[self.PAGINATION_HEADER_NAME] = header
