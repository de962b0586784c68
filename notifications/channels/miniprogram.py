"""Subscription messages of the mini-program (订阅消息) through the platform's subscribeMessage.send.

A message goes out only while the account has a permission left for the event's template
(miniprogram_permissions.py); it takes one, once per outbox message however often it is tried.

- sent: the permission is used; detail {template_id, msgid}.
- the account has no openid in the mini-program (a PWA-only resident): skipped; the inbox has it.
- no permission left, or 43101 (the user refused: the template's permissions are spent), or another
  refusal of the platform (the permission is given back): the configured fallback. `sms` (the default)
  texts the event's SMS to the account's phone unless the message has its own SMS channel, the
  event has no SMS text, or it is quiet hours (then, and with `inbox`, the inbox alone carries it).
  Recorded as skipped with detail {fallback, reason}.
- the platform unreachable or busy: retried later, keeping the permission taken for this message.
"""

from __future__ import annotations

import logging
from typing import Any

from api.clock import utcnow
from auth.crypto import FieldCipher, cipher_for_store
from wechat import platform
from wechat.accounts import openid_of
from wechat.settings import WechatSettings

from .. import miniprogram_permissions as permissions
from ..miniprogram_templates import MiniprogramTemplate
from ..quiet_hours import QuietHours
from ..templates import Rendered
from .base import NothingToSend, RetryLater, Undeliverable
from .sms import SmsChannel

log = logging.getLogger("onetrip.notifications.miniprogram")

SEND_PATH = "/cgi-bin/message/subscribe/send"
USER_REFUSED = 43101
STATES = ("formal", "trial", "developer")  # miniprogram_state: which version of the mini-program the message opens


class MiniprogramChannel:
    name = "miniprogram"

    def __init__(self, store: Any, wechat: WechatSettings, templates: dict[str, MiniprogramTemplate], *,
                 state: str = "formal", fallback: str = "sms", sms: SmsChannel | None = None,
                 quiet_hours: QuietHours | None = None, cipher: FieldCipher | None = None):  # fmt: skip
        self.store = store
        self.wechat = wechat
        self.templates = templates
        self.state = state
        self.fallback_channel = fallback
        self.sms = sms
        self.quiet_hours = quiet_hours
        self.cipher = cipher

    def send(self, message: dict, rendered: Rendered, progress: dict) -> dict:
        template = self.templates.get(message["event"])
        account_id = message["recipient"].get("account_id")
        if template is None or not account_id:
            raise NothingToSend("no mini-program template for this event")
        openid = openid_of(self.store, account_id, self.wechat.appid)
        if not openid:
            raise NothingToSend("not a mini-program user")
        page, data = template.render(message["data"])  # before taking a permission: a bad value takes none
        held = permissions.take(self.store, message["_id"], account_id, template.template_id)
        if held is None:
            return self._fallback(message, rendered, "no permission left")
        if held == permissions.SENT:
            return {"template_id": template.template_id, "already_sent": True}
        payload = {"touser": openid, "template_id": template.template_id, "page": page, "data": data,
                   "miniprogram_state": self.state, "lang": "zh_CN"}  # fmt: skip
        try:
            answer = platform.call(self.store, self.wechat, SEND_PATH, payload)
        except platform.PlatformUnavailable as exc:
            raise RetryLater(f"platform unavailable: {exc}") from None
        except platform.PlatformError as exc:
            if exc.errcode == USER_REFUSED:
                permissions.refused(self.store, message["_id"], account_id, template.template_id)
                return self._fallback(message, rendered, "43101 user refused")
            log.error("subscription message refused", extra={"message_id": message["_id"], "errcode": exc.errcode})
            permissions.give_back(self.store, message["_id"])
            return self._fallback(message, rendered, f"errcode {exc.errcode}")
        permissions.sent(self.store, message["_id"])
        return {"template_id": template.template_id, "msgid": answer.get("msgid")}

    def _fallback(self, message: dict, rendered: Rendered, reason: str) -> dict:
        """Never returns: raises NothingToSend with what stood in for the subscription message."""
        if self.fallback_channel != "sms" or self.sms is None or not rendered.sms or "sms" in message["channels"]:
            raise NothingToSend(reason, {"fallback": "inbox", "reason": reason})
        if not message.get("urgent") and self.quiet_hours is not None and self.quiet_hours.contains(utcnow()):
            raise NothingToSend(reason, {"fallback": "inbox", "reason": reason + "; quiet hours"})
        phone = self._phone(message["recipient"]["account_id"])
        if not phone:
            raise NothingToSend(reason, {"fallback": "inbox", "reason": reason + "; no phone"})
        try:
            sent = self.sms.send({**message, "recipient": {**message["recipient"], "phone": phone}}, rendered, {})
        except Undeliverable as exc:
            raise NothingToSend(reason, {"fallback": "inbox", "reason": f"{reason}; sms {exc.reason}"}) from None
        raise NothingToSend(reason, {"fallback": "sms", "reason": reason, **sent})

    def _phone(self, account_id: str) -> str | None:
        account = self.store["accounts"].find_one({"_id": account_id}, {"phone_enc": 1})
        if not account or not account.get("phone_enc"):
            return None
        self.cipher = self.cipher or cipher_for_store(self.store)
        return self.cipher.decrypt(account["phone_enc"], "accounts.phone")
