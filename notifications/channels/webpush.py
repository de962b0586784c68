"""Web Push (RFC 8030/8291/8292) through pywebpush, signed with the VAPID key in var/keys/."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

import requests
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from .. import subscriptions, vapid
from ..templates import Rendered
from .base import NothingToSend, RetryLater, Undeliverable

log = logging.getLogger("onetrip.notifications.webpush")

TTL_SECONDS = 24 * 3600  # a push older than a day is news no more: the inbox still has it


class WebPushChannel:
    name = "webpush"

    def __init__(
        self,
        store: Any,
        keys_dir: str,
        subject: str,
        allowed_hosts: Iterable[str],
        timeout: float = 10.0,
        sender: Callable[..., Any] = webpush,
    ):
        self.store = store
        self.vapid = Vapid(private_key=vapid.private_key(keys_dir))
        self.subject = subject
        self.allowed_hosts = tuple(allowed_hosts)
        self.timeout = timeout
        self.sender = sender

    def _payload(self, message: dict, rendered: Rendered) -> str:
        body = {"id": message["_id"], "event": message["event"], "title": rendered.title, "body": rendered.body}
        return json.dumps({**body, "link": rendered.link}, ensure_ascii=False)

    def _push(self, subscription: dict, payload: str) -> None:
        self.sender(
            subscription_info={"endpoint": subscription["endpoint"], "keys": subscription["keys"]},
            data=payload,
            vapid_private_key=self.vapid,
            vapid_claims={"sub": self.subject},  # pywebpush adds aud and exp to this dict: a fresh one each time
            timeout=self.timeout,
            ttl=TTL_SECONDS,
        )

    def send(self, message: dict, rendered: Rendered, progress: dict) -> dict:
        targets = subscriptions.for_account(self.store, message["recipient"]["account_id"])
        if not targets:
            raise NothingToSend("no push subscriptions")
        delivered = set((progress.get("detail") or {}).get("delivered", []))
        payload = self._payload(message, rendered)
        failed: dict[str, list[str]] = {"gone": [], "refused": [], "temporary": []}
        for subscription in targets:
            if subscription["_id"] in delivered:
                continue  # reached on an earlier try
            if subscriptions.endpoint_allowed(subscription["endpoint"], self.allowed_hosts):
                outcome = self._send_one(subscription, payload)
            else:
                outcome = "refused"
            if outcome == "delivered":
                delivered.add(subscription["_id"])
            else:
                failed[outcome].append(subscription["_id"])
        detail = {"delivered": sorted(delivered), "removed": failed["gone"], "refused": failed["refused"]}
        if failed["temporary"]:
            raise RetryLater(f"push service unavailable for {len(failed['temporary'])} subscription(s)", detail)
        if delivered:
            return detail
        if failed["refused"]:
            raise Undeliverable("every push service refused the message", detail)
        raise NothingToSend("every subscription was gone", detail)

    def _send_one(self, subscription: dict, payload: str) -> str:
        try:
            self._push(subscription, payload)
        except WebPushException as exc:
            status = exc.response.status_code if exc.response is not None else None
            if status in (404, 410):
                subscriptions.remove_gone(self.store, subscription)
                log.info("push subscription gone, removed", extra={"subscription": subscription["_id"], "status": status})
                return "gone"
            if status is None or status in (408, 429) or status >= 500:
                return "temporary"
            log.warning("push refused", extra={"subscription": subscription["_id"], "status": status})
            return "refused"
        except requests.RequestException:
            return "temporary"
        return "delivered"
