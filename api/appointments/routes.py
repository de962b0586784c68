"""HTTP for appointments: public halls, availability and calling screens (cacheable); bookings for residents and
businesses; check-in and the queue for clerks; halls for admins."""

from __future__ import annotations

import hashlib
import json
import threading

from flask import Response, current_app, request
from flask.views import MethodView

from api import audit
from api.blueprint import Blueprint
from api.errors import Conflict, NotFound
from api.vault.qr import qr_svg
from api.vault.signing import certificate_keys
from auth.access import current_principal, login_required, roles_required
from auth.accounts import find_account
from auth.registry import RegistryUnavailable, registry_for

from . import bookings, halls, queue, slots
from .cli import jobs_command
from .schemas import (
    AppointmentSchema,
    AvailabilityQuerySchema,
    AvailabilitySchema,
    BookSchema,
    CallResultSchema,
    CheckInResultSchema,
    CheckInSchema,
    DayQuerySchema,
    HallCreateSchema,
    HallQuerySchema,
    HallSchema,
    HallSummarySchema,
    HallUpdateSchema,
    QueueSchema,
    RescheduleSchema,
    ScreenSchema,
    TicketSchema,
    WalkInTicketSchema,
    WindowCallSchema,
    WindowUpdateSchema,
)
from .settings import settings_of

DEFAULT_HALL = "zz-smzx"  # a clerk account without a hall works at the city's hall (as in api.applications)
HALL_MAX_AGE = 300
SCREEN_MAX_AGE = 2
_KEYS_LOCK = threading.Lock()

blp = Blueprint("appointments", __name__, url_prefix="/api/v1/appointments",
                description="Service halls, slots and bookings (网上预约)")  # fmt: skip
clerk_blp = Blueprint("appointments_clerk", __name__, url_prefix="/api/v1/clerk",
                      description="Check-in and queue numbers at the hall (签到取号, 排队叫号)")  # fmt: skip
admin_blp = Blueprint("appointments_admin", __name__, url_prefix="/api/v1/admin/appointments",
                      description="Halls, windows and the items each window handles (admin)")  # fmt: skip
blp.cli.add_command(jobs_command)
BLUEPRINTS = [blp, clerk_blp, admin_blp]


def _store():
    return current_app.extensions["store"]


def _cacheable(payload, max_age: int) -> Response:
    """JSON with a strong ETag and public caching; 304 when the client holds the same body."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    etag = hashlib.sha256(body.encode("utf-8")).hexdigest()[:32]
    headers = {"ETag": f'"{etag}"', "Cache-Control": f"public, max-age={max_age}"}
    if etag in request.if_none_match:
        return Response(status=304, headers=headers)
    return Response(body, mimetype="application/json", headers=headers)


def _booker(with_name: bool = False) -> bookings.Booker:
    principal = current_principal()
    name = None
    if with_name:
        account = find_account(_store(), principal.account_id)
        name = account.get("name") if account else None
        if principal.acting_for:
            try:
                org = registry_for(current_app).find_org(principal.acting_for)
            except RegistryUnavailable:
                org = None
            name = org.name if org else principal.acting_for
    return bookings.Booker(principal.account_id, principal.acting_for, principal.acr, name)


def _keys():
    """The certificate signing keys (api.vault.signing), built under a lock: two threads building them at once
    both write the key file through the same temporary name (api.config.read_or_create_secret) and one fails."""
    keys = current_app.extensions.get("certificate_keys")
    if keys is None:
        with _KEYS_LOCK:
            keys = certificate_keys()
    return keys


def _view(booking: dict) -> dict:
    return bookings.view(booking, settings_of(), _keys().sign)


def _clerk() -> queue.Clerk:
    principal = current_principal()
    account = find_account(_store(), principal.account_id)
    return queue.Clerk(principal.account_id, (account or {}).get("hall") or DEFAULT_HALL)


# -- public ---------------------------------------------------------------------------------------------


@blp.route("/halls")
class Halls(MethodView):
    @blp.arguments(HallQuerySchema, location="query")
    @blp.response(200, HallSummarySchema(many=True))
    @blp.alt_response(304, description="Not modified (If-None-Match)")
    def get(self, query):
        """Open halls, those handling an item when `item` is given (pick a hall)"""
        found = halls.list_halls(_store(), item=query.get("item"))
        return _cacheable([halls.hall_summary(_store(), hall) for hall in found], HALL_MAX_AGE)


@blp.route("/halls/<string:hall_code>")
class Hall(MethodView):
    @blp.response(200, HallSchema)
    @blp.alt_response(304, description="Not modified (If-None-Match)")
    @blp.alt_response(404, description="No such open hall")
    def get(self, hall_code):
        """A hall: address, opening hours, floors, window groups, windows and the items each handles"""
        return _cacheable(halls.hall_view(_store(), halls.get_hall(_store(), hall_code)), HALL_MAX_AGE)


@blp.route("/halls/<string:hall_code>/availability")
class Availability(MethodView):
    @blp.arguments(AvailabilityQuerySchema, location="query")
    @blp.response(200, AvailabilitySchema)
    @blp.alt_response(304, description="Not modified (If-None-Match)")
    @blp.alt_response(404, description="No such open hall, or it does not handle the item")
    def get(self, query, hall_code):
        """Slots of the next 14 days for an item, with the places left (cacheable for a few seconds)"""
        hall = halls.get_hall(_store(), hall_code)
        if not halls.windows_for(hall, query["item"]):
            raise NotFound("该大厅不办理此事项", code="item_not_handled")
        settings = settings_of()
        return _cacheable(slots.availability(_store(), settings, hall, query["item"]), settings.availability_max_age)


@blp.route("/halls/<string:hall_code>/screen")
class Screen(MethodView):
    @blp.response(200, ScreenSchema)
    @blp.alt_response(304, description="Not modified (If-None-Match)")
    @blp.alt_response(404, description="No such open hall")
    def get(self, hall_code):
        """The hall's calling screen (叫号屏): numbers being called and their windows, waiting counts; no names"""
        return _cacheable(queue.screen(_store(), hall_code), SCREEN_MAX_AGE)


# -- residents and businesses ----------------------------------------------------------------------------


@blp.route("")
class Appointments(MethodView):
    decorators = [login_required]

    @blp.response(200, AppointmentSchema(many=True))
    @blp.paginate()
    @blp.alt_response(401, description="Not logged in")
    def get(self, pagination_parameters):
        """My bookings (and my business's while acting for it), the latest slot first"""
        found, total = bookings.my_bookings(_store(), _booker(), pagination_parameters.page, pagination_parameters.page_size)
        pagination_parameters.item_count = total
        return [_view(booking) for booking in found]

    @blp.arguments(BookSchema)
    @blp.response(201, AppointmentSchema)
    @blp.alt_response(401, description="Not logged in")
    @blp.alt_response(403, description="Real-name level too low, or booking suspended after no-shows")
    @blp.alt_response(409, description="Slot full, booking closed (1 h before), or already booked for this item")
    @blp.alt_response(422, description="Unknown hall, item or application, or not a slot")
    def post(self, body):
        """Book a slot for an item, or for a submitted application that needs a visit (X-Acting-For for a business)"""
        booking = bookings.book(_store(), settings_of(), _booker(with_name=True), body["hall"], body["starts_at"],
                                item=body.get("item"), application_id=body.get("application_id"))  # fmt: skip
        return _view(booking)


@blp.route("/<string:appointment_id>")
class Appointment(MethodView):
    decorators = [login_required]

    @blp.response(200, AppointmentSchema)
    @blp.alt_response(401, description="Not logged in")
    @blp.alt_response(404, description="No booking of mine with this id")
    def get(self, appointment_id):
        """One of my bookings, with its check-in QR token while it can be used"""
        return _view(bookings.get_own(_store(), _booker(), appointment_id))


@blp.route("/<string:appointment_id>/cancel")
class Cancel(MethodView):
    decorators = [login_required]

    @blp.response(200, AppointmentSchema)
    @blp.alt_response(404, description="No booking of mine with this id")
    @blp.alt_response(409, description="Not booked any more, or less than 2 h before the slot")
    def post(self, appointment_id):
        """Cancel a booking, up to 2 h before its slot; the place is free again at once"""
        return _view(bookings.cancel(_store(), settings_of(), _booker(), appointment_id))


@blp.route("/<string:appointment_id>/reschedule")
class Reschedule(MethodView):
    decorators = [login_required]

    @blp.arguments(RescheduleSchema)
    @blp.response(200, AppointmentSchema)
    @blp.alt_response(404, description="No booking of mine with this id")
    @blp.alt_response(409, description="Stale version, new slot full or closed, or less than 2 h before the old slot")
    @blp.alt_response(422, description="Not a slot of this hall")
    def post(self, body, appointment_id):
        """Move a booking to another slot of the same hall and item (改约), up to 2 h before the old slot"""
        booking = bookings.reschedule(_store(), settings_of(), _booker(), appointment_id, body["starts_at"], body["version"])
        return _view(booking)


@blp.route("/<string:appointment_id>/qr.svg")
class AppointmentQr(MethodView):
    decorators = [login_required]

    @blp.response(200, content_type="image/svg+xml", description="The check-in QR code (SVG)")
    @blp.alt_response(404, description="No booking of mine with this id")
    @blp.alt_response(409, description="The booking can no longer be checked in")
    def get(self, appointment_id):
        """The booking's check-in QR code: a signed token the clerk's scanner reads"""
        view = _view(bookings.get_own(_store(), _booker(), appointment_id))
        if not view["check_in_token"]:
            raise Conflict(f"预约{view['state_label']}，无需出示二维码", code="not_booked")
        return Response(qr_svg(view["check_in_token"]), mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})


# -- clerks ---------------------------------------------------------------------------------------------

_CLERK = [roles_required("clerk"), login_required]


@clerk_blp.route("/appointments")
class HallBookings(MethodView):
    decorators = _CLERK

    @clerk_blp.arguments(DayQuerySchema, location="query")
    @clerk_blp.response(200, AppointmentSchema(many=True))
    def get(self, query):
        """My hall's bookings of a day (default today), in slot order; names masked"""
        settings = settings_of()
        return [bookings.view(b, settings) for b in queue.day_bookings(_store(), _clerk(), query.get("day"))]


@clerk_blp.route("/appointments/check-in")
class CheckIn(MethodView):
    decorators = _CLERK

    @clerk_blp.arguments(CheckInSchema)
    @clerk_blp.response(200, CheckInResultSchema)
    @clerk_blp.alt_response(404, description="No such booking")
    @clerk_blp.alt_response(409, description="Another hall's booking, already checked in, or outside the check-in window")
    @clerk_blp.alt_response(422, description="The QR token is not genuine")
    def post(self, body):
        """Check a visitor in from the booking's QR code (30 min before to 15 min after): a queue number, booked first"""
        booking_id = body.get("appointment_id") or queue.booking_of_token(_keys().verify, body["token"])
        result = queue.check_in(_store(), settings_of(), _clerk(), booking_id)
        return {**result, "ticket": queue.ticket_view(result["ticket"]), "appointment": bookings.view(result["appointment"],
                                                                                                      settings_of())}  # fmt: skip


@clerk_blp.route("/queue")
class Queue(MethodView):
    decorators = _CLERK

    @clerk_blp.response(200, QueueSchema)
    def get(self):
        """Today's queue of my hall: waiting tickets in calling order, and those being called"""
        return queue.clerk_queue(_store(), _clerk())


@clerk_blp.route("/queue/walk-ins")
class WalkIns(MethodView):
    decorators = _CLERK

    @clerk_blp.arguments(WalkInTicketSchema)
    @clerk_blp.response(201, TicketSchema)
    @clerk_blp.alt_response(422, description="The hall does not handle the item")
    def post(self, body):
        """A queue number for a visitor without a booking (现场取号), called after booked visitors"""
        return queue.ticket_view(queue.walk_in(_store(), _clerk(), body["item"]))


@clerk_blp.route("/queue/call-next")
class CallNext(MethodView):
    decorators = _CLERK

    @clerk_blp.arguments(WindowCallSchema)
    @clerk_blp.response(200, CallResultSchema)
    @clerk_blp.alt_response(409, description="The window's current number is not finished yet")
    @clerk_blp.alt_response(422, description="No such open window in my hall")
    def post(self, body):
        """Call the next visitor to my window (叫号): booked first, then walk-ins, in number order"""
        result = queue.call_next(_store(), _clerk(), body["window"])
        return {**result, "ticket": queue.ticket_view(result["ticket"]) if result["ticket"] else None}


@clerk_blp.route("/queue/tickets/<string:ticket_id>/recall")
class Recall(MethodView):
    decorators = _CLERK

    @clerk_blp.response(200, TicketSchema)
    @clerk_blp.alt_response(404, description="No such ticket in my hall")
    @clerk_blp.alt_response(409, description="The ticket is not being called")
    def post(self, ticket_id):
        """Call the same number again (重呼)"""
        return queue.ticket_view(queue.recall(_store(), _clerk(), ticket_id))


@clerk_blp.route("/queue/tickets/<string:ticket_id>/served")
class Served(MethodView):
    decorators = _CLERK

    @clerk_blp.response(200, TicketSchema)
    @clerk_blp.alt_response(404, description="No such ticket in my hall")
    @clerk_blp.alt_response(409, description="The ticket is not being called")
    def post(self, ticket_id):
        """The visitor was served (办结)"""
        return queue.ticket_view(queue.finish(_store(), settings_of(), _clerk(), ticket_id, queue.SERVED))


@clerk_blp.route("/queue/tickets/<string:ticket_id>/no-show")
class NoShow(MethodView):
    decorators = _CLERK

    @clerk_blp.response(200, TicketSchema)
    @clerk_blp.alt_response(404, description="No such ticket in my hall")
    @clerk_blp.alt_response(409, description="The ticket is not being called")
    def post(self, ticket_id):
        """The visitor did not come when called (过号); a booked visitor's no-show counts towards suspension"""
        return queue.ticket_view(queue.finish(_store(), settings_of(), _clerk(), ticket_id, queue.NO_SHOW))


# -- admins ---------------------------------------------------------------------------------------------

_ADMIN = [roles_required("admin"), login_required]


def _audited(action: str, hall: dict, **detail) -> dict:
    """An admin's edit of a hall goes into the audit log with the version it produced."""
    audit.append(_store(), actor_id=current_principal().account_id, actor_role="admin", action=action, subject_type="hall",
                 subject_id=hall["code"], detail={"version": hall.get("version"), **detail})  # fmt: skip
    return hall


@admin_blp.route("/halls")
class AdminHalls(MethodView):
    decorators = _ADMIN

    @admin_blp.response(200, HallSchema(many=True))
    def get(self):
        """Every hall, closed ones too"""
        return [halls.hall_view(_store(), hall) for hall in halls.list_halls(_store(), include_inactive=True)]

    @admin_blp.arguments(HallCreateSchema)
    @admin_blp.response(201, HallSchema)
    @admin_blp.alt_response(409, description="The code is taken")
    @admin_blp.alt_response(422, description="Invalid definition, or an item not in the catalogue")
    def post(self, body):
        """Add a hall with its floors, window groups, windows and opening hours"""
        return halls.hall_view(_store(), _audited("hall.create", halls.create_hall(_store(), body)))


@admin_blp.route("/halls/<string:hall_code>")
class AdminHall(MethodView):
    decorators = _ADMIN

    @admin_blp.response(200, HallSchema)
    @admin_blp.alt_response(404, description="No such hall")
    def get(self, hall_code):
        """One hall, closed or open"""
        return halls.hall_view(_store(), halls.get_hall(_store(), hall_code, active_only=False))

    @admin_blp.arguments(HallUpdateSchema)
    @admin_blp.response(200, HallSchema)
    @admin_blp.alt_response(404, description="No such hall")
    @admin_blp.alt_response(409, description="Edited by someone else since `version`")
    @admin_blp.alt_response(422, description="Invalid definition, or an item not in the catalogue")
    def put(self, body, hall_code):
        """Replace a hall's definition (bookings already made keep their slot)"""
        return halls.hall_view(_store(), _audited("hall.update", halls.update_hall(_store(), hall_code, body)))


@admin_blp.route("/halls/<string:hall_code>/windows/<string:window_code>")
class AdminWindow(MethodView):
    decorators = _ADMIN

    @admin_blp.arguments(WindowUpdateSchema)
    @admin_blp.response(200, HallSchema)
    @admin_blp.alt_response(404, description="No such hall")
    @admin_blp.alt_response(409, description="The hall was edited since `version`")
    @admin_blp.alt_response(422, description="Invalid window, or an item not in the catalogue")
    def put(self, body, hall_code, window_code):
        """Add or replace one window: its group, the items it handles, open or closed"""
        hall = halls.put_window(_store(), hall_code, window_code, body)
        return halls.hall_view(_store(), _audited("hall.window.put", hall, window=window_code))
