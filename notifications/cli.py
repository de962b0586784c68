"""The outbox worker's two entry points: `flask notifications-worker` and `python -m notifications.worker`."""

from __future__ import annotations

import argparse

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from .settings import NotificationSettings
from .worker import Worker, serve


@click.command("notifications-worker")
@click.option("--threads", type=int, default=None, help="Worker threads (default NOTIFICATIONS_WORKER_THREADS).")
@click.option("--once", is_flag=True, help="Send what is due now, then exit.")
@with_appcontext
def notifications_worker(threads: int | None, once: bool) -> None:
    """Send the outbox's messages until SIGTERM."""
    from auth.crypto import field_cipher

    settings = NotificationSettings.from_config(current_app.config)
    worker = Worker.from_settings(settings, current_app.extensions["store"], cipher=field_cipher())
    if once:
        click.echo(f"sent {worker.drain()} message(s)")
        return
    serve(worker, threads or settings.worker_threads)


def init_cli(app: Flask) -> None:
    app.cli.add_command(notifications_worker)


def main(argv: list[str] | None = None) -> int:
    """`python -m notifications.worker [--threads N] [--once]`, with the settings of api/config.py and no Flask app."""
    import notifications  # noqa: F401 - declares this package's indexes before they are created
    from api.config import load_config
    from api.observability import configure_logging
    from api.store import ensure_indexes, open_store
    from auth.crypto import FieldCipher, bind_cipher

    parser = argparse.ArgumentParser(prog="python -m notifications.worker", description="Send the outbox's messages.")
    parser.add_argument("--threads", type=int, default=None, help="worker threads (default NOTIFICATIONS_WORKER_THREADS)")
    parser.add_argument("--once", action="store_true", help="send what is due now, then exit")
    args = parser.parse_args(argv)
    config = load_config()
    configure_logging(config["LOG_LEVEL"])
    store = open_store(config)
    ensure_indexes(store)
    settings = NotificationSettings.from_config(config)
    worker = Worker.from_settings(settings, store, cipher=bind_cipher(store, FieldCipher.from_config(config)))
    if args.once:
        print(f"sent {worker.drain()} message(s)")
        return 0
    serve(worker, args.threads or settings.worker_threads)
    return 0
