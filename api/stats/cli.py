"""`flask stats aggregate [--every SECONDS]`: bring the statistics counters up to date (see aggregate.py)."""

from __future__ import annotations

import logging
import time

import click
from flask import current_app
from flask.cli import with_appcontext

from .aggregate import run

log = logging.getLogger("onetrip.stats")


@click.command("aggregate")
@click.option("--every", type=float, default=0.0, help="Run again every SECONDS until interrupted (default: once).")
@with_appcontext
def aggregate_command(every: float) -> None:
    """Count the applications, payments, deliveries and ratings changed since the last run."""
    store = current_app.extensions["store"]
    while True:
        try:
            changed = run(store)
            click.echo("stats: " + ", ".join(f"{source} {count}" for source, count in changed.items()))
        except Exception:
            if every <= 0:
                raise
            log.exception("stats: aggregation failed; the next round starts from the last checkpoint")
        if every <= 0:
            return
        time.sleep(every)
