"""Operator commands of the data layer: `flask --app wsgi backup create PATH`, `migrate-embedded-to-mongo`."""

from __future__ import annotations

import click
from flask import Flask, current_app

from . import open_store
from .backup import BackupError, create_backup, verify_backup
from .migrate import MigrationError, migrate


def register_cli(app: Flask) -> None:
    @app.cli.group("backup")
    def backup():
        """Backups of the embedded engine (MongoDB: mongodump, see docs/deploy.md)."""

    @backup.command("create")
    @click.argument("path", type=click.Path(dir_okay=False))
    @click.option("--verify", is_flag=True, help="Run PRAGMA integrity_check on the copy and count its documents.")
    @click.option("--force", is_flag=True, help="Replace an existing file at PATH.")
    def create(path: str, verify: bool, force: bool):
        """Copy the SQLite database online (writers carry on) to PATH, consistent as of the start."""
        try:
            made = create_backup(current_app.extensions["store"], path, force=force)
            click.echo(f"backup: {made['path']} ({made['bytes']:,} bytes in {made['seconds']} s)")
            if verify:
                _echo_verified(verify_backup(made["path"]))
        except BackupError as exc:
            raise click.ClickException(str(exc)) from exc

    @backup.command("verify")
    @click.argument("path", type=click.Path(dir_okay=False))
    def verify_command(path: str):
        """Check a backup file: PRAGMA integrity_check, then the documents per collection."""
        try:
            _echo_verified(verify_backup(path))
        except BackupError as exc:
            raise click.ClickException(str(exc)) from exc

    @app.cli.command("migrate-embedded-to-mongo")
    @click.option("--to", "uri", required=True, help="The target's MONGODB_URI (mongodb://…, a replica set).")
    @click.option("--database", default=None, help="The target database (default: ONETRIP_MONGODB_DATABASE).")
    @click.option("--force", is_flag=True, help="Drop the target's collections of the same names first.")
    def migrate_command(uri: str, database: str | None, force: bool):
        """Copy every collection of the embedded engine to MongoDB with the indexes; verify counts and checksums."""
        source = current_app.extensions["store"]
        target = open_store({"MONGODB_URI": uri, "MONGODB_DATABASE": database or current_app.config["MONGODB_DATABASE"]})
        try:
            report = migrate(source, target, force=force, progress=lambda name, n: click.echo(f"copied {name}: {n:,}"))
        except MigrationError as exc:
            for name, line in exc.report.items():
                _echo_line(name, line)
            raise click.ClickException(str(exc)) from exc
        for name, line in report.items():
            _echo_line(name, line)
        click.echo(f"verified: {len(report)} collections, counts and checksums match")


def _echo_verified(result: dict) -> None:
    click.echo(f"integrity_check: {result['integrity']}")
    for name, count in result["collections"].items():
        click.echo(f"  {name}: {count:,}")


def _echo_line(name: str, line: dict) -> None:
    verdict = "ok" if line["ok"] else "MISMATCH"
    click.echo(
        f"  {name}: {line['source_count']:,} -> {line['target_count']:,} documents, "
        f"sha256 {line['source_checksum'][:16]} -> {line['target_checksum'][:16]} {verdict}"
    )
