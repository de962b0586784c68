"""`flask --app wsgi retention purge [--dry-run]`: purge everything past its retention and print the counts."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from .service import RetentionSettings, purge

retention_cli = AppGroup("retention", help="Data retention: purge what is kept longer than its period.")


def format_counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{kind} {count}" for kind, count in counts.items()) or "nothing configured"


@retention_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what would be purged; change nothing.")
def purge_command(dry_run: bool) -> None:
    """Drafts, uploads of closed applications, SMS log, sent outbox messages, expired login codes (never audit entries)."""
    settings = RetentionSettings.from_config(current_app.config)
    counts = purge(current_app.extensions["store"], settings, current_app.config["DATA_DIR"], dry_run=dry_run)
    click.echo(f"{'would purge' if dry_run else 'purged'}: {format_counts(counts)}")


def register_cli(app: Flask) -> None:
    app.cli.add_command(retention_cli)
