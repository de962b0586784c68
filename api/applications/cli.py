"""`flask purge-drafts [--days N]`: delete drafts untouched for the retention period (DRAFT_RETENTION_DAYS)."""

from __future__ import annotations

import click
from flask import Flask, current_app

from .retention import purge_stale_drafts


def register_cli(app: Flask) -> None:
    @app.cli.command("purge-drafts")
    @click.option("--days", type=click.IntRange(min=1), default=None, help="Retention in days (default DRAFT_RETENTION_DAYS).")
    def purge_drafts(days: int | None):
        """Delete drafts nobody touched for the retention period, with their uploads."""
        days = days or current_app.config["DRAFT_RETENTION_DAYS"]
        purged = purge_stale_drafts(current_app.extensions["store"], days, current_app.config["DATA_DIR"])
        click.echo(
            f"purged {purged.drafts} draft(s) untouched for {days} days, "
            f"{purged.uploads} upload record(s), {purged.files} file(s)"
        )
