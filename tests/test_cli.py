"""flask demo-data, demo-logins, create-user, seed-programmes, notify-transitions."""

from __future__ import annotations

from datetime import UTC, date, timedelta
from itertools import pairwise

from sqlalchemy import func, select

from app.demo_data import DEMO_LOGINS, DEMO_PASSWORD
from app.models import (
    Membership,
    Organisation,
    OrganisationKind,
    Period,
    PeriodKind,
    Role,
    Student,
    TrainingAgreement,
    User,
    Workplace,
)
from tests import factories


def _count(db, model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_demo_data_builds_the_partnership(runner, db):
    result = runner.invoke(args=["demo-data", "--students", "40"])
    assert result.exit_code == 0, result.output
    assert "Students: 40/40" in result.output  # a long job shows progress
    kinds = dict(
        db.session.execute(
            select(Organisation.kind, func.count()).group_by(Organisation.kind)
        ).all()
    )
    assert kinds == {
        OrganisationKind.SCHOOL: 4,
        OrganisationKind.MUNICIPALITY: 22,
        OrganisationKind.REGION: 1,
    }
    assert _count(db, Workplace) >= 44
    assert _count(db, Student) == 40 + 4  # plus the demo supervisor's four arrivals
    roles = set(db.session.execute(select(Membership.role)).scalars())
    assert roles == set(Role)


def test_demo_training_periods_are_at_the_employers_workplaces(runner, db):
    runner.invoke(args=["demo-data", "--students", "40"])
    rows = db.session.execute(
        select(Period, Workplace.organisation_id)
        .join(Workplace, Workplace.id == Period.workplace_id)
        .where(Period.kind == PeriodKind.TRAINING)
    ).all()
    assert rows
    employers = {}
    for agreement in db.session.execute(select(TrainingAgreement)).scalars():
        employers.setdefault(agreement.student_id, set()).add(agreement.employer_id)
    region = db.session.execute(
        select(Organisation.id).filter_by(kind=OrganisationKind.REGION)
    ).scalar_one()
    for period, organisation_id in rows:
        assert organisation_id in employers[period.student_id] | {region}


def test_demo_plans_do_not_overlap(runner, db):
    runner.invoke(args=["demo-data", "--students", "40"])
    plans = {}
    for period in db.session.execute(select(Period).order_by(Period.start_date)).scalars():
        plans.setdefault(period.student_id, []).append(period)
    for periods in plans.values():
        for before, after in pairwise(periods):
            assert before.end_date < after.start_date


def test_demo_supervisor_has_students_now_and_arriving(runner, db):
    runner.invoke(args=["demo-data", "--students", "40"])
    supervisor = db.session.execute(
        select(User).filter_by(email="oplaeringsvejleder@demo.elevsag.dk")
    ).scalar_one()
    workplace_id = supervisor.memberships[0].workplace_id
    today = date.today()
    periods = (
        db.session.execute(
            select(Period).where(
                Period.workplace_id == workplace_id, Period.kind == PeriodKind.TRAINING
            )
        )
        .scalars()
        .all()
    )
    assert any(p.start_date <= today <= p.end_date for p in periods)
    assert any(today < p.start_date <= today + timedelta(weeks=4) for p in periods)


def test_default_demo_data_has_300_students(runner, db):
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    assert _count(db, Student) == 304


def test_demo_data_if_empty_leaves_existing_data_alone(runner, db):
    runner.invoke(args=["demo-data", "--students", "10"])
    before = _count(db, Student)
    result = runner.invoke(args=["demo-data", "--if-empty"])
    assert result.exit_code == 0
    assert "nothing loaded" in result.output
    assert _count(db, Student) == before


def test_demo_data_refuses_a_full_database_without_reset(runner, db):
    runner.invoke(args=["demo-data", "--students", "10"])
    result = runner.invoke(args=["demo-data", "--students", "10"])
    assert result.exit_code != 0
    assert "--reset" in result.output
    result = runner.invoke(args=["demo-data", "--students", "12", "--reset"])
    assert result.exit_code == 0
    assert _count(db, Student) == 16


def test_demo_logins_lists_every_demo_user_once_loaded(runner, db):
    assert runner.invoke(args=["demo-logins"]).output == ""
    runner.invoke(args=["demo-data", "--students", "5"])
    output = runner.invoke(args=["demo-logins"]).output
    assert DEMO_PASSWORD in output
    for login in DEMO_LOGINS:
        assert login.email in output
    assert "Oplæringsvejleder" in output


def test_demo_login_works(client, runner, db):
    from tests.conftest import post

    runner.invoke(args=["demo-data", "--students", "5"])
    response = post(
        client, "/login", {"email": "vejleder@demo.elevsag.dk", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302


def test_create_user_with_a_role(runner, db):
    school = factories.organisation(OrganisationKind.SCHOOL)
    db.session.commit()
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "Ny.Vejleder@Example.org",
            "--name",
            "Ny Vejleder",
            "--role",
            "counsellor",
            "--organisation",
            school.code,
            "--password-stdin",
        ],
        input="en-lang-adgangskode\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.execute(select(User).filter_by(email="ny.vejleder@example.org")).scalar_one()
    assert [(m.role, m.organisation_id) for m in user.memberships] == [(Role.COUNSELLOR, school.id)]


def test_create_supervisor_needs_a_workplace_of_the_organisation(runner, db):
    municipality = factories.organisation(OrganisationKind.MUNICIPALITY)
    other = factories.organisation(OrganisationKind.MUNICIPALITY)
    wp = factories.workplace(other)
    db.session.commit()
    base = [
        "create-user",
        "--email",
        "sup@example.org",
        "--name",
        "Sup",
        "--role",
        "supervisor",
        "--organisation",
        municipality.code,
        "--password-stdin",
    ]
    assert runner.invoke(args=base, input="en-lang-adgangskode\n").exit_code != 0
    result = runner.invoke(
        args=[*base, "--workplace-id", str(wp.id)], input="en-lang-adgangskode\n"
    )
    assert result.exit_code != 0
    assert _count(db, User) == 0


def test_create_user_refuses_bad_input_and_stores_nothing(runner, db):
    school = factories.organisation(OrganisationKind.SCHOOL)
    factories.user(Role.TEACHER, school, email="taken@example.org")
    db.session.commit()
    before = _count(db, User)
    cases = [
        (["--role", "wizard", "--organisation", school.code], "en-lang-adgangskode"),
        (["--role", "training_coordinator", "--organisation", school.code], "en-lang-adgangskode"),
        (["--role", "counsellor", "--organisation", "NOPE"], "en-lang-adgangskode"),
        (["--role", "system_admin", "--organisation", school.code], "en-lang-adgangskode"),
        (["--role", "counsellor", "--organisation", school.code], "kort"),
    ]
    for extra, password in cases:
        result = runner.invoke(
            args=[
                "create-user",
                "--email",
                "ny@example.org",
                "--name",
                "Ny",
                *extra,
                "--password-stdin",
            ],
            input=password + "\n",
        )
        assert result.exit_code != 0, extra
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "TAKEN@example.org",
            "--name",
            "Ny",
            "--role",
            "counsellor",
            "--organisation",
            school.code,
            "--password-stdin",
        ],
        input="en-lang-adgangskode\n",
    )
    assert result.exit_code != 0
    assert "already exists" in result.output
    assert _count(db, User) == before


def test_seed_programmes_is_idempotent(runner, db):
    first = runner.invoke(args=["seed-programmes"])
    second = runner.invoke(args=["seed-programmes"])
    assert first.exit_code == second.exit_code == 0
    assert "SSA" in first.output
    from app.models import Programme, TemplatePeriod

    assert _count(db, Programme) == 6
    assert _count(db, TemplatePeriod) == 1 + 1 + 8 + 7 + 5 + 5


def test_prune_audit_log_keeps_recent_rows_and_logs_itself(runner, db):
    from datetime import datetime

    from app.models import AuditAction, AuditEvent

    old = datetime(2020, 1, 1, tzinfo=UTC)
    db.session.add_all(
        [
            AuditEvent(action=AuditAction.VIEW, student_id=1, at=old),
            AuditEvent(action=AuditAction.VIEW, student_id=2),
        ]
    )
    db.session.commit()
    result = runner.invoke(args=["prune-audit-log"])
    assert result.exit_code == 0 and "Deleted 1" in result.output
    rows = db.session.execute(select(AuditEvent.action, AuditEvent.student_id)).all()
    assert (AuditAction.VIEW, 2) in rows and (AuditAction.VIEW, 1) not in rows
    assert any(action == AuditAction.DELETE for action, _ in rows)
