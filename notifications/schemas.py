from marshmallow import INCLUDE, Schema, fields, validate, validates_schema
from marshmallow.exceptions import ValidationError


class NotificationSchema(Schema):
    id = fields.String(required=True, attribute="_id")
    event = fields.String(required=True, metadata={"description": "what happened, e.g. application.accepted"})
    title = fields.String(required=True)
    body = fields.String(required=True)
    link = fields.String(allow_none=True, metadata={"description": "the PWA path that shows the matter"})
    created_at = fields.String(required=True, metadata={"description": "UTC ISO-8601"})
    read_at = fields.String(allow_none=True, metadata={"description": "UTC ISO-8601; null while unread"})


class UnreadCountSchema(Schema):
    unread = fields.Integer(required=True)


class PushKeysSchema(Schema):
    p256dh = fields.String(required=True, validate=validate.Length(min=80, max=100))
    auth = fields.String(required=True, validate=validate.Length(min=16, max=32))


class PushSubscriptionSchema(Schema):
    """The browser's PushSubscription.toJSON(); expirationTime is accepted and ignored."""

    endpoint = fields.Url(required=True, schemes={"https", "http"}, require_tld=False, validate=validate.Length(max=1024))
    keys = fields.Nested(PushKeysSchema, required=True)
    expirationTime = fields.Raw(allow_none=True, load_only=True)  # noqa: N815 - the browser's own name


class PushSubscriptionOutSchema(Schema):
    id = fields.String(required=True, attribute="_id")
    endpoint = fields.String(required=True)
    created_at = fields.String(required=True)


class PushUnsubscribeSchema(Schema):
    endpoint = fields.String(required=True, validate=validate.Length(min=1, max=1024))


class VapidKeySchema(Schema):
    public_key = fields.String(required=True, metadata={"description": "applicationServerKey for pushManager.subscribe()"})


class SubscribeResultSchema(Schema):
    """wx.requestSubscribeMessage's result object as the mini-program received it:
    {"errMsg": "requestSubscribeMessage:ok", "<template id>": "accept" | "reject" | "ban" | "filter", …}."""

    class Meta:
        unknown = INCLUDE  # the template ids are the keys

    errMsg = fields.String(load_only=True, metadata={"description": "requestSubscribeMessage:ok"})  # noqa: N815

    @validates_schema(pass_original=True)
    def _small(self, data, original, **kwargs):
        if not isinstance(original, dict) or len(original) > 21:
            raise ValidationError("至多 20 个模板的订阅结果", "_schema")


class TemplatePermissionSchema(Schema):
    template_id = fields.String(required=True)
    events = fields.List(fields.String(), required=True, metadata={"description": "the events sent with this template"})
    count = fields.Integer(required=True, metadata={"description": "one-time permissions left (one per message)"})


SUBSCRIBE_RESULT_EXAMPLE = {
    "errMsg": "requestSubscribeMessage:ok",
    "sandbox-application-accepted": "accept",
    "sandbox-payment-received": "accept",
    "sandbox-application-approved": "reject",
}
PERMISSIONS_EXAMPLE = [
    {"template_id": "sandbox-application-accepted", "events": ["application.accepted"], "count": 2},
    {"template_id": "sandbox-application-approved", "events": ["application.approved"], "count": 0},
    {"template_id": "sandbox-payment-received", "events": ["payment.received"], "count": 1},
]
UNKNOWN_TEMPLATE_EXAMPLE = {
    "status": 422,
    "code": "unknown_template",
    "message": "订阅结果有误",
    "errors": {"tmpl-not-ours": ["不是本小程序配置的订阅消息模板"]},
}
