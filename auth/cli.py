"""Operator commands for identity: staff accounts, the demo accounts table, signing-key rotation and retirement."""

from __future__ import annotations

import click
from flask import Flask, current_app

from api import audit

from .accounts import STAFF_ROLES
from .crypto import field_cipher
from .keys import new_key, retire_keys
from .staff import create_staff
from .tokens import keyring


def register_cli(app: Flask) -> None:
    @app.cli.command("create-staff")
    @click.option("--username", required=True)
    @click.option("--name", required=True, help="the person's name, shown to residents")
    @click.option("--phone", required=True)
    @click.option("--role", type=click.Choice(STAFF_ROLES), required=True)
    @click.option("--department", default=None, help="required for approvers, e.g. 市场监督管理局")
    def create_staff_command(username, name, phone, role, department):
        """Create a staff account and print its one-time password (it must be changed at first login)."""
        account, one_time = create_staff(current_app.extensions["store"], field_cipher(), username, name, phone, role, department)
        click.echo(f"created {role} {username} ({account['_id']}); one-time password: {one_time}")

    @app.cli.command("demo-accounts")
    def demo_accounts():
        """Print the demo accounts: who, how to log in, what to try (make run shows it before starting)."""
        from .demo import demo_accounts_table

        click.echo(demo_accounts_table())

    @app.cli.command("rotate-signing-key")
    def rotate_signing_key():
        """Start signing access tokens with a new key; old keys stay published until their tokens expire."""
        keys_dir = current_app.config["KEYS_DIR"]
        kid = new_key(keys_dir)
        retired = retire_keys(keys_dir, int(current_app.config["ACCESS_TOKEN_SECONDS"]))
        ring = keyring()
        ring.reload()
        audit.append(current_app.extensions["store"], actor_id="operator", actor_role="operator", action="keys.rotate",
                     subject_type="signing_key", subject_id=kid, detail={"retired": retired})  # fmt: skip
        click.echo(f"signing with {kid}; still published: {', '.join(sorted(k for k in ring.keys if k != kid)) or 'none'}")
        if retired:
            click.echo(f"removed keys no token can still use: {', '.join(retired)}")

    @app.cli.command("retire-signing-keys")
    def retire_signing_keys():
        """Remove the keys that stopped signing longer than a token lifetime ago (safe to run daily)."""
        retired = retire_keys(current_app.config["KEYS_DIR"], int(current_app.config["ACCESS_TOKEN_SECONDS"]))
        keyring().reload()
        if retired:
            audit.append(current_app.extensions["store"], actor_id="operator", actor_role="operator", action="keys.retire",
                         subject_type="signing_key", subject_id=",".join(retired), detail={"retired": retired})  # fmt: skip
        click.echo(f"removed keys no token can still use: {', '.join(retired)}" if retired else "no key to remove")
