"""Operator commands: `flask --app wsgi payments-worker | payments-recover | payments-reconcile`."""

from __future__ import annotations

import datetime as dt
import json

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from . import protocol, reconciliation, recovery
from .settings import settings_for
from .wechatpay import WeChatPayClient
from .worker import PaymentsWorker, serve


def provider_for(app: Flask):
    provider = app.extensions.get("payments.provider")
    if provider is None:
        provider = app.extensions["payments.provider"] = WeChatPayClient(settings_for(app))
    return provider


def worker_for(app: Flask) -> PaymentsWorker:
    return PaymentsWorker(app.extensions["store"], provider_for(app), settings_for(app))


@click.command("payments-worker")
@click.option("--once", is_flag=True, help="Run the due tasks and one recovery round, then exit.")
@with_appcontext
def payments_worker(once: bool) -> None:
    """Run payment tasks, recovery and the daily reconciliation until SIGTERM."""
    worker = worker_for(current_app)
    if once:
        done = worker.run_tasks()
        counts = recovery.recover(worker.store, worker.provider, worker.settings)
        click.echo(f"{done} task(s); recovery: {counts}")
        return
    serve(worker)


@click.command("payments-recover")
@with_appcontext
def payments_recover() -> None:
    """Query payments without a notification, close expired orders, check waiting refunds."""
    worker = worker_for(current_app)
    click.echo(json.dumps(recovery.recover(worker.store, worker.provider, worker.settings)))


@click.command("payments-reconcile")
@click.option("--date", "bill_date", default=None, help="Day (YYYY-MM-DD, Asia/Shanghai); default yesterday.")
@with_appcontext
def payments_reconcile(bill_date: str | None) -> None:
    """Compare a day's payments and refunds with the gateway's trade bill; print the differences."""
    day = bill_date or (dt.datetime.now(protocol.SHANGHAI).date() - dt.timedelta(days=1)).isoformat()
    worker = worker_for(current_app)
    report = reconciliation.reconcile(worker.store, worker.provider, day)
    click.echo(json.dumps({k: report[k] for k in ("date", "payments", "refunds", "differences")}, ensure_ascii=False, indent=1))
    if report["differences"]:
        raise SystemExit(1)


def init_cli(app: Flask) -> None:
    for command in (payments_worker, payments_recover, payments_reconcile):
        app.cli.add_command(command)
