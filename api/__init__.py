"""The OneTrip API: `create_app(config)` wires settings, the store, blueprints and error handling."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from .cli import DEMO_SEEDERS, init_cli
from .config import ensure_private_dir, load_config
from .errors import OneTripApi, register_error_handlers
from .flask_app import OneTripFlask
from .http_hardening import init_http_hardening
from .observability import configure_logging, init_request_ids
from .schema_messages import install_chinese_messages
from .store import ensure_indexes, open_store
from .web import init_web

VERSION = "0.1.0"

API_SPEC = {
    "API_TITLE": "OneTrip 一次办 API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.1.0",
    "OPENAPI_URL_PREFIX": "/api",
    "OPENAPI_JSON_PATH": "v1/openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "/docs",
    "OPENAPI_SWAGGER_UI_URL": "/api/docs/assets/",
    "API_SPEC_OPTIONS": {
        "info": {
            "description": "最多跑一次 — backend of the OneTrip mini-program and PWA. Errors: {status, code, message, errors}."
        },
    },
}


def _blueprints() -> list:
    from auth.routes import BLUEPRINTS as auth_blueprints
    from notifications.routes import blp as notifications
    from payments.routes import BLUEPRINTS as payment_blueprints
    from wechat.routes import BLUEPRINTS as wechat_blueprints

    from .applications.routes import blp as applications
    from .applications.routes import corrections_blp as data_corrections
    from .applications.routes import staff_blp as review
    from .appointments.routes import BLUEPRINTS as appointments
    from .audit.routes import blp as audit_admin
    from .catalog.routes import admin_blp as catalog_admin
    from .catalog.routes import blp as catalog
    from .delivery.routes import BLUEPRINTS as delivery
    from .evaluations.routes import BLUEPRINTS as evaluations
    from .health.routes import blp as health
    from .stats.routes import BLUEPRINTS as stats
    from .vault.routes import blp as vault

    return [health, *auth_blueprints, notifications, catalog, catalog_admin, vault, applications, review, data_corrections,
            *wechat_blueprints, *payment_blueprints, *appointments, *delivery, *stats, *evaluations, audit_admin]  # fmt: skip


def create_app(config: dict[str, Any] | None = None) -> Flask:
    settings = load_config(config)
    app = OneTripFlask(__name__, static_folder=None)
    app.config.update(settings)
    app.config.update(API_SPEC)
    app.config["VERSION"] = VERSION
    app.config.setdefault("SWAGGER_UI_DIR", os.path.join(settings["PWA_DIST"], "swagger-ui"))
    app.json.ensure_ascii = False
    app.json.sort_keys = False

    configure_logging(settings["LOG_LEVEL"])
    install_chinese_messages()
    ensure_private_dir(settings["KEYS_DIR"]) if not settings.get("MONGODB_URI") else None

    store = open_store(settings)
    app.extensions["store"] = store

    register_error_handlers(app)
    init_request_ids(app)
    init_http_hardening(app)

    api = OneTripApi(app)
    for blueprint in _blueprints():
        api.register_blueprint(blueprint)
    ensure_indexes(store)  # every index of api/store/indexes.py, idempotent
    init_web(app)
    init_cli(app)
    if settings["PROXY_HOPS"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings["PROXY_HOPS"], x_proto=settings["PROXY_HOPS"])
    _feature_cli(app)
    return app


def _feature_cli(app: Flask) -> None:
    import notifications
    import payments
    from auth.cli import register_cli as auth_cli
    from auth.demo import seed_demo_accounts
    from auth.seed_registry import register_cli as registry_cli
    from auth.seed_registry import seed_demo_registry

    from .applications.cli import register_cli as applications_cli
    from .appointments.demo import seed_demo_halls
    from .audit.cli import register_cli as audit_cli
    from .catalog.cli import register_cli as catalog_cli
    from .catalog.cli import seed_demo_catalog
    from .retention.cli import register_cli as retention_cli
    from .vault.demo import seed_demo_certificates
    from .vault.page import page_blp

    app.register_blueprint(page_blp)
    auth_cli(app)
    registry_cli(app)
    catalog_cli(app)
    applications_cli(app)
    audit_cli(app)
    retention_cli(app)
    notifications.init_app(app)
    payments.init_app(app)
    for seeder in (("registry", seed_demo_registry), ("accounts", seed_demo_accounts), ("catalog", seed_demo_catalog),
                   ("certificates", seed_demo_certificates), ("halls", seed_demo_halls)):  # fmt: skip
        if seeder not in DEMO_SEEDERS:
            DEMO_SEEDERS.append(seeder)
