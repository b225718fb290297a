"""Command-line tasks: `flask demo-data`, `flask demo-logins`, `flask create-user`."""

from __future__ import annotations

import sys

import click
from flask import Flask
from sqlalchemy import func, select

from app import demo_data, labels
from app.auth.passwords import hash_password
from app.extensions import db
from app.models import Membership, Organisation, Role, User, Workplace

MIN_PASSWORD = 12


def register(app: Flask) -> None:
    app.cli.add_command(demo_data_command)
    app.cli.add_command(demo_logins_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(prune_audit_log_command)


@click.command("demo-data")
@click.option("--if-empty", is_flag=True, help="Do nothing if the database already has data.")
@click.option("--reset", is_flag=True, help="Delete ALL data first.")
@click.option("--students", type=click.IntRange(1, 5000), default=300, show_default=True)
@click.option("--seed", type=int, default=2026, show_default=True)
def demo_data_command(if_empty: bool, reset: bool, students: int, seed: int) -> None:
    """Load fictional demo data (schools, municipalities, workplaces, users, students)."""
    if demo_data.has_data():
        if if_empty:
            click.echo("Demo data: the database already has data; nothing loaded.")
            return
        if not reset:
            raise click.ClickException(
                "The database already has data. Use --reset to delete everything first."
            )
        click.echo("Deleting all data ...")
        demo_data.delete_all()

    def progress(label: str, done: int, total: int) -> None:
        end = "\n" if done == total else ""
        click.echo(f"\r{label}: {done}/{total}", nl=False)
        click.echo(end, nl=False)
        sys.stdout.flush()

    counts = demo_data.load(students=students, seed=seed, progress=progress)
    click.echo("Demo data loaded: " + ", ".join(f"{value} {key}" for key, value in counts.items()))


@click.command("demo-logins")
def demo_logins_command() -> None:
    """Print the demo logins (only if the demo users exist)."""
    if not demo_data.demo_users_exist():
        return
    from flask_babel import force_locale

    with force_locale("da"):
        rows = [(str(labels.ROLE[login.role]), login.email) for login in demo_data.DEMO_LOGINS]
    width = max(len(role) for role, _ in rows)
    click.echo("")
    click.echo("Demo logins (all fictional) - password for all: " + demo_data.DEMO_PASSWORD)
    for role, email in rows:
        click.echo(f"  {role.ljust(width)}  {email}")
    click.echo("")


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", "role_name", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--organisation", "organisation_code", help="Code of the organisation.")
@click.option("--workplace-id", type=int, help="Workplace, for a practice supervisor.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user_command(
    email: str,
    name: str,
    role_name: str,
    organisation_code: str | None,
    workplace_id: int | None,
    password_stdin: bool,
) -> None:
    """Create a user with one role."""
    email = email.strip().lower()
    name = name.strip()
    role = Role(role_name)
    if "@" not in email or len(email) > 254 or any(c in email for c in "<>{} "):
        raise click.ClickException("Not a valid e-mail address.")
    if not name or len(name) > 120 or any(c in name for c in "<>{}"):
        raise click.ClickException("The name must be 1-120 characters without < > { }.")
    if db.session.execute(select(User.id).where(func.lower(User.email) == email)).first():
        raise click.ClickException(f"A user with the e-mail {email} already exists.")

    organisation = workplace = None
    if role is Role.SYSTEM_ADMIN:
        if organisation_code or workplace_id:
            raise click.ClickException("A system administrator belongs to no organisation.")
    else:
        if not organisation_code:
            raise click.ClickException(f"The role {role.value} needs --organisation.")
        organisation = db.session.execute(
            select(Organisation).where(Organisation.code == organisation_code)
        ).scalar_one_or_none()
        if organisation is None:
            raise click.ClickException(f"No organisation with the code {organisation_code}.")
        if organisation.kind not in role.organisation_kinds:
            raise click.ClickException(
                f"The role {role.value} cannot belong to a {organisation.kind.value}."
            )
        if role is Role.SUPERVISOR:
            workplace = db.session.get(Workplace, workplace_id) if workplace_id else None
            if workplace is None or workplace.organisation_id != organisation.id:
                raise click.ClickException(
                    "A practice supervisor needs --workplace-id of a workplace in the organisation."
                )
        elif workplace_id:
            raise click.ClickException("Only a practice supervisor has a workplace.")

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD:
        raise click.ClickException(f"The password must be at least {MIN_PASSWORD} characters.")

    user = User(email=email, name=name, password_hash=hash_password(password))
    user.memberships.append(Membership(role=role, organisation=organisation, workplace=workplace))
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created {email} ({role.value}).")


@click.command("prune-audit-log")
@click.option(
    "--days",
    type=click.IntRange(1, 3650),
    default=None,
    help="Keep this many days (default AUDIT_RETENTION_DAYS, about 6 months).",
)
def prune_audit_log_command(days: int | None) -> None:
    """Delete access-log rows older than the retention period; the deletion is itself logged."""
    from datetime import timedelta

    from flask import current_app
    from sqlalchemy import delete

    from app import audit
    from app.models import AuditAction, AuditEvent
    from app.models.base import utcnow

    days = days or current_app.config["AUDIT_RETENTION_DAYS"]
    cutoff = utcnow() - timedelta(days=days)
    deleted = db.session.execute(delete(AuditEvent).where(AuditEvent.at < cutoff)).rowcount
    audit.record(AuditAction.DELETE, criterion=f"audit_event older than {days} days: {deleted}")
    db.session.commit()
    click.echo(f"Deleted {deleted} access-log rows older than {days} days.")
