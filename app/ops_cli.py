"""Operations commands: `flask db backup`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app

from .services.backup import BackupError, backup_sqlite


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(target: Path):
    """Copy the SQLite database to TARGET while the app runs (consistent snapshot)."""
    try:
        size = backup_sqlite(current_app.config["SQLALCHEMY_DATABASE_URI"], target)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"backup written: {target} ({size} bytes, integrity ok)")


def register(app: Flask) -> None:
    # Flask-Migrate's `db` group is registered by migrate.init_app(), before the CLI is set up
    app.cli.commands["db"].add_command(backup_command)
