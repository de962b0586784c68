"""`flask appointments jobs [--every SECONDS]`: reminders and no-shows (see jobs.py)."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import with_appcontext

from api.audit.chain import drain_pending
from api.evaluations.service import remind_unrated
from api.retention.cli import format_counts
from api.retention.service import RetentionSettings
from api.retention.service import run_if_due as run_retention_if_due

from .jobs import run_due
from .settings import settings_of


@click.command("jobs")
@click.option("--every", type=float, default=0.0, help="Run again every SECONDS until interrupted (default: once).")
@with_appcontext
def jobs_command(every: float) -> None:
    """Enqueue the appointment reminders now due and mark missed bookings as no-shows; remind unrated finished
    cases once; run the retention purge when due."""
    store = current_app.extensions["store"]
    while True:
        done = run_due(store, settings_of())
        click.echo(f"appointments: {done['reminders']} reminder(s) queued, {done['no_shows']} no-show(s) recorded")
        reminded = remind_unrated(store)  # 好差评: one reminder 3 days after an unrated case finished (api/evaluations)
        click.echo(f"evaluations: {reminded} reminder(s) to rate queued")
        drain_pending(store)  # MongoDB: chain audit entries written inside transactions (api/audit/chain.py)
        purged = run_retention_if_due(store, RetentionSettings.from_config(current_app.config), current_app.config["DATA_DIR"])
        if purged is not None:  # the hourly retention purge rides on this periodic process (api/retention)
            click.echo(f"retention: purged {format_counts(purged)}")
        if every <= 0:
            return
        time.sleep(every)
