"""The supervisor's records in a training period, and what the school sees of them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.models import (
    Absence,
    CaseEvent,
    CaseEventKind,
    GoalAssessment,
    LearningAgreement,
    MidEvaluation,
    Notification,
    NotificationKind,
    PeriodKind,
    Role,
    TrainingExperience,
    TrainingWarning,
)
from tests import factories
from tests.conftest import login, post

TODAY = date.today()


def _url(world, action: str = "training", period=None) -> str:
    period = period or world.a.training_period
    return f"/students/{world.a.student.id}/periods/{period.id}/{action}"


def _count(db, model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def _experience(**changes) -> dict:
    data = {
        "on_date": TODAY.isoformat(),
        "category": "professional",
        "what_happened": "Hjalp med morgenplejen hos to borgere.",
        "learned": "Forflytning med lift.",
        "work_on": "Dokumentation.",
        "version": "",
    }
    data.update(changes)
    return data


def test_supervisor_logs_an_experience_with_a_concern_and_the_school_sees_it(client, db, world):
    login(client, world.user(Role.SUPERVISOR))
    form = _experience(what_happened="Kom for sent tre dage i træk.", concern="y")
    assert post(client, _url(world, "experiences/new"), form).status_code == 302
    page = client.get(_url(world)).text
    assert "Kom for sent tre dage i træk." in page and 'data-testid="concern"' in page

    notified = (
        db.session.execute(
            select(Notification.user_id).where(
                Notification.kind == NotificationKind.CONCERN_RECORDED
            )
        )
        .scalars()
        .all()
    )
    assert world.user(Role.TEACHER).id in notified
    assert world.user(Role.SUPERVISOR).id not in notified

    post(client, "/logout")
    login(client, world.user(Role.TEACHER))
    listing = client.get("/from-training").text
    assert "Kom for sent tre dage i træk." in listing.split('data-testid="concerns"')[1]
    assert "Kom for sent" in client.get(_url(world)).text
    history = client.get(f"/students/{world.a.student.id}/history").text
    assert "Oplevelse fra oplæringen registreret" in history or "experience" in history.lower()


@pytest.mark.parametrize(
    "on, message",
    [
        (lambda p: p.start_date - timedelta(days=1), "Datoen skal ligge i perioden"),
        (lambda p: p.end_date + timedelta(days=1), "Datoen skal ligge i perioden"),
        (lambda p: TODAY + timedelta(days=1), "fremtiden"),
        (lambda p: None, "Skriv en dato."),
    ],
)
def test_experience_dates_outside_the_period_are_refused(client, db, world, on, message):
    login(client, world.user(Role.SUPERVISOR))
    before = _count(db, TrainingExperience)
    value = on(world.a.training_period)
    form = _experience(on_date=value.isoformat() if value else "", what_happened="Bevares 42")
    response = post(client, _url(world, "experiences/new"), form)
    assert response.status_code == 200
    assert message in response.text.split('data-testid="error-on_date"')[1][:300]
    assert "Bevares 42" in response.text
    assert _count(db, TrainingExperience) == before


def test_supervisor_assesses_goals(client, db, world):
    login(client, world.user(Role.SUPERVISOR))
    goals = factories.goals(world.a.student)
    assert len(goals) == 20
    form = {"assessed_on": TODAY.isoformat()}
    for n, goal in enumerate(goals):
        form[f"rows-{n}-goal"] = str(goal.id)
        form[f"rows-{n}-level"] = "routined" if n < 3 else ""
        form[f"rows-{n}-comment"] = "Sikker i hverdagen" if n == 0 else ""
    assert post(client, _url(world, "assessments"), form).status_code == 302
    stored = db.session.execute(select(GoalAssessment)).scalars().all()
    assert len(stored) == 3
    assert {a.assessed_by_id for a in stored} == {world.user(Role.SUPERVISOR).id}
    page = client.get(_url(world)).text
    row = page.split('data-testid="goal-1"')[1].split("</tr>")[0]
    assert "Sikker i hverdagen" in row
    event = db.session.execute(
        select(CaseEvent).where(CaseEvent.kind == CaseEventKind.GOALS_ASSESSED)
    ).scalar_one()
    assert event.details["count"] == 3


@pytest.mark.parametrize("problem", ["outside", "missing_goal", "foreign_goal", "bad_level"])
def test_assessment_refuses_bad_input(client, db, world, problem):
    login(client, world.user(Role.SUPERVISOR))
    goals = factories.goals(world.a.student)
    on = TODAY if problem != "outside" else world.a.training_period.end_date + timedelta(days=1)
    form = {"assessed_on": on.isoformat()}
    for n, goal in enumerate(goals):
        form[f"rows-{n}-goal"] = str(goal.id)
        form[f"rows-{n}-level"] = "routined"
    if problem == "missing_goal":
        del form["rows-19-goal"], form["rows-19-level"]
    if problem == "foreign_goal":
        form["rows-0-goal"] = "999999"
    if problem == "bad_level":
        form["rows-4-level"] = "expert"
    response = post(client, _url(world, "assessments"), form)
    assert response.status_code == 200
    assert "form-error-message" in response.text
    assert _count(db, GoalAssessment) == 0


def _second_workplace(db, world):
    """Student A also has a training period at another workplace of the same municipality,
    starting in 7 days: its supervisor sees the student, but not period 1's records."""
    other = factories.workplace(world.a.municipality, "Bosted Ekstra")
    supervisor = factories.user(Role.SUPERVISOR, world.a.municipality, other)
    start = world.a.training_period.end_date + timedelta(days=1)
    world.a.training_period.end_date = TODAY + timedelta(days=6)
    period = factories.period(
        world.a.student,
        PeriodKind.TRAINING,
        TODAY + timedelta(days=7),
        TODAY + timedelta(days=60),
        other,
    )
    db.session.commit()
    del start
    return supervisor, period


def test_a_supervisor_at_another_workplace_gets_404_on_this_periods_records(client, db, world):
    supervisor, own_period = _second_workplace(db, world)
    login(client, supervisor)
    assert client.get(f"/students/{world.a.student.id}").status_code == 200  # sees the student
    for action in ("training", "assessments", "experiences/new", "learning-agreement"):
        assert client.get(_url(world, action)).status_code == 404, action
    response = post(client, _url(world, "experiences/new"), _experience())
    assert response.status_code == 404
    assert world.a.experience.what_happened not in client.get(_url(world)).text
    # Their own period's page works.
    assert client.get(_url(world, "training", own_period)).status_code == 200


@pytest.mark.parametrize("role", [Role.TRAINING_COORDINATOR, Role.COUNSELLOR, Role.TEACHER])
def test_school_and_employer_read_but_do_not_write(client, db, world, role):
    login(client, world.user(role))
    page = client.get(_url(world))
    assert page.status_code == 200
    assert world.a.experience.what_happened in page.text
    assert world.a.warning.reason in page.text
    before = _count(db, TrainingExperience)
    assert post(client, _url(world, "experiences/new"), _experience()).status_code == 403
    assert _count(db, TrainingExperience) == before


def test_learning_agreement_meetings_must_be_in_the_period(client, db, world):
    login(client, world.user(Role.SUPERVISOR))
    period = world.a.training_period
    form = {
        "goals_for_period": "Mål 1–5 på rutineret niveau.",
        "agreed_support": "Fast kollega.",
        "meeting_1": period.start_date.isoformat(),
        "meeting_2": (period.end_date + timedelta(days=3)).isoformat(),
        "version": "",
    }
    response = post(client, _url(world, "learning-agreement"), form)
    assert response.status_code == 200
    assert "Datoen skal ligge i perioden" in response.text
    assert _count(db, LearningAgreement) == 0
    form["meeting_2"] = (period.start_date + timedelta(days=30)).isoformat()
    assert post(client, _url(world, "learning-agreement"), form).status_code == 302
    assert "Mål 1–5 på rutineret niveau." in client.get(_url(world)).text


def test_mid_evaluation_is_signed_and_acknowledged_by_the_school(client, db, world):
    for side in (world.a, world.b):  # the world's own; this test writes one from scratch
        db.session.delete(side.evaluation)
    db.session.commit()
    login(client, world.user(Role.SUPERVISOR))
    form = {
        "evaluated_on": TODAY.isoformat(),
        "on_track": "no",
        "comment": "Mangler sikkerhed i medicinhåndtering.",
        "next_steps": "Øve med vejleder.",
        "version": "",
    }
    response = post(client, _url(world, "mid-evaluation"), form)
    assert response.status_code == 200 and 'data-testid="error-signed"' in response.text
    assert _count(db, MidEvaluation) == 0
    assert post(client, _url(world, "mid-evaluation"), {**form, "signed": "y"}).status_code == 302
    evaluation = db.session.execute(select(MidEvaluation)).scalar_one()
    assert evaluation.signed_by_id == world.user(Role.SUPERVISOR).id
    assert evaluation.on_track is False
    # The supervisor cannot acknowledge for the school.
    ack = {"version": str(evaluation.version_id)}
    assert post(client, _url(world, "mid-evaluation/acknowledge"), ack).status_code == 403

    post(client, "/logout")
    login(client, world.user(Role.TEACHER))
    assert post(client, _url(world, "mid-evaluation/acknowledge"), ack).status_code == 302
    db.session.refresh(evaluation)
    assert evaluation.acknowledged_by_id == world.user(Role.TEACHER).id
    page = client.get(_url(world)).text
    assert world.user(Role.TEACHER).name in page.split('data-testid="evaluation-ack"')[1][:200]


def test_mid_evaluation_date_outside_the_period_is_refused(client, db, world):
    for side in (world.a, world.b):
        db.session.delete(side.evaluation)
    db.session.commit()
    login(client, world.user(Role.SUPERVISOR))
    form = {
        "evaluated_on": (world.a.training_period.start_date - timedelta(days=2)).isoformat(),
        "on_track": "yes",
        "comment": "Fint.",
        "signed": "y",
        "version": "",
    }
    response = post(client, _url(world, "mid-evaluation"), form)
    assert "Datoen skal ligge i perioden" in response.text
    assert _count(db, MidEvaluation) == 0


def test_warning_notifies_the_school_and_stays_in_their_list_until_followed_up(client, db, world):
    goals = factories.goals(world.a.student)
    login(client, world.user(Role.SUPERVISOR))
    form = {
        "reason": "Når næppe rutineret niveau i medicinhåndtering.",
        "goals": [str(goals[3].id), str(goals[4].id)],
        "agreed_actions": "Ekstra træning to gange om ugen.",
        "deadline": (TODAY + timedelta(days=20)).isoformat(),
    }
    assert post(client, _url(world, "warnings/new"), form).status_code == 302
    warning = db.session.execute(
        select(TrainingWarning).where(TrainingWarning.reason.startswith("Når næppe"))
    ).scalar_one()
    assert [g.number for g in warning.goals] == [4, 5]
    teacher = world.user(Role.TEACHER)
    assert db.session.execute(
        select(Notification).where(
            Notification.user_id == teacher.id,
            Notification.kind == NotificationKind.WARNING_GIVEN,
        )
    ).scalar_one()

    post(client, "/logout")
    login(client, teacher)
    listing = client.get("/from-training").text
    assert f'data-testid="open-warning-{warning.id}"' in listing
    follow = {"note": "Møde holdt med elev og vejleder.", "version": str(warning.version_id)}
    url = _url(world, f"warnings/{warning.id}/follow-up")
    assert post(client, url, follow).status_code == 302
    assert f'data-testid="open-warning-{warning.id}"' not in client.get("/from-training").text
    db.session.refresh(warning)
    assert warning.followed_up_by_id == teacher.id
    # A second follow-up is refused: it was already done.
    follow["version"] = str(warning.version_id)
    response = post(client, url, follow, follow_redirects=True)
    assert "allerede fulgt op" in response.text


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"goals": []}, "goals", "Vælg mindst ét mål."),
        ({"deadline": "PERIOD_END_PLUS"}, "deadline", "Datoen skal ligge i perioden"),
        ({"deadline": (TODAY - timedelta(days=1)).isoformat()}, "deadline", "fortiden"),
        ({"reason": ""}, "reason", "Udfyld feltet."),
    ],
)
def test_warning_refuses_bad_input(client, db, world, changes, field, message):
    goals = factories.goals(world.a.student)
    if changes.get("deadline") == "PERIOD_END_PLUS":
        changes = {"deadline": (world.a.training_period.end_date + timedelta(days=1)).isoformat()}
    login(client, world.user(Role.SUPERVISOR))
    before = _count(db, TrainingWarning)
    form = {
        "reason": "Bevares 77",
        "goals": [str(goals[0].id)],
        "agreed_actions": "Samtale.",
        "deadline": (TODAY + timedelta(days=5)).isoformat(),
        **changes,
    }
    response = post(client, _url(world, "warnings/new"), form)
    assert response.status_code == 200
    assert message in response.text.split(f'data-testid="error-{field}"')[1][:300]
    assert _count(db, TrainingWarning) == before


def test_absence_is_recorded_with_totals_and_must_be_in_the_period(client, db, world):
    login(client, world.user(Role.SUPERVISOR))
    start = world.a.training_period.start_date
    one = {
        "start_date": start.isoformat(),
        "end_date": (start + timedelta(days=2)).isoformat(),
        "kind": "illness",
        "note": "",
    }
    two = {
        "start_date": (start + timedelta(days=5)).isoformat(),
        "end_date": "",
        "kind": "child_illness",
        "note": "Barn syg",
    }
    assert post(client, _url(world, "absence"), one).status_code == 302
    assert post(client, _url(world, "absence"), two).status_code == 302
    totals = client.get(_url(world)).text.split('data-testid="absence-totals"')[1][:300]
    assert "4" in totals and "Sygdom: 3" in totals and "Barns sygdom: 1" in totals

    bad = {**one, "start_date": (start - timedelta(days=1)).isoformat()}
    response = post(client, _url(world, "absence"), bad)
    assert response.status_code == 200 and "Datoen skal ligge i perioden" in response.text
    assert _count(db, Absence) == 2


def test_period_page_runs_a_bounded_number_of_queries(client, db, world, count_queries):
    login(client, world.user(Role.TEACHER))
    url = _url(world)
    with count_queries() as few:
        client.get(url)
    supervisor = world.user(Role.SUPERVISOR)
    goals = factories.goals(world.a.student)
    for n in range(8):
        factories.experience(world.a.training_period, supervisor, f"Oplevelse {n}", n % 2 == 0)
        w = factories.warning(world.a.training_period, supervisor, f"Varsel {n}")
        w.goals = goals[:3]
        db.session.add(
            GoalAssessment(
                period_id=world.a.training_period.id,
                goal_id=goals[n].id,
                level="routined",
                assessed_on=TODAY,
                assessed_by_id=supervisor.id,
            )
        )
        db.session.add(
            Absence(
                period_id=world.a.training_period.id,
                start_date=TODAY,
                end_date=TODAY,
                kind="illness",
            )
        )
    db.session.commit()
    with count_queries() as many:
        page = client.get(url).text
    assert "Varsel 7" in page and "Oplevelse 7" in page
    assert many.count == few.count


def test_from_training_runs_a_bounded_number_of_queries(client, db, world, count_queries):
    login(client, world.user(Role.COUNSELLOR))
    with count_queries() as few:
        client.get("/from-training")
    supervisor = world.user(Role.SUPERVISOR)
    for n in range(6):
        s = factories.student(
            world.a.school,
            last_name=f"Liste{n}",
            employer=world.a.municipality,
            training_at=world.a.workplace,
        )
        period = db.session.execute(
            select(factories.Period).where(factories.Period.student_id == s.id)
        ).scalar_one()
        factories.warning(period, supervisor, f"Varsel {n}").goals = factories.goals(s)[:2]
        factories.experience(period, supervisor, f"Bekymring {n}", True)
    db.session.commit()
    with count_queries() as many:
        page = client.get("/from-training").text
    assert "Liste5" in page
    assert many.count == few.count


# --- a concern reaches the counsellor of an active support need (issue 12) --------------------


def _concern_receivers(db) -> set[int]:
    return set(
        db.session.execute(
            select(Notification.user_id).where(
                Notification.kind == NotificationKind.CONCERN_RECORDED
            )
        ).scalars()
    )


def test_a_concern_reaches_the_counsellor_of_an_active_support_need(client, db, world):
    teacher, counsellor = world.user(Role.TEACHER), world.user(Role.COUNSELLOR)
    # The school period has a responsible teacher, so the school's other people are not told.
    world.a.school_period.responsible_id = teacher.id
    other_counsellor = factories.user(Role.COUNSELLOR, world.a.school)
    db.session.commit()
    login(client, world.user(Role.SUPERVISOR))
    form = _experience(what_happened="Virker presset og træt.", concern="y")
    response = post(client, _url(world, "experiences/new"), form, follow_redirects=True)
    assert response.status_code == 200
    notified = _concern_receivers(db)
    assert teacher.id in notified
    assert counsellor.id in notified  # flagged the dyslexia need and owns its measure
    assert other_counsellor.id not in notified
    assert world.user(Role.SUPERVISOR).id not in notified
    # The workplace has no consent: nothing it is shown names the counsellor or the need.
    assert counsellor.name not in response.text
    assert "Ordblind" not in response.text


def test_no_counsellor_is_told_when_the_support_need_is_resolved(client, db, world):
    from app.models import SupportNeedStatus

    teacher, counsellor = world.user(Role.TEACHER), world.user(Role.COUNSELLOR)
    world.a.school_period.responsible_id = teacher.id
    world.a.need.status = SupportNeedStatus.RESOLVED
    world.a.measure.need_id = None
    db.session.commit()
    login(client, world.user(Role.SUPERVISOR))
    form = _experience(what_happened="Virker presset og træt.", concern="y")
    assert post(client, _url(world, "experiences/new"), form).status_code == 302
    notified = _concern_receivers(db)
    assert teacher.id in notified and counsellor.id not in notified
