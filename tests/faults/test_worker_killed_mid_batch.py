"""kill -9 of the real notifications worker (`python -m notifications.worker`, two threads) at a
random point of a batch of SMS sent to a local HTTP gateway: after a restart every message reaches
the gateway, each is delivered once per idempotency key, and only the ones the dead worker had in
hand are offered twice (the gateway drops the repeat by its reference, as real SMS gateways do).
The single-message case with a lease is tests/notifications/test_worker_processes.py."""

from __future__ import annotations

import json
import random
import sys
import threading
import time
from collections import Counter

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from api import create_app
from notifications.outbox import OUTBOX, SENDING, SENT, enqueue
from notifications.templates_zh import TEMPLATES

from .processes import Process, wait_for

MESSAGES = 60


class SmsGateway:
    """A loopback SMS gateway: records every request, delivers each reference once, takes 40 ms a send."""

    def __init__(self):
        self.attempts: Counter = Counter()
        self.delivered: list[str] = []
        self.lock = threading.Lock()
        self.server = make_server("127.0.0.1", 0, self.wsgi, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}/sms"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wsgi(self, environ, start_response):
        reference = json.loads(Request(environ).get_data())["reference"]
        time.sleep(0.04)
        with self.lock:
            self.attempts[reference] += 1
            if self.attempts[reference] == 1:
                self.delivered.append(reference)
        return Response(json.dumps({"id": f"sms-{reference}"}), content_type="application/json")(environ, start_response)

    def stop(self):
        self.server.shutdown()
        self.thread.join(timeout=5)


def test_a_worker_killed_at_a_random_point_of_a_batch_leaves_every_message_delivered_once_per_key(tmp_path, processes):
    gateway = SmsGateway()
    settings = {"SMS_PROVIDER": "http", "SMS_HTTP_URL": gateway.url, "SMS_HTTP_SECRET": "fault-test-secret",
                "QUIET_HOURS": "off", "NOTIFICATIONS_LEASE_SECONDS": "1", "NOTIFICATIONS_POLL_SECONDS": "0.05"}  # fmt: skip
    data_dir = tmp_path / "var"
    app = create_app({"DATA_DIR": str(data_dir), "TESTING": True, "LOG_LEVEL": "WARNING", **settings})
    store = app.extensions["store"]
    with store.transaction():
        ids = {
            enqueue(store, "verification_code", {"account_id": None, "phone": f"137{n:08d}"},
                    TEMPLATES["verification_code"].sample, f"fault-batch:{n}")["_id"]
            for n in range(MESSAGES)
        }  # fmt: skip
    env = {"ONETRIP_DATA_DIR": str(data_dir), "ONETRIP_LOG_LEVEL": "WARNING"}
    env.update({f"ONETRIP_{name}": value for name, value in settings.items()})
    command = [sys.executable, "-m", "notifications.worker", "--threads", "2"]
    try:
        doomed = processes.track(Process(command, env, tmp_path / "worker-1.log"))
        kill_at = random.randint(5, MESSAGES - 15)
        wait_for(lambda: sum(gateway.attempts.values()) >= kill_at, what=f"{kill_at} sends")
        doomed.kill_hard()
        in_hand = {m["_id"] for m in store[OUTBOX].find({"state": SENDING})}
        sent_before = {m["_id"] for m in store[OUTBOX].find({"state": SENT})}
        assert sent_before and len(sent_before) < MESSAGES, "the kill did not land mid-batch"

        processes.track(Process(command, env, tmp_path / "worker-2.log"))
        wait_for(lambda: store[OUTBOX].count_documents({"state": SENT}) == MESSAGES, seconds=30, what="every message sent")
    finally:
        gateway.stop()

    assert sorted(gateway.delivered) == sorted(ids) and len(gateway.delivered) == MESSAGES  # once per key
    offered_twice = {reference for reference, count in gateway.attempts.items() if count > 1}
    assert max(gateway.attempts.values()) <= 2
    assert offered_twice <= in_hand, "a message the dead worker had finished was sent again"
    assert not offered_twice & sent_before
    assert store[OUTBOX].count_documents({}) == MESSAGES
