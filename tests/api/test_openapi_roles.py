"""schemathesis as each role: every operation a role can reach, driven with its token, answers within
its documented contract (no 5xx, responses match the document).

The app is seeded like `make run` (demo registry, accounts, catalogue, certificates, halls), so a
resident's token reaches real prefill and vault code and a clerk's reaches a real hall. Tokens are
issued directly and carry no session id, so a generated `logout-everywhere` cannot log a role out for
the examples that follow. The unauthenticated run is tests/api/test_openapi_contract.py.
"""

from __future__ import annotations

import tempfile
import threading

import jwt
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance
from werkzeug.serving import make_server

from api import create_app
from api.cli import DEMO_SEEDERS
from api.config import load_config
from api.store import ensure_indexes
from auth.seed_registry import DEMO_ORGS
from auth.tokens import issue_access_token
from notifications.outbox import latest_to_phone
from wechat.sandbox import Sandbox as WechatSandbox

EXAMPLES_PER_OPERATION = 5
STAFF_PATHS = r"^/api/v1/(clerk|review|hall|courier|admin|staff|rectifications)(/|$)"

# The messaging-app platform the mini-program login calls, served on loopback as in tests/wechat:
# without it a well-formed wx.login code would meet no platform and answer its documented 503.
_wechat = make_server("127.0.0.1", 0, WechatSandbox.from_config(load_config(environ={})).app, threaded=True)
threading.Thread(target=_wechat.serve_forever, name="wechat-sandbox", daemon=True).start()
_data_dir = tempfile.mkdtemp(prefix="onetrip-schemathesis-roles-")
app = create_app({"DATA_DIR": _data_dir, "TESTING": True, "LOG_LEVEL": "CRITICAL",
                  "WECHAT_API_BASE": f"http://127.0.0.1:{_wechat.server_port}"})  # fmt: skip
_store = app.extensions["store"]
with app.app_context():
    ensure_indexes(_store)
    for _name, seeder in DEMO_SEEDERS:
        seeder(_store, app)


def _new_l1_resident(phone: str = "13700000077") -> str:
    """A resident who logged in by SMS and has not proved who they are (real-name level 1)."""
    client = app.test_client()
    assert client.post("/api/v1/auth/sms-codes", json={"phone": phone}).status_code == 202
    code = latest_to_phone(_store, "verification_code", phone)["data"]["code"]
    answer = client.post("/api/v1/auth/login", json={"phone": phone, "code": code})
    assert answer.status_code == 200, answer.get_json()
    return jwt.decode(answer.get_json()["access_token"], options={"verify_signature": False})["sub"]


def _bearer(account_id: str, role: str, acr: int, **extra) -> dict:
    with app.app_context():
        return {"Authorization": "Bearer " + issue_access_token(app, account_id, roles=(role,), acr=acr), **extra}


_restaurant = next(org for org in DEMO_ORGS if org["key"] == "restaurant_company")
HEADERS = {
    "citizen_l1": _bearer(_new_l1_resident(), "citizen", 1),
    "citizen_l2": _bearer("acc_demo_zhang_xiaoming", "citizen", 2),
    "business": _bearer("acc_demo_li_na", "citizen", 2, **{"X-Acting-For": _restaurant["credit_code"]}),
    "clerk": _bearer("acc_demo_clerk01", "clerk", 3),
    "approver": _bearer("acc_demo_approver-scjg", "approver", 3),
    "courier": _bearer("acc_demo_courier01", "courier", 3),
    "admin": _bearer("acc_demo_admin01", "admin", 3),
}
# Which operations each role is driven through: residents everything but the staff desks; each kind
# of staff its own desk plus what every account has (/me, the public catalogue).
SCOPES = {
    "citizen_l1": ("exclude", STAFF_PATHS),
    "citizen_l2": ("exclude", STAFF_PATHS),
    "business": ("exclude", STAFF_PATHS),
    "clerk": ("include", r"^/api/v1/(clerk|hall|staff|me)(/|$)"),
    "approver": ("include", r"^/api/v1/(review|rectifications|me)(/|$)"),
    "courier": ("include", r"^/api/v1/(courier|me)(/|$)"),
    "admin": ("include", r"^/api/v1/(admin|me|catalog|rectifications)(/|$)"),
}

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def _role_test(role: str):
    how, pattern = SCOPES[role]
    scoped = schema.include(path_regex=pattern) if how == "include" else schema.exclude(path_regex=pattern)

    @scoped.parametrize()
    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def test(case):
        # As in the unauthenticated run, "every schema-valid request is accepted" is left out: check
        # digits, existing ids and sent codes cannot be said in JSON Schema.
        case.call_and_validate(headers=HEADERS[role], excluded_checks=[positive_data_acceptance])

    test.__name__ = f"test_as_{role}_every_operation_answers_within_its_documented_contract"
    return test


test_as_citizen_l1_every_operation_answers_within_its_documented_contract = _role_test("citizen_l1")
test_as_citizen_l2_every_operation_answers_within_its_documented_contract = _role_test("citizen_l2")
test_as_business_every_operation_answers_within_its_documented_contract = _role_test("business")
test_as_clerk_every_operation_answers_within_its_documented_contract = _role_test("clerk")
test_as_approver_every_operation_answers_within_its_documented_contract = _role_test("approver")
test_as_courier_every_operation_answers_within_its_documented_contract = _role_test("courier")
test_as_admin_every_operation_answers_within_its_documented_contract = _role_test("admin")
