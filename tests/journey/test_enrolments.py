"""A student's enrolments and statuses: completion (qualified or not), a new enrolment with what
carries over, leave, dropout with its period, re-enrolment and transfer (issue 15)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.models import (
    AgreementKind,
    AuditAction,
    AuditEvent,
    CaseEvent,
    CaseEventKind,
    Consent,
    ConsentCategory,
    Leave,
    MeasureStatus,
    MeasureType,
    Membership,
    OrganisationKind,
    Period,
    PeriodKind,
    PeriodStatus,
    Programme,
    Role,
    StudentStatus,
    SupportNeedStatus,
    TemplatePeriod,
)
from tests import factories
from tests.conftest import login, post

TODAY = date.today()


def _programme(db, code: str) -> Programme:
    return factories.programme(code)


def _kinds(db, student) -> list[CaseEventKind]:
    return list(
        db.session.execute(
            select(CaseEvent.kind).where(CaseEvent.student_id == student.id).order_by(CaseEvent.id)
        ).scalars()
    )


def _support_reads(db, student) -> int:
    """Lines in the access log for reads of the student's support data."""
    query = select(AuditEvent).where(
        AuditEvent.student_id == student.id,
        AuditEvent.criterion == "support",
        AuditEvent.action == AuditAction.VIEW,
    )
    return len(db.session.execute(query).scalars().all())


def _complete(client, student, **data):
    form = {
        "date": (TODAY - timedelta(days=1)).isoformat(),
        "result": "Bestået",
        "qualified": "yes",
        "version": str(student.version_id),
    }
    form.update(data)
    return post(client, f"/students/{student.id}/complete", form)


def _enrol(client, student, programme, school, start: date, action="preview", **data):
    form = {
        "programme": str(programme.id),
        "school": str(school.id),
        "start_date": start.isoformat(),
        "class_team": "",
        "create_plan": "y",
        "version": str(student.version_id),
        "action": action,
    }
    if action == "confirm":
        form["previewed"] = f"{school.id}:{start.isoformat()}"
    form.update(data)
    return post(client, f"/students/{student.id}/enrol", form)


@pytest.fixture
def gf2(db, world):
    """A GF2 student at school A, employed as an adult from GF2 by another municipality (which
    does not continue), with a training agreement with municipality A for SSA from next week; a
    support need and measure, a consent to each employer and one to the school itself."""
    a = world.a
    counsellor = a.users[Role.COUNSELLOR]
    s = factories.student(a.school, "GF2", first_name="Gry", last_name="Grundforløb")
    factories.period(s, PeriodKind.SCHOOL, TODAY - timedelta(days=140), TODAY - timedelta(days=1))
    earlier = factories.organisation(OrganisationKind.MUNICIPALITY, "Kommune Før")
    factories.agreement(
        s,
        earlier,
        start=TODAY - timedelta(days=140),
        end=TODAY - timedelta(days=1),
        kind=AgreementKind.ADULT_BASIC,
    )
    factories.agreement(s, a.municipality, start=TODAY + timedelta(days=7))
    need = factories.support_need(s, "dyslexia", counsellor, "Ordblind, læser langsomt")
    measure = factories.support_measure(s, MeasureType.MENTOR, counsellor, "Mentor", need)
    to_employer = factories.consent(s, ConsentCategory.SUPPORT_NEEDS, a.municipality, counsellor)
    to_earlier = factories.consent(s, ConsentCategory.SUPPORT_NEEDS, earlier, counsellor)
    to_school = factories.consent(s, ConsentCategory.SPS, a.school, counsellor)
    db.session.commit()
    return s, need, measure, to_employer, to_earlier, to_school


def test_gf2_student_completes_qualified_and_continues_in_ssa_with_support(client, db, world, gf2):
    student, need, measure, to_employer, to_earlier, to_school = gf2
    counsellor = world.a.users[Role.COUNSELLOR]
    login(client, counsellor)
    assert "Registrér gennemførelse" in client.get(f"/students/{student.id}").text

    response = _complete(client, student)
    assert response.status_code == 302
    db.session.refresh(student)
    gf2_enrolment = student.enrolments[-1]
    assert student.status == StudentStatus.COMPLETED
    assert gf2_enrolment.status == StudentStatus.COMPLETED
    assert gf2_enrolment.qualified is True and gf2_enrolment.result == "Bestået"
    assert gf2_enrolment.end_date == TODAY - timedelta(days=1)
    page = client.get(f"/students/{student.id}").text
    assert "Indskriv på en ny uddannelse" in page and "Registrér gennemførelse" not in page

    ssa, start = _programme(db, "SSA"), TODAY + timedelta(days=7)
    db.session.add(
        TemplatePeriod(
            programme_id=ssa.id, position=1, kind=PeriodKind.SCHOOL, title="SSA 1", weeks=10
        )
    )
    db.session.commit()
    reads_before = _support_reads(db, student)
    preview = _enrol(client, student, ssa, world.a.school, start)
    assert preview.status_code == 200
    text = preview.text
    assert 'data-testid="carry-over"' in text
    carried = text.split('data-testid="carried-over"')[1].split("</ul>")[0]
    ended = text.split('data-testid="not-carried-over"')[1].split("</ul>")[0]
    assert "Ordblindhed" in carried and "Mentor" in carried
    assert "Kommune A" in carried and "SOSU-skole A" in carried
    assert "Kommune Før" in ended and "modtageren fortsætter ikke" in ended
    db.session.refresh(student)
    assert len(student.enrolments) == 1  # nothing stored by the preview
    assert _support_reads(db, student) == reads_before + 1  # the preview read support data

    response = _enrol(client, student, ssa, world.a.school, start, action="confirm")
    assert response.status_code == 302
    db.session.refresh(student)
    assert [e.programme.code for e in student.enrolments] == ["GF2", "SSA"]
    assert student.programme.code == "SSA" and student.status == StudentStatus.ACTIVE
    assert student.school_id == world.a.school.id
    for row in (need, measure, to_employer, to_earlier, to_school):
        db.session.refresh(row)
    assert need.status == SupportNeedStatus.ACTIVE and measure.status == MeasureStatus.ACTIVE
    assert to_employer.valid_to is None and to_school.valid_to is None
    assert to_earlier.valid_to == start - timedelta(days=1)

    # GF2's last period → SSA's first is a transition that asks the school for a handover note.
    page = client.get(f"/students/{student.id}").text
    transitions = page.split('data-testid="transitions"')[1].split("</table>")[0]
    assert "GF2 → SSA" in transitions and 'handover-status">Mangler<' in transitions

    # The case file runs on: lines from GF2 and the new ones, in one history.
    history = client.get(f"/students/{student.id}/history").text
    assert "GF2 gennemført" in history and "kvalificeret til hovedforløbet" in history
    assert "Indskrevet på SSA" in history and "(før GF2)" in history
    assert "Samtykke ophørt" in history and "Kommune Før" in history
    assert "Videreført til SSA: 1 støttebehov, 1 støtteforanstaltninger, 2 samtykker" in history
    # The counsellor still reads the need at the same school.
    support_page = client.get(f"/students/{student.id}/support").text
    assert "Ordblind, læser langsomt" in support_page


def test_a_basic_course_asks_whether_the_student_is_qualified(client, db, world, gf2):
    student = gf2[0]
    login(client, world.a.users[Role.SCHOOL_ADMIN])
    response = _complete(client, student, qualified="")
    assert response.status_code == 200
    assert 'data-testid="error-qualified"' in response.text
    assert "Angiv, om eleven er kvalificeret til hovedforløbet." in response.text
    assert 'value="Bestået"' in response.text  # what was typed is kept
    db.session.refresh(student)
    assert student.status == StudentStatus.ACTIVE

    response = _complete(client, student, qualified="no", result="Ikke bestået")
    assert response.status_code == 302
    db.session.refresh(student)
    assert student.enrolments[-1].qualified is False
    assert CaseEventKind.BASIC_COURSE_NOT_QUALIFIED in _kinds(db, student)


def test_a_main_programme_completes_without_the_question(client, db, world):
    student = world.a.student  # SSA
    login(client, world.a.users[Role.COUNSELLOR])
    assert (
        "Kvalificeret til hovedforløbet" not in client.get(f"/students/{student.id}/complete").text
    )
    response = _complete(client, student, qualified="")
    assert response.status_code == 302
    db.session.refresh(student)
    assert student.enrolments[-1].qualified is None
    assert student.status == StudentStatus.COMPLETED
    assert _kinds(db, student)[-1] == CaseEventKind.ENROLMENT_COMPLETED


def test_completion_date_before_the_start_is_refused_at_the_field(client, db, world):
    student = world.a.student
    login(client, world.a.users[Role.COUNSELLOR])
    response = _complete(client, student, date="2001-01-01")
    assert response.status_code == 200
    assert 'data-testid="error-date"' in response.text
    assert "Datoen kan ikke ligge før indskrivningens start" in response.text


def test_a_stale_completion_is_refused(client, db, world):
    student = world.a.student
    login(client, world.a.users[Role.COUNSELLOR])
    response = _complete(client, student, version=str(student.version_id - 1))
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).text
    assert "En anden har ændret dette, mens du redigerede." in page
    db.session.refresh(student)
    assert student.status == StudentStatus.ACTIVE


def test_enrolment_is_refused_while_the_current_one_runs_and_before_it_ended(
    client, db, world, gf2
):
    student = gf2[0]
    login(client, world.a.users[Role.COUNSELLOR])
    ssa = _programme(db, "SSA")
    page = client.get(f"/students/{student.id}/enrol").text
    assert "Eleven er stadig indskrevet på GF2" in page
    response = _enrol(client, student, ssa, world.a.school, TODAY + timedelta(days=7))
    assert "Eleven er stadig indskrevet på GF2" in response.text
    assert 'data-testid="carry-over"' not in response.text

    assert _complete(client, student).status_code == 302
    db.session.refresh(student)
    response = _enrol(client, student, ssa, world.a.school, TODAY - timedelta(days=1))
    assert 'data-testid="error-start_date"' in response.text
    assert "Den nye indskrivning skal starte efter, at den forrige sluttede" in response.text
    # A confirmation for other dates than those previewed shows the preview again.
    start = TODAY + timedelta(days=7)
    response = _enrol(
        client, student, ssa, world.a.school, start, action="confirm", previewed="x:2020-01-01"
    )
    assert response.status_code == 200 and 'data-testid="carry-over"' in response.text
    db.session.refresh(student)
    assert len(student.enrolments) == 1


def test_a_new_school_carries_nothing_over_and_cannot_read_the_old_records(client, db, world, gf2):
    student, need, measure, to_employer, to_earlier, to_school = gf2
    counsellor = world.a.users[Role.COUNSELLOR]
    # The counsellor also enrols at school B (e.g. a shared administration).
    db.session.add(Membership(user=counsellor, role=Role.COUNSELLOR, organisation=world.b.school))
    db.session.commit()
    login(client, counsellor)
    assert _complete(client, student).status_code == 302
    db.session.refresh(student)
    ssa, start = _programme(db, "SSA"), TODAY + timedelta(days=7)
    preview = _enrol(client, student, ssa, world.b.school, start).text
    assert "En anden skole: intet videreføres." in preview
    assert "Intet." in preview.split('data-testid="carried-over"')[1][:40]
    assert _enrol(client, student, ssa, world.b.school, start, action="confirm").status_code == 302

    for row in (need, measure, to_employer, to_earlier, to_school):
        db.session.refresh(row)
    assert need.status == SupportNeedStatus.RESOLVED
    assert need.resolved_on == start - timedelta(days=1)
    assert measure.status == MeasureStatus.ENDED and measure.end_date == start - timedelta(days=1)
    assert all(
        c.valid_to == start - timedelta(days=1) for c in (to_employer, to_earlier, to_school)
    )
    db.session.refresh(student)
    assert student.school_id == world.b.school.id

    # School B's own counsellor sees the student, but not school A's support records.
    post(client, "/logout")
    login(client, world.b.users[Role.COUNSELLOR])
    support = client.get(f"/students/{student.id}/support")
    assert support.status_code == 200
    assert "Ordblind, læser langsomt" not in support.text
    assert client.get(f"/students/{student.id}/support/needs/{need.id}/edit").status_code == 404
    assert client.get(f"/students/{student.id}/support/measures/{measure.id}").status_code == 404
    # Nor school A's support lines in the case history; the rest of the case file runs on.
    history = client.get(f"/students/{student.id}/history").text
    assert "Støttebehov registreret" not in history and "Ordblindhed" not in history
    assert "GF2 gennemført" in history and "Indskrevet på SSA" in history
    # What school B records itself, it reads.
    factories.support_need(student, "dyscalculia", world.b.users[Role.COUNSELLOR], "Talblind B")
    db.session.commit()
    assert "Talblind B" in client.get(f"/students/{student.id}/support").text
    # School A no longer sees the student at all.
    post(client, "/logout")
    login(client, world.a.users[Role.TEACHER])
    assert client.get(f"/students/{student.id}").status_code == 404


@pytest.fixture
def later(db, world):
    """World student A: school period (ended), training period now, a school period after."""
    s = world.a.student
    period = factories.period(
        s, PeriodKind.SCHOOL, TODAY + timedelta(days=111), TODAY + timedelta(days=150)
    )
    db.session.commit()
    return period


def test_leave_shifts_the_plan_and_ending_it_makes_the_student_active(client, db, world, later):
    student = world.a.student
    school, training = world.a.school_period, world.a.training_period
    before = (school.start_date, school.end_date, training.end_date, later.start_date)
    login(client, world.a.users[Role.COUNSELLOR])
    response = post(
        client,
        f"/students/{student.id}/leave",
        {
            "start_date": TODAY.isoformat(),
            "end_date": (TODAY + timedelta(days=13)).isoformat(),
            "reason": "Barsel",
            "version": str(student.version_id),
        },
    )
    assert response.status_code == 302
    for row in (student, school, training, later):
        db.session.refresh(row)
    assert student.status == StudentStatus.ON_LEAVE
    assert student.enrolments[-1].status == StudentStatus.ON_LEAVE
    assert (school.start_date, school.end_date) == before[:2]  # before the leave: unchanged
    assert training.end_date == before[2] + timedelta(days=14)
    assert training.original_end_date == before[2]
    assert later.start_date == before[3] + timedelta(days=14)
    assert later.end_date == TODAY + timedelta(days=164)
    page = client.get(f"/students/{student.id}").text
    assert "Afslut orlov" in page and "Registrér orlov" not in page

    response = post(
        client,
        f"/students/{student.id}/leave/end",
        {"date": (TODAY + timedelta(days=14)).isoformat(), "version": str(student.version_id)},
    )
    assert response.status_code == 302
    db.session.refresh(student)
    assert student.status == StudentStatus.ACTIVE
    leave = db.session.execute(select(Leave)).scalar_one()
    assert leave.ended_on == TODAY + timedelta(days=14) and leave.reason == "Barsel"
    history = client.get(f"/students/{student.id}/history").text
    assert "Orlov" in history and "planen rykkes 14 dage" in history
    assert "Tilbage fra orlov" in history


def test_an_early_return_from_leave_moves_the_plan_back(client, db, world, later):
    student, training = world.a.student, world.a.training_period
    before = (training.end_date, later.start_date, later.end_date)
    login(client, world.a.users[Role.COUNSELLOR])
    leave = {
        "start_date": TODAY.isoformat(),
        "end_date": (TODAY + timedelta(days=29)).isoformat(),  # 30 days planned
        "version": str(student.version_id),
    }
    assert post(client, f"/students/{student.id}/leave", leave).status_code == 302
    db.session.refresh(student)
    back = TODAY + timedelta(days=10)  # back after 10 days
    response = post(
        client,
        f"/students/{student.id}/leave/end",
        {"date": back.isoformat(), "version": str(student.version_id)},
    )
    assert response.status_code == 302
    db.session.refresh(training)
    db.session.refresh(later)
    assert training.end_date == before[0] + timedelta(days=10)
    assert training.original_end_date == before[0]
    assert (later.start_date, later.end_date) == (
        before[1] + timedelta(days=10),
        before[2] + timedelta(days=10),
    )
    history = client.get(f"/students/{student.id}/history").text
    assert "i stedet for" in history and "planen følger med" in history


def test_leave_that_would_move_the_plan_out_of_the_window_is_refused(client, db, world, later):
    student = world.a.student
    later.end_date = date(2100, 12, 25)
    db.session.commit()
    login(client, world.a.users[Role.COUNSELLOR])
    response = post(
        client,
        f"/students/{student.id}/leave",
        {
            "start_date": TODAY.isoformat(),
            "end_date": (TODAY + timedelta(days=30)).isoformat(),
            "version": str(student.version_id),
        },
    )
    assert response.status_code == 200
    assert 'data-testid="error-end_date"' in response.text
    assert "Orloven ville rykke planen uden for de tilladte datoer" in response.text
    db.session.refresh(world.a.training_period)
    assert world.a.training_period.original_end_date is None
    db.session.refresh(student)
    assert student.status == StudentStatus.ACTIVE
    assert db.session.execute(select(Leave)).first() is None


def test_leave_end_before_start_is_refused_at_the_field(client, db, world):
    student = world.a.student
    login(client, world.a.users[Role.COUNSELLOR])
    response = post(
        client,
        f"/students/{student.id}/leave",
        {
            "start_date": TODAY.isoformat(),
            "end_date": (TODAY - timedelta(days=3)).isoformat(),
            "version": str(student.version_id),
        },
    )
    assert 'data-testid="error-end_date"' in response.text
    assert "Slutdatoen skal være samme dag som eller efter startdatoen." in response.text


def _dropout(client, student, on: date, reason="academic", note=""):
    return post(
        client,
        f"/students/{student.id}/dropout",
        {
            "date": on.isoformat(),
            "reason": reason,
            "note": note,
            "version": str(student.version_id),
        },
    )


def test_dropout_in_a_period_names_it(client, db, world):
    student, training = world.a.student, world.a.training_period
    training.title = "Oplæringsperiode 1"
    db.session.commit()
    login(client, world.a.users[Role.COUNSELLOR])
    assert _dropout(client, student, TODAY, note="Fik job i Netto").status_code == 302
    db.session.refresh(student)
    enrolment = student.enrolments[-1]
    assert enrolment.status == StudentStatus.DROPPED_OUT and enrolment.end_date == TODAY
    assert enrolment.dropout_period_id == training.id and not enrolment.dropout_at_transition
    assert enrolment.dropout_note == "Fik job i Netto"
    history = client.get(f"/students/{student.id}/history").text
    assert "i Oplæringsperiode 1 (Faglige vanskeligheder)" in history


def test_dropout_on_the_first_day_after_a_transition_is_at_the_transition(client, db, world):
    student, training = world.a.student, world.a.training_period
    training.title = "Oplæringsperiode 1"
    db.session.commit()
    login(client, world.a.users[Role.TRAINING_COORDINATOR])
    assert _dropout(client, student, training.start_date).status_code == 302
    db.session.refresh(student)
    enrolment = student.enrolments[-1]
    assert enrolment.dropout_period_id == training.id and enrolment.dropout_at_transition
    history = client.get(f"/students/{student.id}/history").text
    assert "før start på Oplæringsperiode 1" in history


def test_dropout_between_two_periods_is_at_the_transition_to_the_next(client, db, world, later):
    student = world.a.student
    later.title = "Skoleperiode 3"
    later.start_date = world.a.training_period.end_date + timedelta(days=10)
    db.session.commit()
    login(client, world.a.users[Role.COUNSELLOR])
    gap = world.a.training_period.end_date + timedelta(days=3)
    assert _dropout(client, student, gap).status_code == 302
    db.session.refresh(student)
    enrolment = student.enrolments[-1]
    assert enrolment.dropout_period_id == later.id and enrolment.dropout_at_transition


def test_re_enrolment_after_dropout_starts_a_new_plan_and_shows_in_the_history(
    client, db, world, later
):
    student = world.a.student
    login(client, world.a.users[Role.COUNSELLOR])
    assert _dropout(client, student, TODAY - timedelta(days=5)).status_code == 302
    db.session.refresh(student)
    page = client.get(f"/students/{student.id}").text
    assert 'data-testid="enrol-link"' in page and "Genoptag" in page

    templated = _programme(db, "TEST")  # two school periods of 10 weeks in its template
    start = TODAY + timedelta(days=200)  # after the rest of the old plan
    _enrol(client, student, templated, world.a.school, start)
    response = _enrol(client, student, templated, world.a.school, start, action="confirm")
    assert response.status_code == 302
    db.session.refresh(student)
    new = student.enrolments[-1]
    assert len(student.enrolments) == 2 and new.programme.code == "TEST"
    assert student.status == StudentStatus.ACTIVE
    assert student.dropout_date is None and student.dropout_reason is None
    periods = db.session.execute(select(Period).where(Period.enrolment_id == new.id)).scalars()
    assert [p.start_date for p in periods] == [start, start + timedelta(weeks=10)]
    # The old enrolment's later periods will not happen, even now the dropout date is cleared.
    for period in (world.a.training_period, later):
        db.session.refresh(period)
        assert period.status == PeriodStatus.INTERRUPTED
        assert period.status_on(TODAY) == PeriodStatus.INTERRUPTED
    history = client.get(f"/students/{student.id}/history").text
    assert "Afbrudt" in history and "Indskrevet på TEST" in history and "(før SSA)" in history
    kinds = _kinds(db, student)
    assert kinds.index(CaseEventKind.DROPPED_OUT) < kinds.index(CaseEventKind.ENROLLED)
    assert kinds[-1] == CaseEventKind.PLAN_CREATED


def test_transfer_ends_the_enrolment_without_a_dropout(client, db, world):
    student = world.a.student
    login(client, world.a.users[Role.SCHOOL_ADMIN])
    response = post(
        client,
        f"/students/{student.id}/transfer",
        {"date": TODAY.isoformat(), "destination": "SOSU Fyn", "version": student.version_id},
    )
    assert response.status_code == 302
    db.session.refresh(student)
    assert student.status == StudentStatus.TRANSFERRED and student.dropout_date is None
    enrolment = student.enrolments[-1]
    assert enrolment.status == StudentStatus.TRANSFERRED and enrolment.end_date == TODAY
    assert CaseEventKind.DROPPED_OUT not in _kinds(db, student)
    page = client.get(f"/students/{student.id}").text
    assert "Overflyttet til anden skole" in page
    assert "Overflyttet" in client.get(f"/students/{student.id}/history").text


def test_transfer_needs_the_new_school(client, db, world):
    student = world.a.student
    login(client, world.a.users[Role.COUNSELLOR])
    response = post(
        client,
        f"/students/{student.id}/transfer",
        {"date": TODAY.isoformat(), "destination": " ", "version": student.version_id},
    )
    assert response.status_code == 200 and 'data-testid="error-destination"' in response.text


def test_a_new_agreement_with_another_employer_is_a_change_of_employer(client, db, world):
    student = world.a.student
    other = world.b.municipality
    login(client, world.a.users[Role.COUNSELLOR])
    first = student.agreements[0]
    first.end_date = TODAY
    db.session.commit()
    response = post(
        client,
        f"/students/{student.id}/agreements/new",
        {
            "employer": str(other.id),
            "kind": "training",
            "start_date": (TODAY + timedelta(days=1)).isoformat(),
            "end_date": "",
        },
    )
    assert response.status_code == 302
    history = client.get(f"/students/{student.id}/history").text
    assert "Skiftet arbejdsgiver: Kommune A → Kommune B" in history


@pytest.mark.parametrize("role", [Role.TEACHER, Role.TRAINING_COORDINATOR, Role.SUPERVISOR])
def test_only_the_school_administration_changes_the_status(client, db, world, role):
    login(client, world.a.users[role])
    student = world.a.student
    for path in ("complete", "enrol", "leave", "leave/end", "transfer"):
        assert client.get(f"/students/{student.id}/{path}").status_code in (403, 404)
    page = client.get(f"/students/{student.id}").text
    assert "Registrér gennemførelse" not in page and "Registrér orlov" not in page


def test_other_school_staff_get_404(client, db, world):
    login(client, world.b.users[Role.COUNSELLOR])
    student = world.a.student
    for path in ("complete", "enrol", "leave", "leave/end", "transfer"):
        assert client.get(f"/students/{student.id}/{path}").status_code == 404
        assert _complete(client, student).status_code == 404
    db.session.refresh(student)
    assert student.status == StudentStatus.ACTIVE


def test_a_dropout_during_leave_ends_the_leave(client, db, world):
    student = world.a.student
    login(client, world.a.users[Role.COUNSELLOR])
    leave = {
        "start_date": TODAY.isoformat(),
        "end_date": (TODAY + timedelta(days=60)).isoformat(),
        "version": str(student.version_id),
    }
    assert post(client, f"/students/{student.id}/leave", leave).status_code == 302
    db.session.refresh(student)
    assert _dropout(client, student, TODAY + timedelta(days=20)).status_code == 302
    db.session.refresh(student)
    assert student.status == StudentStatus.DROPPED_OUT
    assert db.session.execute(select(Leave.ended_on)).scalar_one() == TODAY + timedelta(days=20)


def test_the_enrolment_preview_runs_a_fixed_number_of_queries(
    client, db, world, gf2, count_queries
):
    student = gf2[0]
    counsellor = world.a.users[Role.COUNSELLOR]
    login(client, counsellor)
    assert _complete(client, student).status_code == 302
    db.session.refresh(student)
    ssa, start = _programme(db, "SSA"), TODAY + timedelta(days=7)
    loaded = (ssa.id, world.a.school.id, student.id, student.version_id)  # no query in the count
    with count_queries() as few:
        assert "Ordblindhed" in _enrol(client, student, ssa, world.a.school, start).text
    for n in range(6):
        need = factories.support_need(student, "dyscalculia", counsellor, f"Behov {n}")
        factories.support_measure(student, MeasureType.MENTOR, counsellor, f"M {n}", need)
        municipality = factories.organisation(OrganisationKind.MUNICIPALITY, f"Kommune {n}")
        factories.consent(student, ConsentCategory.SUPPORT_NEEDS, municipality, counsellor)
    db.session.commit()
    assert (ssa.id, world.a.school.id, student.id, student.version_id) == loaded
    with count_queries() as many:
        page = _enrol(client, student, ssa, world.a.school, start).text
    assert page.count("Talblindhed") == 6 and "Kommune 5" in page
    assert many.count == few.count


def test_a_stale_enrolment_is_refused_and_nothing_is_stored(client, db, world, gf2):
    student = gf2[0]
    login(client, world.a.users[Role.COUNSELLOR])
    assert _complete(client, student).status_code == 302
    db.session.refresh(student)
    seen = student.version_id - 1  # opened before the completion was saved
    ssa, start = _programme(db, "SSA"), TODAY + timedelta(days=7)
    response = _enrol(
        client, student, ssa, world.a.school, start, action="confirm", version=str(seen)
    )
    assert response.status_code == 302
    assert "En anden har ændret dette" in client.get(response.headers["Location"]).text
    db.session.refresh(student)
    assert len(student.enrolments) == 1 and student.status == StudentStatus.COMPLETED
    ends = select(Consent.valid_to).where(Consent.student_id == student.id)
    assert db.session.execute(ends).scalars().all() == [None, None, None]
