from marshmallow import Schema, fields, validate


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
