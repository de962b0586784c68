"""flask-smorest's Blueprint with two corrections, used by every resource package."""

from __future__ import annotations

import flask_smorest.pagination as smorest_pagination
import marshmallow as ma
from flask_smorest import Blueprint as SmorestBlueprint
from flask_smorest.utils import resolve_schema_instance

from api.fastdump import dumper, response_view

MAX_PAGE = 100_000  # × page_size ≤ 100: a skip the stores can take (a page of 10^37 overflowed SQLite's OFFSET: 500)
_smorest_parameters_schema = smorest_pagination._pagination_parameters_schema_factory


def _bounded_pagination_parameters_schema(def_page, def_page_size, def_max_page_size):
    """flask-smorest's `page` has no upper bound; this one has, so it is documented and answered 422.

    An instance, not the class: webargs would build a schema from a class on every paginated request (~40 µs)."""

    class BoundedPaginationParametersSchema(_smorest_parameters_schema(def_page, def_page_size, def_max_page_size)):
        page = ma.fields.Integer(load_default=def_page, validate=ma.validate.Range(min=1, max=MAX_PAGE))

    return BoundedPaginationParametersSchema()


smorest_pagination._pagination_parameters_schema_factory = _bounded_pagination_parameters_schema

_PAGINATION_FIELDS = ("total", "total_pages", "first_page", "last_page", "page", "previous_page", "next_page")
_dump_pagination_metadata = dumper(smorest_pagination.PaginationMetadataSchema())


class Blueprint(SmorestBlueprint):
    """X-Pagination is a JSON text. flask-smorest documents it with `schema`, which tells clients (and
    schemathesis) to read it as a comma-separated OpenAPI header; `content: application/json` says what it is.

    Responses are dumped by api/fastdump.py (marshmallow's result at a fraction of its cost): flask-smorest
    documents the response, `response_view` serves it."""

    def arguments(self, schema, *args, **kwargs):
        """A schema class becomes one instance here: webargs would build one from the class on every request
        (~40 µs). The OpenAPI document is the same (flask-smorest documents the instance it resolves)."""
        return super().arguments(resolve_schema_instance(schema), *args, **kwargs)

    def response(self, status_code, schema=None, **kwargs):
        schema = resolve_schema_instance(schema)
        document = super().response(status_code, schema, **kwargs)
        if not isinstance(schema, ma.Schema):
            return document

        def decorator(func):
            view = response_view(func, status_code, schema, self._prepare_response_content)
            view._apidoc = document(func)._apidoc
            return view

        return decorator

    @staticmethod
    def _make_pagination_metadata(page, page_size, item_count):
        """flask-smorest's X-Pagination content, its schema made once (flask-smorest makes one for every
        paginated response: ~0.1 ms) and dumped by api/fastdump.py."""
        metadata = {"total": item_count, "total_pages": 0}
        if item_count:
            last_page = (item_count - 1) // page_size + 1
            metadata |= {"total_pages": last_page, "first_page": 1, "last_page": last_page}
            if page <= last_page:
                metadata["page"] = page
                metadata |= {"previous_page": page - 1} if page > 1 else {}
                metadata |= {"next_page": page + 1} if page < last_page else {}
        return _dump_pagination_metadata(metadata)

    def _document_pagination_metadata(self, spec, resp_doc):
        schema = {"type": "object", "properties": {name: {"type": "integer"} for name in _PAGINATION_FIELDS}}
        header = {"description": "Pagination metadata", "content": {"application/json": {"schema": schema}}}
        resp_doc.setdefault("headers", {})[self.PAGINATION_HEADER_NAME] = header
