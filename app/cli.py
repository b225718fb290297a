"""Every command-line task, registered in one place: `flask demo-data`, `flask demo-logins`,
`flask create-user`, `flask seed-programmes`, `flask notify-transitions` (run daily, e.g. from
cron), `flask figures refresh` and `flask risk refresh` (nightly, from cron), `flask retention
run` (nightly) and its access-log part `flask prune-audit-log` (app.retention.cli), `flask mail
deliver` / `flask mail worker` (app.mail.cli), `flask mail reminders` and `flask mail digest`
(daily, after notify-transitions; app.mail.notices), and the benchmark's commands (app.bench)."""

from __future__ import annotations

import sys

import click
from email_validator import EmailNotValidError, validate_email
from flask import Flask, current_app
from sqlalchemy import func, select, text
from sqlalchemy.orm import selectinload

from app import bench, demo_data, labels
from app.auth.passwords import hash_password, password_problems
from app.extensions import db
from app.journey.handovers import remind_missing_notes
from app.journey.programmes import ensure_programmes
from app.mail import notices
from app.mail.cli import mail as mail_commands
from app.main import snapshots
from app.models import (
    FigureSnapshot,
    Membership,
    Organisation,
    Partnership,
    Role,
    User,
    Workplace,
)
from app.models.base import today, utcnow
from app.retention import cli as retention_cli
from app.risk import services as risk
from app.support.categories import ensure_support_categories
from app.training.goals import ensure_training_goals

_MARKUP = set("<>{}")


def register(app: Flask) -> None:
    app.cli.add_command(demo_data_command)
    app.cli.add_command(demo_logins_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(seed_programmes_command)
    app.cli.add_command(notify_transitions_command)
    for command in retention_cli.COMMANDS:
        app.cli.add_command(command)
    app.cli.add_command(mail_commands)
    app.cli.add_command(figures_group)
    app.cli.add_command(risk_group)
    for command in bench.COMMANDS:
        app.cli.add_command(command)
    notices.register_commands(app)


# --- demo data ----------------------------------------------------------------------------


def demo_data_allowed() -> bool:
    """Demo accounts share a published password, one of them a system admin: never load them
    into a real installation by mistake. DEMO_DATA_ALLOWED decides where config sets it; else
    only the configurations served without HTTPS (development, test) allow demo data."""
    config = current_app.config
    return bool(config.get("DEMO_DATA_ALLOWED", not config.get("HTTPS", True)))


def _progress(label: str, done: int, total: int) -> None:
    """`Students: 50/300`, updated in place on a terminal and one line per step otherwise."""
    if sys.stdout.isatty():
        click.echo(f"\r{label}: {done}/{total}", nl=done == total)
    else:
        click.echo(f"{label}: {done}/{total}")


@click.command("demo-data")
@click.option(
    "--if-empty", is_flag=True, help="Do nothing if the database already has data (make run)."
)
@click.option("--reset", is_flag=True, help="Delete ALL data first.")
@click.option(
    "--students",
    type=click.IntRange(1, 5000),
    default=300,
    show_default=True,
    help="How many students to make (plus four on their way to the demo supervisor).",
)
@click.option(
    "--seed", type=int, default=2026, show_default=True, help="The same seed gives the same data."
)
@click.option(
    "--allow-production",
    is_flag=True,
    help="Load demo data although this is the production configuration (a demo server).",
)
def demo_data_command(
    if_empty: bool, reset: bool, students: int, seed: int, allow_production: bool
) -> None:
    """Load fictional demo data: schools, municipalities, workplaces, users and students."""
    if if_empty and reset:
        raise click.UsageError("Use either --if-empty or --reset, not both.")
    if not (demo_data_allowed() or allow_production):
        raise click.ClickException(
            "Refusing to load demo data with the production configuration: the demo accounts "
            "have a published password. Use ELEVSAG_CONFIG=development, or --allow-production "
            "for a demo server."
        )
    if demo_data.has_data():
        if if_empty:
            click.echo("Demo data: the database already has data; nothing loaded.")
            return
        if not reset:
            raise click.ClickException(
                "The database already has data. Use --reset to delete ALL of it and load demo "
                "data, or --if-empty to leave it alone."
            )
        click.echo("Deleting all data ...")
        demo_data.delete_all()

    counts = demo_data.load(students=students, seed=seed, progress=_progress)
    click.echo("Demo data loaded: " + ", ".join(f"{value} {key}" for key, value in counts.items()))


@click.command("demo-logins")
def demo_logins_command() -> None:
    """Print the demo logins, if the demo users exist."""
    emails = [login.email for login in demo_data.DEMO_LOGINS]
    users = {
        user.email: user
        for user in db.session.execute(
            select(User)
            .where(User.email.in_(emails), User.active.is_(True))
            .options(
                selectinload(User.memberships).options(
                    selectinload(Membership.organisation), selectinload(Membership.workplace)
                )
            )
        ).scalars()
    }
    if not users:
        return
    from flask_babel import force_locale

    header = ("Rolle", "E-mail", "Adgangskode", "Organisation")
    rows = []
    with force_locale("da"):
        for login in demo_data.DEMO_LOGINS:
            user = users.get(login.email)
            if user is None:
                continue
            places = [
                ", ".join(
                    place.name for place in (m.organisation, m.workplace) if place is not None
                )
                for m in user.memberships
            ]
            rows.append(
                (
                    str(labels.ROLE[login.role]),
                    login.email,
                    demo_data.DEMO_PASSWORD,
                    "; ".join(p for p in places if p) or "-",
                )
            )
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header) - 1)]

    def line(cells) -> str:
        return "  " + "  ".join(
            [*(cell.ljust(width) for cell, width in zip(cells, widths, strict=False)), cells[-1]]
        )

    click.echo("")
    click.echo("Demo logins (fictional people and data):")
    click.echo(line(header))
    click.echo(line(["-" * width for width in widths] + ["-" * len(header[-1])]))
    for row in rows:
        click.echo(line(row))
    click.echo("")
    click.echo(
        "Roles that see support or health data set up two-factor login at their first login:"
    )
    click.echo(
        "scan the QR code with an authenticator app (or type the key shown under it) and keep"
    )
    click.echo("the recovery codes (docs/accounts.md).")
    click.echo("")


# --- users --------------------------------------------------------------------------------


def _kinds(role: Role) -> str:
    return " or ".join(sorted(kind.value for kind in role.organisation_kinds))


@click.command("create-user")
@click.option("--email", required=True, help="Login e-mail (stored lower-case).")
@click.option("--name", required=True, help="Full name.")
@click.option(
    "--role",
    "role_name",
    required=True,
    type=click.Choice([r.value for r in Role]),
    help="The user's role.",
)
@click.option(
    "--organisation",
    "organisation_code",
    help="Code of the organisation (not for system_admin), e.g. 461.",
)
@click.option("--workplace-id", type=int, help="Workplace id, for a practice supervisor.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user_command(
    email: str,
    name: str,
    role_name: str,
    organisation_code: str | None,
    workplace_id: int | None,
    password_stdin: bool,
) -> None:
    """Create a user with one role, e.g. the first system administrator. Asks for the
    password twice unless --password-stdin; it must meet the password policy (at least 12
    characters, not a common password, not containing the e-mail address). Users created in
    the admin pages get an invitation by e-mail instead."""
    email = email.strip().lower()
    name = name.strip()
    role = Role(role_name)
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as error:
        raise click.ClickException(f"Not a valid e-mail address: {error}") from None
    if len(email) > 254:
        raise click.ClickException("The e-mail address is too long.")
    if (
        not name
        or len(name) > 120
        or _MARKUP & set(name)
        or any(not character.isprintable() for character in name)
    ):
        raise click.ClickException(
            "The name must be 1-120 characters, without < > { } or control characters."
        )
    if db.session.execute(select(User.id).where(func.lower(User.email) == email)).first():
        raise click.ClickException(f"A user with the e-mail {email} already exists.")

    organisation = workplace = None
    if role is Role.SYSTEM_ADMIN:
        if organisation_code or workplace_id:
            raise click.ClickException(
                "A system administrator belongs to no organisation: leave out --organisation "
                "and --workplace-id."
            )
    else:
        if not organisation_code:
            raise click.ClickException(
                f"The role {role.value} needs --organisation (the code of a {_kinds(role)})."
            )
        organisation = db.session.execute(
            select(Organisation).where(Organisation.code == organisation_code.strip())
        ).scalar_one_or_none()
        if organisation is None:
            raise click.ClickException(f"No organisation has the code {organisation_code}.")
        if organisation.kind not in role.organisation_kinds:
            raise click.ClickException(
                f"The role {role.value} belongs to a {_kinds(role)}; "
                f"{organisation.name} is a {organisation.kind.value}."
            )
        if role is Role.SUPERVISOR:
            workplace = db.session.get(Workplace, workplace_id) if workplace_id else None
            if workplace is None or workplace.organisation_id != organisation.id:
                choices = db.session.execute(
                    select(Workplace.id, Workplace.name)
                    .where(Workplace.organisation_id == organisation.id)
                    .order_by(Workplace.name)
                ).all()
                listing = "".join(f"\n  {id_}  {wp_name}" for id_, wp_name in choices)
                raise click.ClickException(
                    "A practice supervisor needs --workplace-id of a workplace in "
                    f"{organisation.name}." + (f" Its workplaces:{listing}" if listing else "")
                )
        elif workplace_id:
            raise click.ClickException("Only a practice supervisor has a workplace.")

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with current_app.test_request_context():  # the messages in the default language
        problems = [str(problem) for problem in password_problems(password, email)]
    if problems:
        raise click.ClickException(" ".join(problems))

    user = User(email=email, name=name, password_hash=hash_password(password))
    user.memberships.append(Membership(role=role, organisation=organisation, workplace=workplace))
    db.session.add(user)
    db.session.commit()
    where = ", ".join(p.name for p in (organisation, workplace) if p is not None)
    click.echo(f"Created {email} ({role.value}{' at ' + where if where else ''}).")


# --- programmes and handover reminders -----------------------------------------------------


def _days_option(most: int, help: str):
    """--days, from 1 to `most`; left out (None), the command takes its default from the
    app config."""
    return click.option("--days", type=click.IntRange(1, most), default=None, help=help)


@click.command("seed-programmes")
def seed_programmes_command() -> None:
    """Create the programmes, their period templates and training goals, and the
    support-need categories, where missing."""
    programmes = ensure_programmes()
    categories = ensure_support_categories()
    goals = ensure_training_goals()
    db.session.commit()
    click.echo(f"Programmes: {', '.join(sorted(programmes))}")
    click.echo(f"Support-need categories added: {categories}")
    click.echo(f"Training goals added: {goals}")


@click.command("notify-transitions")
@_days_option(90, "How far ahead to look (default HANDOVER_REMINDER_DAYS).")
def notify_transitions_command(days: int | None) -> None:
    """Remind the sending side of near transitions that have no handover note yet."""
    days = days or current_app.config["HANDOVER_REMINDER_DAYS"]

    def progress(done: int, total: int) -> None:
        if done == total or done % 50 == 0:
            click.echo(f"\rTransitions checked: {done}/{total}", nl=done == total)

    created = remind_missing_notes(today(), days, progress)
    db.session.commit()
    click.echo(f"Reminders created: {created}")


# --- the partnership dashboard's figures ---------------------------------------------------


@click.group("figures")
def figures_group() -> None:
    """The partnership dashboard's figures, computed ahead (app.main.snapshots)."""


@figures_group.command("refresh")
@click.option("--partnership", "partnership_id", type=int, help="Only this partnership (its id).")
@click.option(
    "--if-missing", is_flag=True, help="Only partnerships with no figures stored yet (make run)."
)
def figures_refresh_command(partnership_id: int | None, if_missing: bool) -> None:
    """Compute the dashboard's suppressed figures of every partnership (or one) and replace
    the stored ones in one transaction. Run it every night, e.g. from cron."""
    query = select(Partnership).order_by(Partnership.name)
    if partnership_id is not None:
        query = query.where(Partnership.id == partnership_id)
    if if_missing:
        query = query.where(~Partnership.id.in_(select(FigureSnapshot.partnership_id)))
    partnerships = list(db.session.execute(query).scalars())
    if partnership_id is not None and not partnerships and not if_missing:
        raise click.ClickException(f"No partnership has the id {partnership_id}.")
    started = utcnow()
    count = snapshots.refresh(partnerships, today())
    db.session.commit()
    seconds = (utcnow() - started).total_seconds()
    click.echo(f"Figures computed for {count} partnership(s) in {seconds:.1f} s.")


# --- early signs of risk (app.risk) -------------------------------------------------------


@click.group("risk")
def risk_group() -> None:
    """Early signs that a student is at risk (app.risk, docs/risk.md)."""


@risk_group.command("refresh")
def risk_refresh_command() -> None:
    """Evaluate every rule for every student, open a flag (and notify) where a student first
    crosses the threshold, and clear flags with no signal left. Run it every night, after
    `flask figures refresh`, e.g. from cron."""
    done = risk.refresh(today())
    db.session.commit()
    # The pages read the open flags all day (app.risk.queries): the planner's statistics of
    # the table follow its nightly change (SQLite has no autovacuum to do it).
    db.session.execute(text("ANALYZE risk_flag"))
    db.session.commit()
    click.echo(
        f"Students with signs of risk: {done.flagged} ({done.opened} new, "
        f"{done.cleared} cleared); notifications: {done.told}."
    )
