"""`flask --app wsgi audit verify`: walk the hash chain; exit 1 at the first broken link, 0 with the count."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from .chain import verify

audit_cli = AppGroup("audit", help="The tamper-evident audit log.")


@audit_cli.command("verify")
def verify_command() -> None:
    """Check every entry's hash and link in seq order (streaming) and report the first break."""
    result = verify(current_app.extensions["store"])
    if result.ok:
        click.echo(f"audit log intact: {result.count} entries verified")
        return
    click.echo(f"audit log BROKEN after {result.count} good entries: {result.broken.describe()}", err=True)
    raise SystemExit(1)


def register_cli(app: Flask) -> None:
    app.cli.add_command(audit_cli)
