"""HTTP for the audit log: admins search and verify it. There is deliberately no route that writes,
edits or deletes an entry: entries are appended by the services whose changes they record."""

from __future__ import annotations

from dataclasses import asdict

from flask import current_app
from flask.views import MethodView

from api.blueprint import Blueprint
from auth.access import current_principal, login_required, roles_required

from . import service
from .chain import verify
from .schemas import AuditEntrySchema, AuditQuerySchema, VerificationSchema

blp = Blueprint("audit_admin", __name__, url_prefix="/api/v1/admin/audit", description="The audit log, read-only (admin)")

_ADMIN = [roles_required("admin"), login_required]


def _store():
    return current_app.extensions["store"]


@blp.route("")
class AuditEntries(MethodView):
    decorators = _ADMIN

    @blp.arguments(AuditQuerySchema, location="query")
    @blp.response(200, AuditEntrySchema(many=True))
    @blp.paginate()
    @blp.alt_response(403, description="Not an admin")
    @blp.alt_response(422, description="Bad filter, or `from` not before `to`")
    def get(self, query, pagination_parameters):
        """Search the audit log by subject, actor, action and time, newest first (the search is audited too)"""
        found, total = service.search(
            _store(), page=pagination_parameters.page, page_size=pagination_parameters.page_size, **query
        )
        pagination_parameters.item_count = total
        service.record_read(_store(), current_principal().account_id, "audit.search", "search", query)
        return found


@blp.route("/verify")
class AuditVerification(MethodView):
    decorators = _ADMIN

    @blp.response(200, VerificationSchema)
    @blp.alt_response(403, description="Not an admin")
    def get(self):
        """Walk the hash chain and report the first broken link (same as `flask audit verify`)"""
        result = verify(_store())
        service.record_read(_store(), current_principal().account_id, "audit.verify", "chain", {"ok": result.ok})
        broken = result.broken
        return {
            "ok": result.ok,
            "count": result.count,
            "broken": broken and {**asdict(broken), "description": broken.describe()},
        }


@blp.route("/<int:seq>")
class AuditEntry(MethodView):
    decorators = _ADMIN

    @blp.response(200, AuditEntrySchema)
    @blp.alt_response(403, description="Not an admin")
    @blp.alt_response(404, description="No entry with this seq")
    def get(self, seq):
        """One entry by its sequence number"""
        found = service.entry(_store(), seq)
        service.record_read(_store(), current_principal().account_id, "audit.read", str(seq), {})
        return found
