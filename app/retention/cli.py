"""`flask retention run [--dry-run]`: apply the retention rules (nightly, from cron), and
`flask prune-audit-log`, the access-log rule alone (kept for existing cron lines)."""

from __future__ import annotations

import click

from app.models import RetentionKind
from app.retention import services
from app.retention.rules import SPECS


@click.group("retention")
def retention_group() -> None:
    """The retention rules (docs/retention.md)."""


def _report(results: list[services.KindResult], dry_run: bool) -> None:
    verb = "Would delete" if dry_run else "Deleted"
    for r in results:
        unit = "days" if SPECS[r.kind].in_days else "years"
        click.echo(
            f"{r.kind.value}: {verb.lower()} {r.count} (kept {r.keep} {unit}, "
            f"before {r.cutoff.isoformat()})" + (f" [{r.detail}]" if r.detail else "")
        )
    if dry_run:
        click.echo("Dry run: nothing was changed.")


@retention_group.command("run")
@click.option("--dry-run", is_flag=True, help="Only count what would go; change nothing.")
def run_command(dry_run: bool) -> None:
    """Delete or anonymise what the rules say is due, one transaction per kind, and log the
    counts per kind (never content). Run it every night, e.g. from cron."""
    _report(services.run(dry_run=dry_run), dry_run)


@click.command("prune-audit-log")
@click.option("--dry-run", is_flag=True, help="Only count what would go; change nothing.")
def prune_audit_log_command(dry_run: bool) -> None:
    """Delete access-log rows older than the access-log retention rule (`flask retention run`
    does this and more)."""
    (result,) = services.run(dry_run=dry_run, kinds=(RetentionKind.ACCESS_LOG,))
    verb = "Would delete" if dry_run else "Deleted"
    click.echo(f"{verb} {result.count} access-log rows older than {result.keep} days.")


COMMANDS = (retention_group, prune_audit_log_command)
