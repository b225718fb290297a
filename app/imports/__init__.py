"""Imports: students and class teams from the school administration system's file, training
agreements from an employer's file, and the plans of a whole class team in one step
(docs/import.md)."""

import click
from flask import Blueprint

bp = Blueprint("imports", __name__)


@bp.cli.command("prune")
def prune_command() -> None:
    """Delete uploaded import files nobody confirmed or cancelled in time (run it hourly)."""
    from app.extensions import db
    from app.imports.services import delete_expired

    count = delete_expired()
    db.session.commit()
    click.echo(f"Deleted {count} expired import batches.")


from app.imports import routes  # noqa: E402,F401
