"""The HTTP registry adapter against a loopback stub of the data-sharing platform that checks signatures."""

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from auth.registry import Org, Person, RegistryRefused, RegistryUnavailable
from auth.registry.http import HttpRegistry

APP_ID = "onetrip-test"
SECRET = "platform-shared-secret"
BASE_PATH = "/dsp/v1"
PERSON = {
    "name": "张晓明",
    "id_number": "430211199005129017",
    "sex": "M",
    "birth_date": "1990-05-12",
    "ethnicity": "汉族",
    "household_address": "湖南省株洲市天元区示例路88号",
    "relation": "户主",
    "household_members": [{"id_number": "430211199208209020", "name": "刘芳", "relation": "配偶"}],
}
ORG = {
    "name": "株洲示例餐饮管理有限公司",
    "credit_code": "91430203MD0000012X",
    "type": "company",
    "legal_rep_id_number": "430203198803159025",
    "legal_rep_name": "李娜",
    "registered_address": "湖南省株洲市芦淞区样例街18号",
    "business_scope": "餐饮服务",
    "status": "active",
}


class Platform(BaseHTTPRequestHandler):
    """Checks X-App-Id / X-Timestamp / X-Nonce / X-Signature as the platform documents them, then answers."""

    mode = "normal"  # or "slow", "broken"
    seen_nonces: set = set()
    refused: list = []

    def log_message(self, *args):
        pass

    def _answer(self, status: int, body: dict | None = None) -> None:
        data = json.dumps(body or {}, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _signed(self, body: bytes) -> bool:
        timestamp, nonce = self.headers.get("X-Timestamp", ""), self.headers.get("X-Nonce", "")
        message = f"POST\n{self.path}\n{timestamp}\n{nonce}\n{hashlib.sha256(body).hexdigest()}".encode()
        expected = hmac.new(SECRET.encode(), message, hashlib.sha256).hexdigest()
        fresh = timestamp.isdigit() and abs(time.time() - int(timestamp)) < 300 and nonce and nonce not in self.seen_nonces
        self.seen_nonces.add(nonce)
        return (
            self.headers.get("X-App-Id") == APP_ID
            and fresh
            and hmac.compare_digest(expected, self.headers.get("X-Signature", ""))
        )

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if not self._signed(body):
            self.refused.append(self.path)
            return self._answer(401, {"error": "bad signature"})
        if self.mode == "slow":
            time.sleep(1.0)
        if self.mode == "broken":
            return self._answer(503, {"error": "maintenance"})
        query = json.loads(body)
        routes = {
            f"{BASE_PATH}/people/query": lambda: PERSON if query.get("id_number") == PERSON["id_number"] else None,
            f"{BASE_PATH}/people/verify": lambda: {
                "match": query.get("id_number") == PERSON["id_number"] and query.get("name") == PERSON["name"]
            },
            f"{BASE_PATH}/orgs/query": lambda: ORG if query.get("credit_code") == ORG["credit_code"] else None,
            f"{BASE_PATH}/orgs/by-legal-rep": lambda: {
                "items": [ORG] if query.get("id_number") == ORG["legal_rep_id_number"] else []
            },
        }
        route = routes.get(self.path)
        answer = route() if route else None
        return self._answer(200, answer) if answer is not None else self._answer(404, {"error": "not found"})


@pytest.fixture
def platform():
    Platform.mode, Platform.seen_nonces, Platform.refused = "normal", set(), []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Platform)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}{BASE_PATH}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def registry(platform):
    return HttpRegistry(platform, APP_ID, SECRET, connect_timeout=0.5, read_timeout=0.3)


def test_a_person_is_fetched_from_the_platform_with_a_signed_request(registry):
    person = registry.find_person(PERSON["id_number"])
    assert person == Person.from_dict(PERSON)
    assert person.household_members[0].name == "刘芳"
    assert Platform.refused == []


def test_a_person_the_platform_does_not_know_is_none(registry):
    assert registry.find_person("430211199005129999") is None


def test_an_org_and_the_orgs_of_its_legal_representative_are_fetched(registry):
    assert registry.find_org(ORG["credit_code"].lower()) == Org.from_dict(ORG)
    assert registry.orgs_represented_by(ORG["legal_rep_id_number"]) == [Org.from_dict(ORG)]
    assert registry.orgs_represented_by(PERSON["id_number"]) == []
    assert registry.find_org("91430203MA00000000") is None


def test_the_platform_verifies_name_and_id_number_together(registry):
    assert registry.verify_person("张晓明", PERSON["id_number"])
    assert not registry.verify_person("张晓", PERSON["id_number"])


def test_every_request_carries_a_fresh_nonce(registry):
    for _ in range(3):
        registry.find_person(PERSON["id_number"])
    assert len(Platform.seen_nonces) == 3 and Platform.refused == []


def test_a_request_signed_with_the_wrong_secret_is_refused_by_the_platform(platform):
    registry = HttpRegistry(platform, APP_ID, "not-the-secret")
    with pytest.raises(RegistryRefused, match="REGISTRY_HTTP_SECRET"):
        registry.find_person(PERSON["id_number"])
    assert Platform.refused == [f"{BASE_PATH}/people/query"]


def test_a_platform_slower_than_the_read_timeout_is_unavailable(registry):
    Platform.mode = "slow"
    started = time.monotonic()
    with pytest.raises(RegistryUnavailable, match="in time"):
        registry.find_person(PERSON["id_number"])
    assert time.monotonic() - started < 0.9


def test_a_platform_answering_5xx_is_unavailable(registry):
    Platform.mode = "broken"
    with pytest.raises(RegistryUnavailable, match="503"):
        registry.find_org(ORG["credit_code"])


def test_a_platform_nobody_listens_on_is_unavailable(platform):
    closed = HttpRegistry("http://127.0.0.1:9/dsp/v1", APP_ID, SECRET, connect_timeout=0.5, read_timeout=0.5)
    with pytest.raises(RegistryUnavailable, match="cannot be reached"):
        closed.find_person(PERSON["id_number"])


def test_the_adapter_reads_its_settings_from_the_configuration():
    registry = HttpRegistry.from_config(
        {
            "REGISTRY_HTTP_URL": "https://dsp.example.gov.cn/api/",
            "REGISTRY_HTTP_APP_ID": "a",
            "REGISTRY_HTTP_SECRET": "s",
            "REGISTRY_HTTP_CONNECT_TIMEOUT_MS": 1500,
            "REGISTRY_HTTP_READ_TIMEOUT_MS": 4000,
        }
    )
    assert (registry.base_url, registry.base_path, registry.timeout) == ("https://dsp.example.gov.cn/api", "/api", (1.5, 4.0))


def test_the_adapter_refuses_to_start_without_url_app_id_and_secret():
    with pytest.raises(ValueError, match="REGISTRY_HTTP_URL"):
        HttpRegistry.from_config({})
