"""The population and legal-person registries (人口库 / 法人库): one port, two adapters.

`registry_for(app)` returns the adapter that config `REGISTRY_ADAPTER` names: "local" (default,
the registry collections in the project store) or "http" (a data-sharing platform).
"""

from __future__ import annotations

from typing import Any

from .local import LocalRegistry, ensure_registry_indexes
from .port import HouseholdMember, Org, Person, Registry, RegistryRefused, RegistryUnavailable

__all__ = [
    "HouseholdMember",
    "LocalRegistry",
    "Org",
    "Person",
    "Registry",
    "RegistryRefused",
    "RegistryUnavailable",
    "registry_for",
]

ADAPTERS = ("local", "http")


def registry_for(app: Any = None) -> Registry:
    """The app's registry adapter, built once and kept in app.extensions."""
    if app is None:
        from flask import current_app

        app = current_app._get_current_object()
    registry = app.extensions.get("registry")
    if registry is None:
        registry = app.extensions["registry"] = _build(app)
    return registry


def _build(app: Any) -> Registry:
    adapter = (app.config.get("REGISTRY_ADAPTER") or "local").lower()
    if adapter == "local":
        from ..crypto import field_cipher

        store = app.extensions["store"]
        ensure_registry_indexes(store)  # idempotent; also when this module was imported after start-up
        return LocalRegistry(store, field_cipher(app))
    if adapter == "http":
        from .http import HttpRegistry

        return HttpRegistry.from_config(app.config)
    raise ValueError(f"REGISTRY_ADAPTER must be one of {', '.join(ADAPTERS)}, not {adapter!r}")
