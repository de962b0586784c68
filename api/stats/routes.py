"""HTTP for statistics: public figures (cacheable, no personal data) and the admin's detail."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView

from api.blueprint import Blueprint
from auth.access import login_required, roles_required

from . import service
from .cli import aggregate_command
from .schemas import CatalogueCountsSchema, FiguresSchema, OverdueSchema, ScopeFiguresSchema

PUBLIC = {"Cache-Control": "public, max-age=60"}
PRIVATE = {"Cache-Control": "no-store"}

blp = Blueprint("stats", __name__, url_prefix="/api/v1/stats", description="Run-at-most-once statistics (运行统计), public")
admin_blp = Blueprint("stats_admin", __name__, url_prefix="/api/v1/admin/stats", description="Statistics in detail (admin)")
blp.cli.add_command(aggregate_command)
BLUEPRINTS = [blp, admin_blp]
_ADMIN = [roles_required("admin"), login_required]


def _store():
    return current_app.extensions["store"]


@blp.route("/overview")
class Overview(MethodView):
    @blp.response(200, FiguresSchema)
    def get(self):
        """The city's figures: applications, 零跑动 and 最多跑一次 shares, handling time, payments, delivery, 满意率"""
        return service.overview(_store()), 200, PUBLIC


@blp.route("/items")
class ItemFigures(MethodView):
    @blp.response(200, ScopeFiguresSchema(many=True))
    def get(self):
        """Figures per service item (事项), with its promised time limit"""
        return service.by_scope(_store(), "item"), 200, PUBLIC


@blp.route("/bundles")
class BundleFigures(MethodView):
    @blp.response(200, ScopeFiguresSchema(many=True))
    def get(self):
        """Figures per one-thing bundle (一件事), with the longest promised time limit of its items"""
        return service.by_scope(_store(), "bundle"), 200, PUBLIC


@blp.route("/departments")
class DepartmentFigures(MethodView):
    @blp.response(200, ScopeFiguresSchema(many=True))
    def get(self):
        """Figures per department"""
        return service.by_scope(_store(), "department"), 200, PUBLIC


@blp.route("/months")
class MonthFigures(MethodView):
    @blp.response(200, ScopeFiguresSchema(many=True))
    def get(self):
        """Figures per month (Asia/Shanghai), the last 24 that have any, oldest first; `code` is YYYY-MM"""
        return service.by_month(_store()), 200, PUBLIC


@blp.route("/catalogue")
class Catalogue(MethodView):
    @blp.response(200, CatalogueCountsSchema)
    def get(self):
        """The 四办 classification counts of the catalogue (马上办, 网上办, 就近办, 一次办)"""
        return service.catalogue_counts(_store()), 200, {"Cache-Control": "public, max-age=300"}


@admin_blp.route("/halls")
class AdminHalls(MethodView):
    decorators = _ADMIN

    @admin_blp.response(200, ScopeFiguresSchema(many=True))
    @admin_blp.alt_response(401, description="Not logged in")
    @admin_blp.alt_response(403, description="Not an admin")
    def get(self):
        """Figures per service hall (admin)"""
        return service.by_scope(_store(), "hall"), 200, PRIVATE


@admin_blp.route("/overdue")
class AdminOverdue(MethodView):
    decorators = _ADMIN

    @admin_blp.response(200, OverdueSchema(many=True))
    @admin_blp.alt_response(401, description="Not logged in")
    @admin_blp.alt_response(403, description="Not an admin")
    def get(self):
        """Sub-applications still open past their deadline, oldest deadline first (admin, at most 200)"""
        return service.overdue_open(_store()), 200, PRIVATE
