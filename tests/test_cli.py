"""flask demo-data, demo-logins, create-user, seed-programmes, prune-audit-log."""

from __future__ import annotations

import re
from datetime import UTC, date, timedelta
from itertools import pairwise

import pytest
from sqlalchemy import func, select

from app.auth.passwords import verify_password
from app.demo_data import DEMO_LOGINS, DEMO_PASSWORD
from app.models import (
    Enrolment,
    HandoverNote,
    Leave,
    Membership,
    Organisation,
    OrganisationKind,
    Period,
    PeriodKind,
    PeriodStatus,
    Role,
    Student,
    StudentStatus,
    TrainingAgreement,
    User,
    Workplace,
)
from tests import factories

PASSWORD = "en-lang-adgangskode"


def _count(db, model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def _counts(db) -> dict:
    return {
        model.__name__: _count(db, model)
        for model in (Organisation, Workplace, User, Student, Period, TrainingAgreement)
    }


@pytest.fixture
def demo(runner, db):
    """The demo data with 40 students (and the demo supervisor's four arrivals, and five
    journeys across enrolments)."""
    result = runner.invoke(args=["demo-data", "--students", "40"])
    assert result.exit_code == 0, result.output
    return result


# --- demo-data ----------------------------------------------------------------------------


def test_demo_data_builds_the_partnership(demo, db):
    assert "Students: 40/40" in demo.output  # a long job shows progress
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
    names = set(db.session.execute(select(Organisation.name)).scalars())
    assert {"SOSU Fyn", "SOSU Syd", "SOSU Esbjerg", "SOSU Fredericia-Vejle-Horsens"} <= names
    assert {"Odense Kommune", "Ærø Kommune", "Region Syddanmark"} <= names
    codes = dict(db.session.execute(select(Organisation.name, Organisation.code)).all())
    assert codes["Odense Kommune"] == "461" and codes["Region Syddanmark"] == "1083"
    assert _count(db, Workplace) >= 44
    per_employer = db.session.execute(
        select(func.count()).select_from(Workplace).group_by(Workplace.organisation_id)
    ).scalars()
    assert min(per_employer) >= 2
    # Plus the demo supervisor's four arrivals and five journeys across enrolments.
    assert _count(db, Student) == 40 + 4 + 5


def test_demo_data_has_one_user_per_role_who_can_log_in(demo, db):
    users = db.session.execute(select(User)).scalars().all()
    assert sorted(m.role for u in users for m in u.memberships) == sorted(Role)
    assert {u.email for u in users} == {login.email for login in DEMO_LOGINS}
    assert len({u.password_hash for u in users}) == 1  # hashed once
    assert verify_password(users[0].password_hash, DEMO_PASSWORD)


def test_demo_students_are_fictional_and_spread_out(demo, db):
    students = db.session.execute(select(Student)).scalars().all()
    for student in students:
        assert re.fullmatch(r"E\d{4}-\d{5}", student.student_number)
        assert re.fullmatch(r"[a-z.0-9]+@elev\.example\.dk", student.email), student.email
        assert not student.phone or student.phone.startswith("+45 00")  # cannot be dialled
    assert len({s.school_id for s in students}) == 4
    assert len({s.programme_id for s in students}) >= 5
    statuses = {s.status for s in students}
    assert StudentStatus.ACTIVE in statuses and StudentStatus.COMPLETED in statuses


def test_demo_training_periods_are_at_the_employers_workplaces(demo, db):
    agreements = {}
    for agreement in db.session.execute(select(TrainingAgreement)).scalars():
        agreements.setdefault(agreement.student_id, []).append(agreement)
    rows = db.session.execute(
        select(Period, Workplace.organisation_id)
        .join(Workplace, Workplace.id == Period.workplace_id, isouter=True)
        .where(Period.kind == PeriodKind.TRAINING)
    ).all()
    assert rows
    never_started = set(
        db.session.execute(
            select(Enrolment.dropout_period_id).where(Enrolment.dropout_at_transition.is_(True))
        ).scalars()
    )
    for period, organisation_id in rows:
        assert organisation_id is not None, "every demo training period has a workplace"
        if period.id in never_started:  # the student left before it, and the agreement ended
            continue
        covering = [
            a
            for a in agreements[period.student_id]
            if a.start_date <= period.start_date and period.end_date <= a.end_date
        ]
        assert [a.employer_id for a in covering] == [organisation_id], period.title
    school_periods = db.session.execute(
        select(Period).where(Period.kind == PeriodKind.SCHOOL, Period.workplace_id.is_not(None))
    ).all()
    assert school_periods == []


def test_demo_hospital_periods_are_under_an_agreement_with_the_region(runner, db):
    runner.invoke(args=["demo-data", "--students", "120"])
    region = db.session.execute(
        select(Organisation).filter_by(kind=OrganisationKind.REGION)
    ).scalar_one()
    with_region = db.session.execute(
        select(func.count()).select_from(TrainingAgreement).filter_by(employer_id=region.id)
    ).scalar_one()
    assert with_region > 0


def test_demo_agreements_and_plans_do_not_overlap(demo, db):
    plans, agreements = {}, {}
    for period in db.session.execute(select(Period).order_by(Period.start_date)).scalars():
        plans.setdefault(period.student_id, []).append(period)
    query = select(TrainingAgreement).order_by(TrainingAgreement.start_date)
    for agreement in db.session.execute(query).scalars():
        agreements.setdefault(agreement.student_id, []).append(agreement)
    for periods in plans.values():
        for before, after in pairwise(periods):
            assert before.end_date < after.start_date
    for rows in agreements.values():
        for before, after in pairwise(rows):
            assert before.end_date < after.start_date


def test_demo_period_statuses_follow_the_dates(demo, db):
    today = date.today()
    dropped_out = {
        e.id: e
        for e in db.session.execute(
            select(Enrolment).filter_by(status=StudentStatus.DROPPED_OUT)
        ).scalars()
    }
    assert dropped_out
    for period in db.session.execute(select(Period)).scalars():
        enrolment = dropped_out.get(period.enrolment_id)
        if period.status == PeriodStatus.INTERRUPTED:
            # The dropout fell in the period, or before it, at the transition into it.
            on = enrolment.end_date
            assert enrolment.dropout_period_id == period.id
            if enrolment.dropout_at_transition:
                assert on < period.start_date
            else:
                assert period.start_date <= on <= period.end_date
            continue
        expected = Period(start_date=period.start_date, end_date=period.end_date).status_on(today)
        assert period.status == expected
        if enrolment is not None:  # nothing after the dropout
            assert period.start_date <= enrolment.end_date


def test_demo_enrolments_mirror_the_student(demo, db):
    """The student's programme, school and status are those of their latest enrolment."""
    for student in db.session.execute(select(Student)).scalars():
        latest = student.enrolments[-1]
        assert (latest.programme_id, latest.school_id, latest.status) == (
            student.programme_id,
            student.school_id,
            student.status,
        ), student.student_number
        for enrolment in student.enrolments[:-1]:
            assert enrolment.end_date is not None
            assert enrolment.status in (StudentStatus.COMPLETED, StudentStatus.DROPPED_OUT)


def test_demo_journeys_across_enrolments(demo, db):
    today = date.today()
    by_name = {
        s.first_name: s
        for s in db.session.execute(
            select(Student).where(Student.student_number.like("E____-8%"))
        ).scalars()
    }
    assert set(by_name) == {"Freja", "Emil", "Jonas", "Maja", "Ahmad"}
    # GF2 completed as qualified, SSA at the same school starting within days: the GF2 → SSA
    # note is written (not yet acknowledged) for Freja and missing for Emil.
    for name, written in (("Freja", True), ("Emil", False)):
        gf2, ssa = by_name[name].enrolments
        assert (gf2.programme.code, gf2.status, gf2.qualified) == (
            "GF2",
            StudentStatus.COMPLETED,
            True,
        )
        assert ssa.programme.code == "SSA" and ssa.school_id == gf2.school_id
        assert today < ssa.start_date <= today + timedelta(days=8)
        first_ssa = db.session.execute(
            select(Period).filter_by(enrolment_id=ssa.id).order_by(Period.start_date).limit(1)
        ).scalar_one()
        note = db.session.execute(
            select(HandoverNote).filter_by(to_period_id=first_ssa.id)
        ).scalar_one_or_none()
        assert (note is not None) == written
        if note:
            assert note.acknowledged_at is None and not note.is_draft
    # On leave: a leave under way, and the period it falls in lengthened by it.
    jonas = by_name["Jonas"]
    leave = db.session.execute(select(Leave).filter_by(student_id=jonas.id)).scalar_one()
    assert jonas.status == StudentStatus.ON_LEAVE and leave.start_date <= today <= leave.end_date
    lengthened = db.session.execute(
        select(Period).where(Period.student_id == jonas.id, Period.original_end_date.is_not(None))
    ).scalar_one()
    assert lengthened.end_date - lengthened.original_end_date == (
        leave.end_date - leave.start_date + timedelta(days=1)
    )
    # Dropped out between two periods; re-enrolled after a dropout.
    (maja,) = by_name["Maja"].enrolments
    assert maja.dropout_at_transition and maja.dropout_period_id is not None
    first, again = by_name["Ahmad"].enrolments
    assert first.status == StudentStatus.DROPPED_OUT and again.status == StudentStatus.ACTIVE
    assert by_name["Ahmad"].dropout_date is None


def test_demo_supervisor_has_students_now_and_arriving(demo, db):
    supervisor = db.session.execute(
        select(User).filter_by(email="oplaeringsvejleder@demo.elevsag.dk")
    ).scalar_one()
    membership = supervisor.memberships[0]
    assert membership.workplace.organisation.code == "461"
    today = date.today()
    periods = (
        db.session.execute(
            select(Period).where(
                Period.workplace_id == membership.workplace_id,
                Period.kind == PeriodKind.TRAINING,
            )
        )
        .scalars()
        .all()
    )
    assert any(p.start_date <= today <= p.end_date for p in periods)
    assert any(today < p.start_date <= today + timedelta(weeks=4) for p in periods)


def test_demo_workplace_arranges_support_and_asks_the_school_for_help(demo, db):
    from app.models import CaseEvent, CaseEventKind, HelpRequest, HelpStatus, SupportMeasure

    supervisor = db.session.execute(
        select(User).filter_by(email="oplaeringsvejleder@demo.elevsag.dk")
    ).scalar_one()
    arrangement = db.session.execute(
        select(SupportMeasure).where(SupportMeasure.organisation_id.is_not(None))
    ).scalar_one()
    assert arrangement.created_by_id == supervisor.id
    assert arrangement.organisation.code == "461"
    request = db.session.execute(select(HelpRequest)).scalar_one()
    assert request.status == HelpStatus.OPEN and request.requested_by_id == supervisor.id
    assert request.student_id == arrangement.student_id
    kinds = set(
        db.session.execute(
            select(CaseEvent.kind).where(CaseEvent.student_id == request.student_id)
        ).scalars()
    )
    assert {CaseEventKind.WORKPLACE_SUPPORT_ADDED, CaseEventKind.HELP_REQUESTED} <= kinds


def test_demo_data_is_repeatable_with_a_seed(runner, db):
    def names():
        query = select(Student.first_name, Student.last_name).order_by(Student.student_number)
        return db.session.execute(query).all()

    runner.invoke(args=["demo-data", "--students", "15", "--seed", "7"])
    first = names()
    runner.invoke(args=["demo-data", "--students", "15", "--seed", "7", "--reset"])
    assert names() == first
    runner.invoke(args=["demo-data", "--students", "15", "--seed", "8", "--reset"])
    assert names() != first


def test_default_demo_data_has_300_students(runner, db):
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    assert "Students: 300/300" in result.output
    assert _count(db, Student) == 309


def test_demo_data_if_empty_leaves_existing_data_alone(runner, db):
    first = runner.invoke(args=["demo-data", "--if-empty", "--students", "10"])
    assert first.exit_code == 0 and "Demo data loaded" in first.output
    before = _counts(db)
    result = runner.invoke(args=["demo-data", "--if-empty", "--students", "10"])
    assert result.exit_code == 0
    assert "nothing loaded" in result.output
    assert _counts(db) == before


def test_demo_data_if_empty_counts_a_lone_user_as_data(runner, db):
    factories.user(Role.SYSTEM_ADMIN, email="admin@example.org")
    db.session.commit()
    result = runner.invoke(args=["demo-data", "--if-empty", "--students", "5"])
    assert result.exit_code == 0 and "nothing loaded" in result.output
    assert _count(db, Organisation) == 0


def test_demo_data_refuses_a_full_database_without_reset(runner, db):
    runner.invoke(args=["demo-data", "--students", "10"])
    before = _counts(db)
    result = runner.invoke(args=["demo-data", "--students", "10"])
    assert result.exit_code != 0
    assert "--reset" in result.output
    assert _counts(db) == before
    result = runner.invoke(args=["demo-data", "--students", "12", "--reset"])
    assert result.exit_code == 0
    assert _count(db, Student) == 12 + 4 + 5


def test_demo_data_if_empty_and_reset_contradict(runner, db):
    result = runner.invoke(args=["demo-data", "--if-empty", "--reset"])
    assert result.exit_code == 2
    assert _count(db, Organisation) == 0


def test_demo_data_refuses_the_production_configuration(app, runner, db, monkeypatch):
    monkeypatch.setitem(app.config, "DEMO_DATA_ALLOWED", False)
    result = runner.invoke(args=["demo-data", "--students", "5"])
    assert result.exit_code != 0
    assert "production" in result.output
    assert _count(db, Organisation) == 0
    result = runner.invoke(args=["demo-data", "--students", "5", "--allow-production"])
    assert result.exit_code == 0, result.output


# --- demo-logins --------------------------------------------------------------------------


def test_demo_logins_lists_every_demo_user_once_loaded(runner, db):
    assert runner.invoke(args=["demo-logins"]).output == ""
    runner.invoke(args=["demo-data", "--students", "5"])
    result = runner.invoke(args=["demo-logins"])
    assert result.exit_code == 0
    for login in DEMO_LOGINS:
        line = next(line for line in result.output.splitlines() if login.email in line)
        assert DEMO_PASSWORD in line
    assert "Oplæringsvejleder" in result.output  # roles in Danish
    assert "Plejecenter Solbakken" in result.output


def test_demo_login_works(client, runner, db):
    from tests.conftest import post

    runner.invoke(args=["demo-data", "--students", "5"])
    response = post(
        client, "/login", {"email": "vejleder@demo.elevsag.dk", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302


# --- create-user --------------------------------------------------------------------------


def _create(runner, *extra, email="ny.vejleder@example.org", password=PASSWORD, stdin=True):
    args = ["create-user", "--email", email, "--name", "Ny Bruger", *extra]
    if stdin:
        args.append("--password-stdin")
    return runner.invoke(args=args, input=password + "\n")


def test_create_user_with_a_role(runner, db):
    school = factories.organisation(OrganisationKind.SCHOOL)
    db.session.commit()
    result = _create(
        runner, "--role", "counsellor", "--organisation", school.code, email="Ny.Vejleder@X.org"
    )
    assert result.exit_code == 0, result.output
    user = db.session.execute(select(User).filter_by(email="ny.vejleder@x.org")).scalar_one()
    assert [(m.role, m.organisation_id) for m in user.memberships] == [(Role.COUNSELLOR, school.id)]
    assert verify_password(user.password_hash, PASSWORD)


def test_create_user_asks_for_the_password_twice(runner, db):
    result = _create(
        runner, "--role", "system_admin", password=f"{PASSWORD}\n{PASSWORD}", stdin=False
    )
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output  # hidden input
    user = db.session.execute(select(User)).scalar_one()
    assert user.memberships[0].role == Role.SYSTEM_ADMIN
    assert user.memberships[0].organisation_id is None


def test_create_user_stops_when_the_passwords_differ(runner, db):
    result = _create(
        runner, "--role", "system_admin", password=f"{PASSWORD}\nanden-kode-1234", stdin=False
    )
    assert result.exit_code != 0
    assert _count(db, User) == 0


def test_create_supervisor_at_a_workplace_of_the_organisation(runner, db):
    municipality = factories.organisation(OrganisationKind.MUNICIPALITY)
    other = factories.organisation(OrganisationKind.MUNICIPALITY)
    own_wp = factories.workplace(municipality, "Hjemmeplejen Nord")
    other_wp = factories.workplace(other)
    db.session.commit()
    base = ["--role", "supervisor", "--organisation", municipality.code]
    result = _create(runner, *base)
    assert result.exit_code != 0
    assert f"{own_wp.id}  Hjemmeplejen Nord" in result.output  # the choices are listed
    assert _create(runner, *base, "--workplace-id", str(other_wp.id)).exit_code != 0
    assert _count(db, User) == 0
    result = _create(runner, *base, "--workplace-id", str(own_wp.id))
    assert result.exit_code == 0, result.output
    membership = db.session.execute(select(Membership)).scalar_one()
    assert (membership.organisation_id, membership.workplace_id) == (municipality.id, own_wp.id)


@pytest.mark.parametrize(
    ("extra", "password", "message"),
    [
        (["--role", "wizard", "--organisation", "{school}"], PASSWORD, "wizard"),
        (["--role", "training_coordinator", "--organisation", "{school}"], PASSWORD, "school"),
        (["--role", "counsellor", "--organisation", "NOPE"], PASSWORD, "NOPE"),
        (["--role", "counsellor"], PASSWORD, "--organisation"),
        (["--role", "system_admin", "--organisation", "{school}"], PASSWORD, "no organisation"),
        (
            ["--role", "teacher", "--organisation", "{school}", "--workplace-id", "1"],
            PASSWORD,
            "workplace",
        ),
        (["--role", "counsellor", "--organisation", "{school}"], "kort", "12"),
        (["--role", "counsellor", "--organisation", "{school}"], "", "12"),
    ],
)
def test_create_user_refuses_bad_input_and_stores_nothing(runner, db, extra, password, message):
    school = factories.organisation(OrganisationKind.SCHOOL)
    db.session.commit()
    extra = [a.format(school=school.code) for a in extra]
    result = _create(runner, *extra, password=password)
    assert result.exit_code != 0
    assert message in result.output
    assert _count(db, User) == 0 and _count(db, Membership) == 0


@pytest.mark.parametrize(
    ("email", "name"),
    [("ikke-en-adresse", "Ny"), ("a@b", "Ny"), ("ny@example.org", "<script>"), ("ny@x.dk", " ")],
)
def test_create_user_refuses_a_bad_email_or_name(runner, db, email, name):
    result = runner.invoke(
        args=["create-user", "--email", email, "--name", name, "--role", "system_admin"],
        input=f"{PASSWORD}\n",
    )
    assert result.exit_code != 0
    assert _count(db, User) == 0


def test_create_user_refuses_a_taken_email_whatever_its_case(runner, db):
    school = factories.organisation(OrganisationKind.SCHOOL)
    factories.user(Role.TEACHER, school, email="taken@example.org")
    db.session.commit()
    result = _create(
        runner, "--role", "counsellor", "--organisation", school.code, email="TAKEN@Example.org"
    )
    assert result.exit_code != 0
    assert "already exists" in result.output
    assert _count(db, User) == 1


# --- other commands -----------------------------------------------------------------------


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
