"""HTTP for the catalogue: public, cacheable reads (ETag + Cache-Control) and the admin's edits.

A public GET answered with 200 is kept with the in-memory catalogue it was made from (cache.py):
the same path and query string is answered again with the same status, headers and body (or a 304
for its ETag) without running the view, until the catalogue's generation moves. The app's own hooks
(request id, security headers, the request log) run on every answer.
"""

from __future__ import annotations

from flask import current_app, request
from flask.views import MethodView
from flask_smorest.exceptions import NotModified

from api import audit
from api.blueprint import Blueprint
from auth.access import current_principal, login_required, roles_required

from . import cache, service
from .schemas import (
    BundleCreateSchema,
    BundleSchema,
    BundleSummarySchema,
    BundleUpdateSchema,
    CatalogQuerySchema,
    CertificateTypeOutSchema,
    DepartmentSchema,
    ItemCreateSchema,
    ItemSchema,
    ItemSummarySchema,
    ItemUpdateSchema,
)

PUBLIC = {"Cache-Control": "public, max-age=300"}


class _NotModified(NotModified):
    """A 304 that repeats what the 200 says about caching (RFC 9110 §15.4.5): its ETag and Cache-Control.

    Without them the app-wide default (no-store) would reach the client, and a cache that revalidated
    would from then on keep nothing.
    """

    def __init__(self, etag: str):
        super().__init__()
        self.etag = etag

    def get_headers(self, environ=None, scope=None):
        return [("ETag", f'"{self.etag}"'), *PUBLIC.items()]


class PublicBlueprint(Blueprint):
    """flask-smorest's ETags, with a 304 that keeps the public caching headers."""

    def _check_not_modified(self, etag):
        if request.method in self.METHODS_CHECKING_NOT_MODIFIED and etag in request.if_none_match:
            raise _NotModified(etag)


blp = PublicBlueprint(
    "catalog", __name__, url_prefix="/api/v1/catalog", description="Service items (事项) and one-thing bundles (一件事)"
)
admin_blp = Blueprint("catalog_admin", __name__, url_prefix="/api/v1/admin/catalog", description="Editing the catalogue (admin)")


def _store():
    return current_app.extensions["store"]


_ANSWERED_BEFORE = "onetrip.catalog_answered_before"


def _response_key() -> tuple:
    return ("response", request.path, request.query_string)


@blp.before_request
def answer_as_before():
    if request.method != "GET":
        return None
    kept = cache.catalogue(_store()).recall(_response_key())
    if kept is None:
        return None
    request.environ[_ANSWERED_BEFORE] = True
    headers, body, etag = kept
    if etag is not None and etag in request.if_none_match:
        raise _NotModified(etag)
    return current_app.response_class(body, status=200, headers=headers)


@blp.after_request
def keep_answer(response):
    if request.method != "GET" or response.status_code != 200 or response.is_streamed or request.environ.get(_ANSWERED_BEFORE):
        return response
    catalogue = cache.held_for_request(_store())  # None if the catalogue changed while this answer was made
    if catalogue is not None:
        body = response.get_data()
        catalogue.keep(_response_key(), (list(response.headers.items()), body, response.get_etag()[0]), len(body))
    return response


def _page(found: list, pagination_parameters) -> list:
    pagination_parameters.item_count = len(found)
    start = pagination_parameters.first_item
    return found[start : start + pagination_parameters.page_size]


@blp.route("/items")
class Items(MethodView):
    @blp.etag
    @blp.arguments(CatalogQuerySchema, location="query")
    @blp.response(200, ItemSummarySchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """Search service items by keyword, department, 四办 tag and who they are for"""
        return _page(service.search_items(_store(), **query), pagination_parameters), 200, PUBLIC


@blp.route("/items/<string:code>")
class Item(MethodView):
    @blp.etag
    @blp.response(200, ItemSchema)
    @blp.alt_response(404, description="No such item")
    def get(self, code):
        """One item's full guide (办事指南)"""
        return service.get_item(_store(), code), 200, PUBLIC


@blp.route("/bundles")
class Bundles(MethodView):
    @blp.etag
    @blp.arguments(CatalogQuerySchema, location="query")
    @blp.response(200, BundleSummarySchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """Search one-thing bundles by keyword, taking-part department, 四办 tag and who they are for"""
        return _page(service.search_bundles(_store(), **query), pagination_parameters), 200, PUBLIC


@blp.route("/bundles/<string:code>")
class Bundle(MethodView):
    @blp.etag
    @blp.response(200, BundleSchema)
    @blp.alt_response(404, description="No such bundle")
    def get(self, code):
        """One bundle with its merged form, materials and guide"""
        return service.get_bundle(_store(), code), 200, PUBLIC


@blp.route("/departments")
class Departments(MethodView):
    @blp.etag
    @blp.response(200, DepartmentSchema(many=True))
    def get(self):
        """The departments taking part"""
        return sorted(service.departments(_store()).values(), key=lambda d: d["code"]), 200, PUBLIC


@blp.route("/certificate-types")
class CertificateTypes(MethodView):
    @blp.etag
    @blp.response(200, CertificateTypeOutSchema(many=True))
    def get(self):
        """The e-certificate types (电子证照) that items issue and reuse"""
        return service.certificate_types(_store()), 200, PUBLIC


_ADMIN = [roles_required("admin"), login_required]


def _audited(action: str, subject_type: str, saved: dict) -> dict:
    """An admin's edit of the catalogue goes into the audit log with the version it produced."""
    audit.append(_store(), actor_id=current_principal().account_id, actor_role="admin", action=action,
                 subject_type=subject_type, subject_id=saved["code"], detail={"version": saved.get("version")})  # fmt: skip
    return saved


@admin_blp.route("/items")
class AdminItems(MethodView):
    decorators = _ADMIN

    @admin_blp.arguments(ItemCreateSchema)
    @admin_blp.response(201, ItemSchema)
    @admin_blp.alt_response(409, description="The code is taken")
    @admin_blp.alt_response(422, description="Invalid guide or references")
    def post(self, body):
        """Add a service item"""
        return _audited("catalog.item.create", "catalog_item", service.create_item(_store(), body))


@admin_blp.route("/items/<string:code>")
class AdminItem(MethodView):
    decorators = _ADMIN

    @admin_blp.arguments(ItemUpdateSchema)
    @admin_blp.response(200, ItemSchema)
    @admin_blp.alt_response(404, description="No such item")
    @admin_blp.alt_response(409, description="Edited by someone else since `version`")
    @admin_blp.alt_response(422, description="Invalid guide, references, or a bundle's form would conflict")
    def put(self, body, code):
        """Replace a service item's guide (the bundles holding it are recomputed)"""
        return _audited("catalog.item.update", "catalog_item", service.update_item(_store(), code, body))


@admin_blp.route("/bundles")
class AdminBundles(MethodView):
    decorators = _ADMIN

    @admin_blp.arguments(BundleCreateSchema)
    @admin_blp.response(201, BundleSchema)
    @admin_blp.alt_response(409, description="The code is taken")
    @admin_blp.alt_response(422, description="Invalid bundle: unknown items, or their fields do not merge")
    def post(self, body):
        """Add a one-thing bundle (its form is merged from its items; a form sent must equal it)"""
        return _audited("catalog.bundle.create", "catalog_bundle", service.create_bundle(_store(), body))


@admin_blp.route("/bundles/<string:code>")
class AdminBundle(MethodView):
    decorators = _ADMIN

    @admin_blp.arguments(BundleUpdateSchema)
    @admin_blp.response(200, BundleSchema)
    @admin_blp.alt_response(404, description="No such bundle")
    @admin_blp.alt_response(409, description="Edited by someone else since `version`")
    @admin_blp.alt_response(422, description="Invalid bundle")
    def put(self, body, code):
        """Replace a one-thing bundle"""
        return _audited("catalog.bundle.update", "catalog_bundle", service.update_bundle(_store(), code, body))
