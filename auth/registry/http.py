"""The HTTP adapter: the population and legal-person registries behind a data-sharing platform (数据共享交换平台).

Every request is a POST of a JSON body (numbers never travel in URLs, which proxies log) to
`REGISTRY_HTTP_URL` + one of:

    /people/query        {"id_number"}   -> 200 a Person as JSON | 404
    /people/verify       {"name", "id_number"} -> 200 {"match": true | false}
    /orgs/query          {"credit_code"} -> 200 an Org as JSON | 404
    /orgs/by-legal-rep   {"id_number"}   -> 200 {"items": [Org, …]}

signed with the app's secret: headers X-App-Id, X-Timestamp (Unix seconds), X-Nonce and
X-Signature = hex HMAC-SHA256(secret, "METHOD\\npath\\ntimestamp\\nnonce\\nhex SHA-256 of the body").
404 means "not registered"; a timeout, a connection error, a 5xx or an unreadable answer raise
RegistryUnavailable; 401/403 raise RegistryRefused (our credentials or clock are wrong).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from typing import Any
from urllib.parse import urlsplit

import requests

from .port import Org, Person, Registry, RegistryRefused, RegistryUnavailable


def signature(secret: str, method: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    message = "\n".join((method.upper(), path, timestamp, nonce, hashlib.sha256(body).hexdigest()))
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


class HttpRegistry(Registry):
    def __init__(
        self,
        base_url: str,
        app_id: str,
        secret: str,
        connect_timeout: float = 2.0,
        read_timeout: float = 5.0,
        session: requests.Session | None = None,
    ):
        if not base_url or not app_id or not secret:
            raise ValueError("the HTTP registry needs REGISTRY_HTTP_URL, REGISTRY_HTTP_APP_ID and REGISTRY_HTTP_SECRET")
        self.base_url = base_url.rstrip("/")
        self.base_path = urlsplit(self.base_url).path
        self.app_id = app_id
        self.secret = secret
        self.timeout = (connect_timeout, read_timeout)
        self.session = session or requests.Session()

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> HttpRegistry:
        return cls(
            config.get("REGISTRY_HTTP_URL") or "",
            config.get("REGISTRY_HTTP_APP_ID") or "",
            config.get("REGISTRY_HTTP_SECRET") or "",
            connect_timeout=int(config.get("REGISTRY_HTTP_CONNECT_TIMEOUT_MS", 2000)) / 1000,
            read_timeout=int(config.get("REGISTRY_HTTP_READ_TIMEOUT_MS", 5000)) / 1000,
        )

    def _post(self, endpoint: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        """The JSON answer, or None for 404."""
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-App-Id": self.app_id,
            "X-Timestamp": timestamp,
            "X-Nonce": nonce,
            "X-Signature": signature(self.secret, "POST", self.base_path + endpoint, timestamp, nonce, body),
        }
        try:
            response = self.session.post(self.base_url + endpoint, data=body, headers=headers, timeout=self.timeout)
        except requests.Timeout as exc:
            raise RegistryUnavailable(f"the registry did not answer {endpoint} in time ({type(exc).__name__})") from exc
        except requests.RequestException as exc:
            raise RegistryUnavailable(f"the registry cannot be reached for {endpoint} ({type(exc).__name__})") from exc
        if response.status_code == 404:
            return None
        if response.status_code in (401, 403):
            raise RegistryRefused(
                f"the registry refused {endpoint} with {response.status_code}: check REGISTRY_HTTP_APP_ID, "
                "REGISTRY_HTTP_SECRET and the clock"
            )
        if response.status_code != 200:
            raise RegistryUnavailable(f"the registry answered {endpoint} with HTTP {response.status_code}")
        try:
            data = response.json()
        except ValueError as exc:
            raise RegistryUnavailable(f"the registry's answer to {endpoint} is not JSON") from exc
        if not isinstance(data, dict):
            raise RegistryUnavailable(f"the registry's answer to {endpoint} is not a JSON object")
        return data

    def _parse(self, endpoint: str, build, data: dict[str, Any]):
        try:
            return build(data)
        except (KeyError, TypeError) as exc:
            raise RegistryUnavailable(f"the registry's answer to {endpoint} lacks {exc}") from exc

    def find_person(self, id_number: str) -> Person | None:
        data = self._post("/people/query", {"id_number": id_number.strip().upper()})
        return None if data is None else self._parse("/people/query", Person.from_dict, data)

    def verify_person(self, name: str, id_number: str) -> bool:
        data = self._post("/people/verify", {"name": (name or "").strip(), "id_number": id_number.strip().upper()})
        return bool(data and data.get("match") is True)

    def find_org(self, credit_code: str) -> Org | None:
        data = self._post("/orgs/query", {"credit_code": credit_code.strip().upper()})
        return None if data is None else self._parse("/orgs/query", Org.from_dict, data)

    def orgs_represented_by(self, id_number: str) -> list[Org]:
        data = self._post("/orgs/by-legal-rep", {"id_number": id_number.strip().upper()}) or {"items": []}
        return self._parse("/orgs/by-legal-rep", lambda d: [Org.from_dict(item) for item in d["items"]], data)
