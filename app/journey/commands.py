"""`flask seed-programmes` and `flask notify-transitions` (run daily, e.g. from cron)."""

from __future__ import annotations

import click
from flask import Flask, current_app

from app.access import today
from app.extensions import db
from app.journey.handovers import remind_missing_notes
from app.journey.programmes import ensure_programmes
from app.support.categories import ensure_support_categories
from app.training.goals import ensure_training_goals


def register(app: Flask) -> None:
    @app.cli.command("seed-programmes")
    def seed_programmes() -> None:
        """Create the programmes, their period templates and training goals, and the
        support-need categories, where missing."""
        programmes = ensure_programmes()
        categories = ensure_support_categories()
        goals = ensure_training_goals()
        db.session.commit()
        click.echo(f"Programmes: {', '.join(sorted(programmes))}")
        click.echo(f"Support-need categories added: {categories}")
        click.echo(f"Training goals added: {goals}")

    @app.cli.command("notify-transitions")
    @click.option(
        "--days",
        type=click.IntRange(1, 90),
        default=None,
        help="How far ahead to look (default HANDOVER_REMINDER_DAYS).",
    )
    def notify_transitions(days: int | None) -> None:
        """Remind the sending side of near transitions that have no handover note yet."""
        days = days or current_app.config["HANDOVER_REMINDER_DAYS"]

        def progress(done: int, total: int) -> None:
            if done == total or done % 50 == 0:
                click.echo(f"\rTransitions checked: {done}/{total}", nl=done == total)

        created = remind_missing_notes(today(), days, progress)
        db.session.commit()
        click.echo(f"Reminders created: {created}")
