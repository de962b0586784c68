"""Settings from environment variables (prefix ONETRIP_ for ours), with safe embedded defaults.

Nothing else in the code reads the environment. `load_config(overrides)` returns a plain dict;
tests pass overrides such as a temporary DATA_DIR.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

DEFAULTS: dict[str, Any] = {
    "DATA_DIR": str(ROOT / "var"),
    "SQLITE_PATH": None,  # default: DATA_DIR/onetrip.sqlite3
    "SQLITE_BUSY_TIMEOUT_MS": 5000,
    "MONGODB_URI": None,  # set to use MongoDB (mongomock:// for in-memory tests)
    "MONGODB_DATABASE": "onetrip",
    "PWA_DIST": str(ROOT / "pwa" / "dist"),
    "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,
    "PUBLIC_BASE_URL": "http://127.0.0.1:8000",
    "LOG_LEVEL": "INFO",
    "JWT_ISSUER": "onetrip",
    "ACCESS_TOKEN_SECONDS": 15 * 60,
    "TESTING": False,
}

_ENV_NAMES = {
    "DATA_DIR": "ONETRIP_DATA_DIR",
    "SQLITE_PATH": "ONETRIP_SQLITE_PATH",
    "SQLITE_BUSY_TIMEOUT_MS": "ONETRIP_SQLITE_BUSY_TIMEOUT_MS",
    "MONGODB_URI": "MONGODB_URI",
    "MONGODB_DATABASE": "ONETRIP_MONGODB_DATABASE",
    "PWA_DIST": "ONETRIP_PWA_DIST",
    "MAX_CONTENT_LENGTH": "ONETRIP_MAX_CONTENT_LENGTH",
    "PUBLIC_BASE_URL": "ONETRIP_PUBLIC_BASE_URL",
    "LOG_LEVEL": "ONETRIP_LOG_LEVEL",
    "JWT_ISSUER": "ONETRIP_JWT_ISSUER",
    "ACCESS_TOKEN_SECONDS": "ONETRIP_ACCESS_TOKEN_SECONDS",
}


def _coerce(default: Any, raw: str) -> Any:
    if isinstance(default, bool):
        return raw.lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        return int(raw)
    return raw


def load_config(overrides: dict[str, Any] | None = None, environ: dict[str, str] | None = None) -> dict[str, Any]:
    environ = os.environ if environ is None else environ
    config = dict(DEFAULTS)
    for key, env_name in _ENV_NAMES.items():
        if environ.get(env_name):
            config[key] = _coerce(DEFAULTS[key], environ[env_name])
    config.update(overrides or {})
    config["KEYS_DIR"] = config.get("KEYS_DIR") or os.path.join(config["DATA_DIR"], "keys")
    return config


def ensure_private_dir(path: str) -> str:
    """Create a directory for secrets readable by the owner only (0700)."""
    os.makedirs(path, mode=0o700, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def read_or_create_secret(keys_dir: str, name: str, generate) -> bytes:
    """A development key kept under var/keys/ with 0600 permissions, created on first use.

    In production the key files are provisioned by the operator (see docs/deployment.md);
    the same path is read either way.
    """
    ensure_private_dir(keys_dir)
    path = os.path.join(keys_dir, name)
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        pass
    data = generate()
    temporary = f"{path}.{os.getpid()}.tmp"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(temporary, path)  # atomic, and fails if another process created the key first
    except FileExistsError:
        pass
    finally:
        os.unlink(temporary)
    with open(path, "rb") as handle:  # whoever won the race: its key is the key
        return handle.read()
