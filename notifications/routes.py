from flask import current_app
from flask.views import MethodView

from api.blueprint import Blueprint
from api.errors import ErrorSchema
from auth.access import current_principal, login_required

from . import miniprogram_permissions, service, subscriptions, vapid
from .schemas import (
    PERMISSIONS_EXAMPLE,
    SUBSCRIBE_RESULT_EXAMPLE,
    UNKNOWN_TEMPLATE_EXAMPLE,
    NotificationSchema,
    PushSubscriptionOutSchema,
    PushSubscriptionSchema,
    PushUnsubscribeSchema,
    SubscribeResultSchema,
    TemplatePermissionSchema,
    UnreadCountSchema,
    VapidKeySchema,
)
from .settings import NotificationSettings

blp = Blueprint("notifications", __name__, url_prefix="/api/v1", description="The in-app inbox and Web Push subscriptions")


def _store():
    return current_app.extensions["store"]


def _settings() -> NotificationSettings:
    return NotificationSettings.from_config(current_app.config)


@blp.route("/me/notifications")
class MyNotifications(MethodView):
    decorators = [login_required]

    @blp.response(200, NotificationSchema(many=True))
    @blp.paginate()
    @blp.alt_response(401, description="Not logged in")
    def get(self, pagination_parameters):
        """My notifications, newest first"""
        items, total = service.list_inbox(
            _store(), current_principal().account_id, pagination_parameters.page, pagination_parameters.page_size
        )
        pagination_parameters.item_count = total
        return items


@blp.route("/me/notifications/unread-count")
class MyUnreadCount(MethodView):
    decorators = [login_required]

    @blp.response(200, UnreadCountSchema)
    @blp.alt_response(401, description="Not logged in")
    def get(self):
        """How many of my notifications are unread (the badge)"""
        return {"unread": service.unread_count(_store(), current_principal().account_id)}


@blp.route("/me/notifications/<string:notification_id>/read")
class MyNotificationRead(MethodView):
    decorators = [login_required]

    @blp.response(200, NotificationSchema)
    @blp.alt_response(401, description="Not logged in")
    @blp.alt_response(404, description="No such notification of mine")
    def post(self, notification_id):
        """Mark one of my notifications read"""
        return service.mark_read(_store(), current_principal().account_id, notification_id)


@blp.route("/me/push-subscriptions")
class MyPushSubscriptions(MethodView):
    decorators = [login_required]

    @blp.arguments(PushSubscriptionSchema)
    @blp.response(201, PushSubscriptionOutSchema)
    @blp.alt_response(401, description="Not logged in")
    def post(self, body):
        """Receive Web Push on this browser"""
        hosts = _settings().webpush_endpoint_hosts
        return subscriptions.subscribe(_store(), current_principal().account_id, body["endpoint"], body["keys"], hosts)

    @blp.arguments(PushUnsubscribeSchema)
    @blp.response(204)
    @blp.alt_response(401, description="Not logged in")
    def delete(self, body):
        """Stop Web Push on this browser (idempotent)"""
        subscriptions.unsubscribe(_store(), current_principal().account_id, body["endpoint"])


@blp.route("/push/vapid-public-key")
class VapidPublicKey(MethodView):
    @blp.response(200, VapidKeySchema)
    def get(self):
        """The server's VAPID public key, for pushManager.subscribe()"""
        return {"public_key": vapid.public_key_b64(_settings().keys_dir)}


@blp.route("/notifications/miniprogram/subscriptions")
class MiniprogramSubscriptions(MethodView):
    decorators = [login_required]

    @blp.response(200, TemplatePermissionSchema(many=True), example=PERMISSIONS_EXAMPLE)
    @blp.alt_response(401, description="Not logged in")
    def get(self):
        """The mini-program's subscription templates and how many one-time permissions I have left of each

        One entry per configured template (the example shows three)."""
        templates = _settings().miniprogram_templates
        return miniprogram_permissions.remaining(_store(), current_principal().account_id, templates)

    @blp.arguments(SubscribeResultSchema, example=SUBSCRIBE_RESULT_EXAMPLE)
    @blp.response(200, TemplatePermissionSchema(many=True), example=PERMISSIONS_EXAMPLE)
    @blp.alt_response(401, description="Not logged in")
    @blp.alt_response(
        422, schema=ErrorSchema, example=UNKNOWN_TEMPLATE_EXAMPLE,
        description="A template that is not configured, or a result other than accept/reject/ban/filter: nothing counted",
    )  # fmt: skip
    def post(self, body):
        """Report wx.requestSubscribeMessage's result as it came

        Each "accept" allows one more message of that template; "ban" (the user switched it off) spends
        them all; "reject" and "filter" change nothing. Answers the permissions left, as GET does."""
        templates = _settings().miniprogram_templates
        return miniprogram_permissions.report(_store(), current_principal().account_id, body, templates)
