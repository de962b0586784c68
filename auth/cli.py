"""Operator commands for identity: staff accounts and signing-key rotation."""

from __future__ import annotations

import os
import time

import click
from flask import Flask, current_app

from .accounts import STAFF_ROLES
from .crypto import field_cipher
from .keys import PREFIX, new_key
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

    @app.cli.command("rotate-signing-key")
    def rotate_signing_key():
        """Start signing access tokens with a new key; old keys stay published until their tokens expire."""
        keys_dir = current_app.config["KEYS_DIR"]
        lifetime = int(current_app.config["ACCESS_TOKEN_SECONDS"])
        kid = new_key(keys_dir)
        ring = keyring()
        ring.reload()
        kids = sorted(ring.keys)
        retired = []
        for older, newer in zip(kids, kids[1:], strict=False):
            # a key stopped signing when the next one was made; a token lifetime later it verifies nothing
            if time.time() - ring.keys[newer].created > lifetime + 60:
                os.remove(os.path.join(keys_dir, f"{PREFIX}{older}.pem"))
                retired.append(older)
        ring.reload()
        click.echo(f"signing with {kid}; still published: {', '.join(sorted(k for k in ring.keys if k != kid)) or 'none'}")
        if retired:
            click.echo(f"removed keys no token can still use: {', '.join(retired)}")
