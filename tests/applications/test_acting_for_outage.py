"""A registry outage while checking X-Acting-For is a 503 to retry, in the one error format: never a 500,
never a 403 that would tell a legal representative they may not act for their own company."""

from __future__ import annotations

import pytest

from auth.registry import LocalRegistry, RegistryUnavailable
from tests.applications.conftest import ok


@pytest.fixture
def registry_down(monkeypatch):
    def down(self, credit_code):
        raise RegistryUnavailable("timeout")

    monkeypatch.setattr(LocalRegistry, "find_org", down)
    return monkeypatch


def test_acting_for_a_business_while_the_legal_person_registry_is_down_is_a_503_in_the_error_format(restaurateur, registry_down):
    owner = restaurateur()

    response = owner.get("/applications")

    assert response.status_code == 503
    assert response.get_json() == {
        "status": 503,
        "code": "registry_unavailable",
        "message": "暂时无法连接政府数据平台，请稍后再试",
        "errors": {},
    }


def test_a_draft_for_a_business_is_not_started_while_the_registry_is_down_and_is_once_it_is_back(
    restaurateur, registry_down, store
):
    owner = restaurateur()

    response = owner.post("/applications", json={"bundle": "open-restaurant"})

    assert response.status_code == 503
    assert store["applications"].count_documents({}) == 0
    registry_down.undo()
    assert ok(owner.post("/applications", json={"bundle": "open-restaurant"}), 201)["state"] == "draft"


def test_a_request_for_oneself_does_not_ask_the_legal_person_registry(restaurateur, registry_down):
    owner = restaurateur()

    assert ok(owner.as_self().get("/applications")) == []
