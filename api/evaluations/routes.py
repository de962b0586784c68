"""HTTP for ratings (好差评): the applicant rates, edits once, follows up after a reply; the public reads totals;
a department's approvers (and admins) answer rectification cases (整改)."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from werkzeug.routing import BaseConverter

from api.blueprint import Blueprint
from api.catalog import service as catalog
from api.errors import Forbidden, Invalid
from auth import accounts
from auth.access import current_principal, login_required, roles_required

from . import rectifications, service
from .schemas import (
    CaseQuerySchema,
    CaseReplySchema,
    CaseSchema,
    EvaluationSchema,
    MineQuerySchema,
    PendingSchema,
    RateSchema,
    RatingSchema,
    SummaryQuerySchema,
    SummarySchema,
    VocabularySchema,
)

blp = Blueprint("evaluations", __name__, url_prefix="/api/v1/evaluations", description="Service ratings (好差评)")
staff_blp = Blueprint("rectifications", __name__, url_prefix="/api/v1/rectifications",
                      description="Rectification cases of poor ratings (差评整改): approvers and admins")  # fmt: skip
BLUEPRINTS = [blp, staff_blp]


class EvaluationIdConverter(BaseConverter):
    """A rating's id (ev_…): /evaluations/summary, /pending and /vocabulary are never taken for one, so their
    405s and OPTIONS list only their own methods (not the PATCH of a rating)."""

    regex = r"ev_[A-Za-z0-9_-]{1,64}"


# runs before the blueprint's rules are added (deferred functions keep their order)
blp.record_once(lambda state: state.app.url_map.converters.setdefault("evaluation_id", EvaluationIdConverter))


def _store():
    return current_app.extensions["store"]


def _me() -> str:
    return current_principal().account_id


def _view(evaluation: dict) -> dict:
    return service.view(_store(), evaluation)


@blp.route("")
class Evaluations(MethodView):
    decorators = [login_required]

    @blp.arguments(MineQuerySchema, location="query")
    @blp.response(200, EvaluationSchema(many=True))
    @blp.paginate()
    @blp.alt_response(401, description="Not logged in")
    def get(self, query, pagination_parameters):
        """My ratings, newest first (filter by subject_type and subject_id to find the rating of one application)"""
        found, total = service.mine(_store(), _me(), query.get("subject_type"), query.get("subject_id"),
                                    pagination_parameters.page, pagination_parameters.page_size)  # fmt: skip
        pagination_parameters.item_count = total
        return [_view(evaluation) for evaluation in found]

    @blp.arguments(RateSchema)
    @blp.response(201, EvaluationSchema)
    @blp.alt_response(401, description="Not logged in")
    @blp.alt_response(404, description="No such application or appointment of mine")
    @blp.alt_response(409, description="Not completed yet, or rated already")
    @blp.alt_response(422, description="Bad level, tags of another level, comment too long")
    def post(self, body):
        """Rate a completed application or a served appointment (once); 不满意 or worse opens a rectification case"""
        evaluation = service.rate(_store(), _me(), body["subject_type"], body["subject_id"], body["level"], body["tags"],
                                  body.get("comment"))  # fmt: skip
        return _view(evaluation)


@blp.route("/pending")
class Pending(MethodView):
    decorators = [login_required]

    @blp.response(200, PendingSchema(many=True))
    @blp.alt_response(401, description="Not logged in")
    def get(self):
        """What I am invited to rate: my completed applications and served visits without a rating"""
        return service.pending(_store(), _me())


@blp.route("/vocabulary")
class Vocabulary(MethodView):
    @blp.response(200, VocabularySchema)
    def get(self):
        """The five levels and the tags each level may carry"""
        return service.vocabulary()


@blp.route("/summary")
class Summary(MethodView):
    @blp.arguments(SummaryQuerySchema, location="query")
    @blp.response(200, SummarySchema)
    @blp.alt_response(404, description="No such item, department, bundle or hall")
    def get(self, query):
        """Public totals of an item, department, bundle or hall (or of all): count per level and 满意率"""
        scope, code = next(iter(query.items()), ("all", "all"))
        return service.summary(_store(), scope, code)


@blp.route("/<evaluation_id:evaluation_id>")
class Evaluation(MethodView):
    decorators = [login_required]

    @blp.response(200, EvaluationSchema)
    @blp.alt_response(401, description="Not logged in")
    @blp.alt_response(404, description="Not my rating")
    def get(self, evaluation_id):
        """My rating, its history and the department's replies"""
        return _view(service.get_own(_store(), _me(), evaluation_id))

    @blp.arguments(RatingSchema)
    @blp.response(200, EvaluationSchema)
    @blp.alt_response(401, description="Not logged in")
    @blp.alt_response(404, description="Not my rating")
    @blp.alt_response(409, description="Edited once already, after 7 days, or the department already replied")
    @blp.alt_response(422, description="Bad level, tags or comment")
    def patch(self, body, evaluation_id):
        """Change my rating: once, within 7 days of rating"""
        return _view(service.edit(_store(), _me(), evaluation_id, body["level"], body["tags"], body.get("comment")))


@blp.route("/<evaluation_id:evaluation_id>/follow-up")
class FollowUp(MethodView):
    decorators = [login_required]

    @blp.arguments(RatingSchema)
    @blp.response(200, EvaluationSchema)
    @blp.alt_response(401, description="Not logged in")
    @blp.alt_response(404, description="Not my rating")
    @blp.alt_response(409, description="No reply yet, or followed up already")
    @blp.alt_response(422, description="Bad level, tags or comment")
    def post(self, body, evaluation_id):
        """追评: rate again once after the department's reply; ≥ 3 closes the case (已整改), ≤ 2 reopens it"""
        return _view(service.follow_up(_store(), _me(), evaluation_id, body["level"], body["tags"], body.get("comment")))


# -- staff -----------------------------------------------------------------------------------------------


def _department(requested: str | None = None) -> str | None:
    """An approver's own department (code); None for an admin (every department, or the one requested)."""
    principal = current_principal()
    if principal.has_role("admin"):
        return requested or None
    named = (accounts.get_account(_store(), principal.account_id) or {}).get("department")
    for code, department in catalog.departments(_store()).items():
        if named in (code, department["name"]):
            if requested and requested != code:
                raise Forbidden("只能查看本部门的整改单", code="not_own_department")
            return code
    raise Forbidden("您的账户未关联审批部门", code="no_department")


@staff_blp.route("")
class Cases(MethodView):
    decorators = [roles_required("approver", "admin"), login_required]

    @staff_blp.arguments(CaseQuerySchema, location="query")
    @staff_blp.response(200, CaseSchema(many=True))
    @staff_blp.alt_response(403, description="Not an approver or admin")
    def get(self, query):
        """My department's cases (an admin: all, or ?department=), awaiting a reply by default; overdue first"""
        states = None if query["state"] == "awaiting" else [query["state"]]
        return rectifications.department_cases(_store(), _department(query.get("department")), states)


@staff_blp.route("/<string:case_id>")
class Case(MethodView):
    decorators = [roles_required("approver", "admin"), login_required]

    @staff_blp.response(200, CaseSchema)
    @staff_blp.alt_response(403, description="Not an approver or admin")
    @staff_blp.alt_response(404, description="No such case of my department")
    def get(self, case_id):
        """One case with the rating, its comment and the replies so far"""
        return rectifications.department_case(_store(), _department(), case_id)


@staff_blp.route("/<string:case_id>/reply")
class Reply(MethodView):
    decorators = [roles_required("approver", "admin"), login_required]

    @staff_blp.arguments(CaseReplySchema)
    @staff_blp.response(200, CaseSchema)
    @staff_blp.alt_response(403, description="Not an approver or admin")
    @staff_blp.alt_response(404, description="No such case of my department")
    @staff_blp.alt_response(409, description="Not awaiting a reply")
    @staff_blp.alt_response(422, description="Reply and measures are required")
    def post(self, body, case_id):
        """答复: the reply and the measures taken; the applicant is notified and may rate again once"""
        department = _department()
        if department and body.get("department") not in (None, department):
            raise Invalid("只能以本部门名义答复", errors={"department": ["只能以本部门名义答复"]})
        return rectifications.reply(_store(), department, _me(), case_id, body["reply"], body["measures"],
                                    as_department=body.get("department"))  # fmt: skip
