"""Operator commands: `flask --app wsgi <command>`."""

from __future__ import annotations

import click
from flask import Flask, current_app

from .store import ensure_indexes
from .store.cli import register_cli as store_cli

# Feature packages append (name, function(store, app)) here to add their demo data to `seed-demo`.
DEMO_SEEDERS: list = []


def init_cli(app: Flask) -> None:
    store_cli(app)  # backup create|verify, migrate-embedded-to-mongo

    @app.cli.command("seed-demo")
    def seed_demo():
        """Create the indexes and the demo data (idempotent: safe to run on every start)."""
        store = current_app.extensions["store"]
        created = ensure_indexes(store)
        click.echo(f"store: {store.engine}, {len(created)} indexes ensured")
        for name, seeder in DEMO_SEEDERS:
            click.echo(f"demo data: {name}: {seeder(store, current_app)}")

    @app.cli.command("create-indexes")
    def create_indexes():
        """Create every declared index (idempotent)."""
        for name in ensure_indexes(current_app.extensions["store"]):
            click.echo(name)
