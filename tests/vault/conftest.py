"""Vault fixtures: the app with the vault blueprints, certificate factories, QR decoding helpers."""

from __future__ import annotations

import pytest

from api.store import ensure_indexes
from api.vault import service
from api.vault.page import page_blp
from api.vault.routes import blp
from tests.auth.conftest import add_org, add_person, cipher, login, verified  # noqa: F401 - fixtures used here


@pytest.fixture
def app(app):
    """The shared app, with the vault registered if create_app does not do it yet."""
    if "vault" not in app.blueprints:
        app.extensions["flask-smorest"]["apis"][""]["ext_obj"].register_blueprint(blp)
    if "verify_page" not in app.blueprints:
        app.register_blueprint(page_blp)
    ensure_indexes(app.extensions["store"])
    return app


@pytest.fixture
def issue(store, cipher):  # noqa: F811 - the re-exported fixture
    """issue(holder, cert_type="food_business_licence", **overrides) -> the stored certificate."""

    def make(holder: dict, cert_type: str = "food_business_licence", **overrides) -> dict:
        arguments = {
            "type_name": "食品经营许可证",
            "data": {"business_name": "株洲示例餐饮管理有限公司", "legal_rep_id_number": "430211199001011234"},
            "issuer": "zz-amr",
            "issuer_name": "株洲市市场监督管理局",
            "valid_years": 5,
            "holder_name": "张晓明",
            **overrides,
        }
        return service.issue_certificate(
            store,
            cipher,
            holder,
            cert_type,
            arguments.pop("type_name"),
            arguments.pop("data"),
            arguments.pop("issuer"),
            **arguments,
        )

    return make


@pytest.fixture
def holder_of(store):
    """holder_of(session) -> the person holder of a logged-in L2 session's account."""

    def make(session) -> dict:
        return service.person_holder(store["accounts"].find_one({"_id": session.account_id}))

    return make


def put(session, path: str, **kwargs):
    """The auth tests' Session has no put(): the same request with its token."""
    return session.client.put(path, headers={**session.headers, **kwargs.pop("headers", {})}, **kwargs)
