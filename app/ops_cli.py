"""Operations commands: `flask db backup`, `flask db prune`."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy.exc import SQLAlchemyError

from .services.backup import BackupError, backup_sqlite
from .services.pruning import DEFAULT_BATCH_SIZE, DEFAULT_SESSION_DAYS, PruneReport, prune

logger = logging.getLogger(__name__)


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(target: Path):
    """Copy the SQLite database to TARGET while the app runs (consistent snapshot)."""
    try:
        size = backup_sqlite(current_app.config["SQLALCHEMY_DATABASE_URI"], target)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"backup written: {target} ({size} bytes, integrity ok)")


@click.command("prune")
@click.option("--session-days", type=click.IntRange(min=0), default=DEFAULT_SESSION_DAYS, show_default=True,
              help="Keep ended sessions (logged out, expired, idle) and revoked or expired API tokens "
                   "this many days before deleting them.")
@click.option("--batch-size", type=click.IntRange(min=1, max=10_000), default=DEFAULT_BATCH_SIZE,
              show_default=True, help="Rows deleted per transaction.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object: what was deleted.")
def prune_command(session_days: int, batch_size: int, as_json: bool):
    """Delete ended login sessions, revoked or expired API tokens and login throttles whose
    failures no longer count.

    Live sessions, live tokens and throttles still counting are never deleted. Safe to run while
    the app runs (short transactions) and as often as you like; exit 1 if the database fails (what
    was deleted before that stays deleted and is printed)."""
    report = PruneReport()
    try:
        prune(session_days, batch_size, report=report)
    except SQLAlchemyError as exc:
        logger.exception("flask db prune stopped after %s batch(es)", report.batches)
        show_prune_report(report, as_json, error=type(exc).__name__)
        raise SystemExit(1) from None
    show_prune_report(report, as_json)


def show_prune_report(report: PruneReport, as_json: bool, error: str | None = None) -> None:
    if as_json:
        click.echo(json.dumps({**report.as_json(), "ok": error is None, "error": error}))
        return
    # the first part as it always was (a script may read it); the tokens came later
    click.echo(f"pruned: {report.sessions_deleted} ended session(s), {report.throttles_deleted} login "
               f"throttle(s) in {report.batches} batch(es); {report.tokens_deleted} revoked or expired "
               "API token(s)")
    if error:
        click.echo(f"Error: the database failed ({error}); run flask db prune again later", err=True)


def register(app: Flask) -> None:
    # Flask-Migrate's `db` group is registered by migrate.init_app(), before the CLI is set up
    app.cli.commands["db"].add_command(backup_command)
    app.cli.commands["db"].add_command(prune_command)
