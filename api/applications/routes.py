"""HTTP for applications: the applicant's drafts and submissions, the clerk's window, the departments' queues."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView

from api.blueprint import Blueprint
from api.catalog import service as catalog
from api.errors import Forbidden, Invalid
from auth import accounts
from auth.access import current_principal, login_required, roles_required
from auth.crypto import field_cipher
from auth.data_use import record_data_use
from auth.registry import registry_for

from . import corrections, review, service, window
from .schemas import (
    ApplicationSchema,
    ApplicationSummarySchema,
    CorrectionAnswerSchema,
    CorrectionQuerySchema,
    CorrectionRequestCreateSchema,
    CorrectionRequestSchema,
    DecisionSchema,
    QueueQuerySchema,
    StartSchema,
    SubApplicationSchema,
    SubmitSchema,
    UploadFileSchema,
    UploadFormSchema,
    ValuesSchema,
    VersionSchema,
    WalkInSchema,
)

blp = Blueprint("applications", __name__, url_prefix="/api/v1/applications", description="One-thing applications (一件事申请)")
staff_blp = Blueprint(
    "review", __name__, url_prefix="/api/v1", description="The front window (受理) and departments' review (审批)"
)
corrections_blp = Blueprint(
    "data_corrections", __name__, url_prefix="/api/v1", description="信息有误: correction requests on locked prefilled values"
)


def _store():
    return current_app.extensions["store"]


def _caller(role: str = "citizen") -> service.Caller:
    principal = current_principal()
    store = _store()
    return service.CallerReadingOnDemand(
        principal.account_id,
        lambda: accounts.get_account(store, principal.account_id),
        field_cipher(),
        registry_for(current_app),
        principal.acting_for,
        role,
    )


def _view(application: dict) -> dict:
    return service.application_view(_store(), application)


@blp.route("")
class Applications(MethodView):
    decorators = [login_required]

    @blp.response(200, ApplicationSummarySchema(many=True))
    @blp.paginate()
    @blp.alt_response(401, description="Not logged in")
    def get(self, pagination_parameters):
        """My applications, newest first; while acting for a business (X-Acting-For), the business's applications"""
        found, total = service.my_applications(_store(), _caller(), pagination_parameters.page, pagination_parameters.page_size)
        pagination_parameters.item_count = total
        return [service.with_label(a) for a in found]

    @blp.arguments(StartSchema)
    @blp.response(201, ApplicationSchema)
    @blp.alt_response(401, description="Not logged in")
    @blp.alt_response(403, description="A business bundle needs X-Acting-For")
    @blp.alt_response(404, description="No such bundle or item")
    def post(self, body):
        """Start a draft for a bundle or an item: the form comes back prefilled, each value with its source"""
        return service.start_draft_view(_store(), _caller(), body.get("bundle"), body.get("item"))


@blp.route("/<string:application_id>")
class Application(MethodView):
    decorators = [login_required]

    @blp.response(200, ApplicationSchema)
    @blp.alt_response(401, description="Not logged in")
    @blp.alt_response(404, description="No application of mine with this id")
    def get(self, application_id):
        """One of my applications: form, materials, sub-applications, timeline, fee"""
        return _view(service.get_own(_store(), _caller(), application_id))

    @blp.arguments(ValuesSchema)
    @blp.response(200, ApplicationSchema)
    @blp.alt_response(404, description="No application of mine with this id")
    @blp.alt_response(409, description="Not a draft, or saved elsewhere since `version`")
    @blp.alt_response(422, description="A value is invalid or locked")
    def patch(self, body, application_id):
        """Save the draft (autosave): the values typed; locked values cannot change"""
        return _view(service.save_draft(_store(), _caller(), application_id, body["values"], body["version"]))


@blp.route("/<string:application_id>/submit")
class Submit(MethodView):
    decorators = [login_required]

    @blp.arguments(SubmitSchema)
    @blp.response(200, ApplicationSchema)
    @blp.alt_response(403, description="The items need a higher real-name level")
    @blp.alt_response(404, description="No application of mine with this id")
    @blp.alt_response(409, description="Not a draft, or changed since `version`")
    @blp.alt_response(422, description="Missing or invalid values, or a locked value no longer matches its source")
    def post(self, body, application_id):
        """Submit: one sub-application per item goes to its department, with the fee order and a notification"""
        return service.submit_view(_store(), _caller(), application_id, body["version"], body.get("delivery"))


@blp.route("/<string:application_id>/withdraw")
class Withdraw(MethodView):
    decorators = [login_required]

    @blp.response(200, ApplicationSchema)
    @blp.alt_response(404, description="No application of mine with this id")
    @blp.alt_response(409, description="Already accepted")
    def post(self, application_id):
        """Withdraw a draft or a submitted application before it is accepted (撤回)"""
        return _view(service.withdraw(_store(), _caller(), application_id))


@blp.route("/<string:application_id>/resubmit")
class Resubmit(MethodView):
    decorators = [login_required]

    @blp.arguments(ValuesSchema)
    @blp.response(200, ApplicationSchema)
    @blp.alt_response(404, description="No application of mine with this id")
    @blp.alt_response(409, description="No correction is asked for")
    @blp.alt_response(422, description="A value is invalid, or outside what the correction asked for")
    def post(self, body, application_id):
        """Send the correction asked for (补正); the deadline moves on by the days waited"""
        return _view(review.resubmit(_store(), _caller(), application_id, body["values"], body["version"]))


@blp.route("/<string:application_id>/materials/<string:code>/declaration")
class Declaration(MethodView):
    decorators = [login_required]

    @blp.arguments(VersionSchema)
    @blp.response(200, ApplicationSchema)
    @blp.alt_response(404, description="No such material to declare")
    @blp.alt_response(409, description="Not editable, or changed since `version`")
    def post(self, body, application_id, code):
        """Provide a material by my own statement (承诺制, trust level D)"""
        return _view(service.declare_material(_store(), _caller(), application_id, code, body["version"]))


@blp.route("/<string:application_id>/materials/<string:code>/upload")
class Upload(MethodView):
    decorators = [login_required]

    @blp.arguments(UploadFormSchema, location="form")
    @blp.arguments(UploadFileSchema, location="files")
    @blp.response(200, ApplicationSchema)
    @blp.alt_response(404, description="No such material to upload")
    @blp.alt_response(409, description="Not editable, or changed since `version`")
    @blp.alt_response(413, description="The file is too large")
    @blp.alt_response(422, description="Not a PDF, JPEG or PNG")
    def post(self, form, files, application_id, code):
        """Upload a material (PDF, JPEG or PNG; the type is read from the content, not the name)"""
        data_dir = current_app.config["DATA_DIR"]
        return _view(service.upload_material(_store(), _caller(), application_id, code, files["file"], data_dir, form["version"]))


@blp.route("/<string:application_id>/fields/<string:field_name>/correction-requests")
class CorrectionRequests(MethodView):
    decorators = [login_required]

    @blp.arguments(CorrectionRequestCreateSchema)
    @blp.response(201, CorrectionRequestSchema)
    @blp.alt_response(403, description="A business's application, not acting for that business")
    @blp.alt_response(404, description="No application of mine with this id, or no such field on its form")
    @blp.alt_response(409, description="A request on this field is already open")
    @blp.alt_response(422, description="No reason, a value that is not locked, or a proposed value that is invalid")
    def post(self, body, application_id, field_name):
        """信息有误: ask the department holding a locked value's source to correct it"""
        caller = _caller()
        request = corrections.file_request(
            _store(), caller, application_id, field_name, body["reason"], body.get("proposed_value")
        )
        return corrections.view(_store(), caller.cipher, request)


@corrections_blp.route("/me/correction-requests")
class MyCorrectionRequests(MethodView):
    decorators = [login_required]

    @corrections_blp.response(200, CorrectionRequestSchema(many=True))
    @corrections_blp.paginate()
    @corrections_blp.alt_response(401, description="Not logged in")
    def get(self, pagination_parameters):
        """The correction requests I filed, newest first, with their answers (values masked)"""
        found, total = corrections.mine(
            _store(), current_principal().account_id, pagination_parameters.page, pagination_parameters.page_size
        )
        pagination_parameters.item_count = total
        return [corrections.view(_store(), field_cipher(), request) for request in found]


# -- staff -----------------------------------------------------------------------------------------------


def _staff_account() -> dict:
    return accounts.get_account(_store(), current_principal().account_id)


def _hall() -> str:
    return _staff_account().get("hall") or service.DEFAULT_HALL


def _department() -> str:
    """The approver's department code (staff accounts may name it by code or by full name)."""
    named = _staff_account().get("department")
    for code, department in catalog.departments(_store()).items():
        if named in (code, department["name"]):
            return code
    raise Forbidden("您的账户未关联审批部门", code="no_department")


def _window_args(application_id: str) -> tuple:
    """What every front-window action on one application takes: store, cipher, registry, clerk, hall, id."""
    return (_store(), field_cipher(), registry_for(current_app), current_principal().account_id, _hall(), application_id)


def _staff_view(application: dict, purpose: str) -> dict:
    """Staff read a person's application: written to that person's data-use log first."""
    principal = current_principal()
    role = "clerk" if principal.has_role("clerk") else "approver"
    view = _view(application)  # its fields are the form's: the catalogue is read once for both
    names = [f["name"] for f in view["fields"]]
    record_data_use(_store(), application["applicant_id"], principal.account_id, role, purpose, names)
    return view


@staff_blp.route("/clerk/applications")
class ClerkQueue(MethodView):
    decorators = [roles_required("clerk"), login_required]

    @staff_blp.response(200, ApplicationSummarySchema(many=True))
    @staff_blp.paginate()
    @staff_blp.alt_response(403, description="Not a clerk")
    def get(self, pagination_parameters):
        """Submitted applications of my hall waiting for acceptance, oldest first"""
        found, total = review.clerk_queue(_store(), _hall(), pagination_parameters.page, pagination_parameters.page_size)
        pagination_parameters.item_count = total
        return [service.with_label(a) for a in found]


@staff_blp.route("/clerk/applications/<string:application_id>")
class ClerkApplication(MethodView):
    decorators = [roles_required("clerk"), login_required]

    @staff_blp.response(200, ApplicationSchema)
    @staff_blp.alt_response(403, description="Not a clerk")
    @staff_blp.alt_response(404, description="No such application in my hall")
    def get(self, application_id):
        """An application of my hall, to check before accepting it"""
        application = window.window_application(_store(), current_principal().account_id, _hall(), application_id)
        return _staff_view(application, "窗口受理审核申请")

    @staff_blp.arguments(ValuesSchema)
    @staff_blp.response(200, ApplicationSchema)
    @staff_blp.alt_response(404, description="No such application in my hall")
    @staff_blp.alt_response(409, description="Not a draft I started for a walk-in resident, or changed since `version`")
    @staff_blp.alt_response(422, description="A value is invalid or locked")
    def patch(self, body, application_id):
        """Fill in a walk-in resident's draft at the window"""
        args = _window_args(application_id)
        return _view(window.save_for_walk_in(*args, body["values"], body["version"]))


@staff_blp.route("/clerk/walk-ins")
class WalkIns(MethodView):
    decorators = [roles_required("clerk"), login_required]

    @staff_blp.arguments(WalkInSchema)
    @staff_blp.response(201, ApplicationSchema)
    @staff_blp.alt_response(403, description="Not a clerk, or a business bundle (businesses apply in the app)")
    @staff_blp.alt_response(404, description="No such bundle or item")
    @staff_blp.alt_response(422, description="The name and ID number do not match the registry")
    def post(self, body):
        """Start an application for a resident at the window, after checking their ID card in person (线上线下融合)"""
        application = window.start_for_walk_in(
            _store(), field_cipher(), registry_for(current_app), current_principal().account_id, _hall(),
            body["name"], body["id_number"], body.get("bundle"), body.get("item"),
        )  # fmt: skip
        return _view(application)


@staff_blp.route("/clerk/applications/<string:application_id>/submit")
class WalkInSubmit(MethodView):
    decorators = [roles_required("clerk"), login_required]

    @staff_blp.arguments(VersionSchema)
    @staff_blp.response(200, ApplicationSchema)
    @staff_blp.alt_response(404, description="No such application in my hall")
    @staff_blp.alt_response(409, description="Not a draft I started, or changed since `version`")
    @staff_blp.alt_response(422, description="Missing or invalid values")
    def post(self, body, application_id):
        """Submit a walk-in resident's application (it counts one in-person visit)"""
        args = _window_args(application_id)
        return _view(window.submit_for_walk_in(*args, body["version"]))


@staff_blp.route("/clerk/applications/<string:application_id>/materials/<string:code>/declaration")
class WalkInDeclaration(MethodView):
    decorators = [roles_required("clerk"), login_required]

    @staff_blp.arguments(VersionSchema)
    @staff_blp.response(200, ApplicationSchema)
    @staff_blp.alt_response(404, description="No such application in my hall, or no such material to declare")
    @staff_blp.alt_response(409, description="Not a draft I started, or changed since `version`")
    def post(self, body, application_id, code):
        """Record the walk-in resident's signed statement (承诺) for a material"""
        args = _window_args(application_id)
        return _view(window.declare_for_walk_in(*args, code, body["version"]))


@staff_blp.route("/clerk/applications/<string:application_id>/materials/<string:code>/upload")
class WalkInUpload(MethodView):
    decorators = [roles_required("clerk"), login_required]

    @staff_blp.arguments(UploadFormSchema, location="form")
    @staff_blp.arguments(UploadFileSchema, location="files")
    @staff_blp.response(200, ApplicationSchema)
    @staff_blp.alt_response(404, description="No such application in my hall, or no such material to upload")
    @staff_blp.alt_response(409, description="Not a draft I started, or changed since `version`")
    @staff_blp.alt_response(413, description="The file is too large")
    @staff_blp.alt_response(422, description="Not a PDF, JPEG or PNG")
    def post(self, form, files, application_id, code):
        """Attach a copy scanned at the window from the original the clerk saw (trust B)"""
        args = _window_args(application_id)
        return _view(window.upload_for_walk_in(*args, code, files["file"], current_app.config["DATA_DIR"], form["version"]))


@staff_blp.route("/clerk/applications/<string:application_id>/hand-over")
class HandOver(MethodView):
    decorators = [roles_required("clerk"), login_required]

    @staff_blp.response(200, ApplicationSchema)
    @staff_blp.alt_response(403, description="Not a clerk")
    @staff_blp.alt_response(404, description="No such application in my hall")
    @staff_blp.alt_response(409, description="Not for pickup, or no results waiting to be picked up")
    def post(self, application_id):
        """Hand the paper originals to the applicant at the window (pickup chosen): the application completes"""
        return _view(window.hand_over(_store(), current_principal().account_id, _hall(), application_id))


@staff_blp.route("/clerk/applications/<string:application_id>/accept")
class Accept(MethodView):
    decorators = [roles_required("clerk"), login_required]

    @staff_blp.response(200, ApplicationSchema)
    @staff_blp.alt_response(403, description="Not a clerk")
    @staff_blp.alt_response(404, description="No such application in my hall")
    @staff_blp.alt_response(409, description="Not waiting for acceptance")
    def post(self, application_id):
        """Accept (受理): each item's promised time limit starts today"""
        accepted = review.accept(_store(), application_id, current_principal().account_id, "clerk", hall=_hall())
        return _view(accepted)


@staff_blp.route("/review/sub-applications")
class DepartmentQueue(MethodView):
    decorators = [roles_required("approver"), login_required]

    @staff_blp.arguments(QueueQuerySchema, location="query")
    @staff_blp.response(200, SubApplicationSchema(many=True))
    @staff_blp.paginate()
    @staff_blp.alt_response(403, description="Not an approver")
    def get(self, query, pagination_parameters):
        """My department's items, soonest deadline first; overdue ones flagged"""
        found, total = review.department_queue(
            _store(), _department(), query.get("state"), pagination_parameters.page, pagination_parameters.page_size
        )
        pagination_parameters.item_count = total
        return [service.with_label(s) for s in found]


@staff_blp.route("/review/sub-applications/<string:sub_id>")
class DepartmentSub(MethodView):
    decorators = [roles_required("approver"), login_required]

    @staff_blp.response(200, ApplicationSchema)
    @staff_blp.alt_response(403, description="Not an approver")
    @staff_blp.alt_response(404, description="No such item in my department")
    def get(self, sub_id):
        """One item of my department with its application's form and materials (with their trust levels)"""
        sub = review.department_sub(_store(), _department(), sub_id)
        application = _store()[service.APPLICATIONS].find_one({"_id": sub["application_id"]})
        return {**_staff_view(application, "部门审批申请"), "subs": [service.with_label(sub)]}


@staff_blp.route("/review/sub-applications/<string:sub_id>/decision")
class Decision(MethodView):
    decorators = [roles_required("approver"), login_required]

    @staff_blp.arguments(DecisionSchema)
    @staff_blp.response(200, SubApplicationSchema)
    @staff_blp.alt_response(403, description="Not an approver")
    @staff_blp.alt_response(404, description="No such item in my department")
    @staff_blp.alt_response(409, description="Not in review")
    @staff_blp.alt_response(422, description="A reason (and, for a correction, the fields) is required")
    def post(self, body, sub_id):
        """Approve, reject (reason required) or ask for a correction (fields and reason)"""
        if body["action"] == "approve" and body.get("fields"):
            raise Invalid("批准时不需要选择补正项目", errors={"fields": ["批准时不需要选择补正项目"]})
        sub = review.decide(
            _store(),
            _department(),
            sub_id,
            body["action"],
            current_principal().account_id,
            body.get("reason"),
            body.get("fields"),
        )
        return service.with_label(sub)


@corrections_blp.route("/review/correction-requests")
class DepartmentCorrectionRequests(MethodView):
    decorators = [roles_required("approver"), login_required]

    @corrections_blp.arguments(CorrectionQuerySchema, location="query")
    @corrections_blp.response(200, CorrectionRequestSchema(many=True))
    @corrections_blp.paginate()
    @corrections_blp.alt_response(403, description="Not an approver")
    def get(self, query, pagination_parameters):
        """Correction requests on my department's data (open ones by default), oldest first, values masked"""
        found, total = corrections.department_requests(
            _store(), _department(), query.get("status"), pagination_parameters.page, pagination_parameters.page_size
        )
        pagination_parameters.item_count = total
        return [corrections.view(_store(), field_cipher(), request) for request in found]


@corrections_blp.route("/review/correction-requests/<string:request_id>")
class DepartmentCorrectionRequest(MethodView):
    decorators = [roles_required("approver"), login_required]

    @corrections_blp.response(200, CorrectionRequestSchema)
    @corrections_blp.alt_response(403, description="Not an approver")
    @corrections_blp.alt_response(404, description="No such request for my department")
    def get(self, request_id):
        """One request with the values whole (written to the applicant's data-use log)"""
        request = corrections.department_request(_store(), _department(), request_id)
        corrections.open_for_staff(_store(), request, current_principal().account_id)
        return corrections.view(_store(), field_cipher(), request, whole=True)


@corrections_blp.route("/review/correction-requests/<string:request_id>/answer")
class CorrectionAnswer(MethodView):
    decorators = [roles_required("approver"), login_required]

    @corrections_blp.arguments(CorrectionAnswerSchema)
    @corrections_blp.response(200, CorrectionRequestSchema)
    @corrections_blp.alt_response(403, description="Not an approver")
    @corrections_blp.alt_response(404, description="No such request for my department")
    @corrections_blp.alt_response(409, description="Already answered")
    @corrections_blp.alt_response(422, description="A status other than fixed or rejected, or no reply")
    def post(self, body, request_id):
        """Answer a request: fixed (the source record is corrected) or rejected, with a reply; the applicant is notified"""
        answered = corrections.answer(
            _store(), _department(), request_id, body["status"], body["reply"], current_principal().account_id
        )
        return corrections.view(_store(), field_cipher(), answered)
