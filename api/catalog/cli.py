"""`flask load-catalog [DIRECTORY]`: load the catalogue files (the seed in api/catalog/data by default)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click
from flask import Flask, current_app

from api.errors import Invalid

from .service import DATA_DIR, load_catalog


def seed_demo_catalog(store, app) -> dict[str, int]:
    return load_catalog(store)


def _lines(errors, path: str = "") -> Iterator[str]:
    """marshmallow-shaped field errors ({field: [message] | {index: {...}}}) as "field.0.name: message" lines."""
    if isinstance(errors, dict):
        for key, value in errors.items():
            yield from _lines(value, f"{path}.{key}" if path else str(key))
    elif isinstance(errors, list):
        for value in errors:
            yield from _lines(value, path)
    else:
        yield f"  {path}: {errors}" if path else f"  {errors}"


def register_cli(app: Flask) -> None:
    @app.cli.command("load-catalog")
    @click.argument("directory", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
    def load_catalog_command(directory: Path | None):
        """Load departments, certificate types, items and bundles (JSON files); nothing is stored if one is broken."""
        try:
            counts = load_catalog(current_app.extensions["store"], directory or DATA_DIR)
        except Invalid as error:
            raise click.ClickException("\n".join([f"{error.message}，未载入任何内容", *_lines(error.errors)])) from error
        click.echo(", ".join(f"{name}: {count}" for name, count in counts.items()))
