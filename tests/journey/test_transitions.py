"""Upcoming transitions, 'starting soon', and training agreements."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.journey import handovers
from app.models import (
    CaseEvent,
    CaseEventKind,
    Enrolment,
    PeriodKind,
    Role,
    StudentStatus,
    TrainingAgreement,
)
from tests import factories
from tests.conftest import login, post
from tests.journey.journeys import gf2_then_ssa

TODAY = date.today()


def _moving(world, last_name, days, side="a", note=False, acknowledged=False, to_school=False):
    """A student who changes place in `days` days (school → workplace unless `to_school`)."""
    s_ = getattr(world, side)
    s = factories.student(s_.school, last_name=last_name, employer=s_.municipality)
    first_kind, second_kind = (
        (PeriodKind.TRAINING, PeriodKind.SCHOOL)
        if to_school
        else (PeriodKind.SCHOOL, PeriodKind.TRAINING)
    )
    first = factories.period(
        s,
        first_kind,
        TODAY - timedelta(days=50),
        TODAY + timedelta(days=days - 1),
        s_.workplace if first_kind == PeriodKind.TRAINING else None,
    )
    second = factories.period(
        s,
        second_kind,
        TODAY + timedelta(days=days),
        TODAY + timedelta(days=days + 60),
        s_.workplace if second_kind == PeriodKind.TRAINING else None,
    )
    if note:
        n = factories.handover_note(s, first, second)
        if acknowledged:
            n.acknowledged_at = n.written_at
    return s


def _row(table: str, text: str) -> str:
    return next(row for row in table.split("<tr") if text in row)


@pytest.fixture
def moves(db, world):
    _moving(world, "Mangler", 3)
    _moving(world, "Skrevet", 10, note=True)
    _moving(world, "Kvitteret", 20, note=True, acknowledged=True)
    _moving(world, "Tilbage", 5, to_school=True)
    _moving(world, "Fjern", 60)  # outside the default 4 weeks
    _moving(world, "Anden", 4, side="b")  # another school and municipality
    # No transition: two school periods in a row.
    s = factories.student(world.a.school, last_name="Samme")
    factories.period(s, PeriodKind.SCHOOL, TODAY - timedelta(days=20), TODAY + timedelta(days=1))
    factories.period(s, PeriodKind.SCHOOL, TODAY + timedelta(days=2), TODAY + timedelta(days=40))
    db.session.commit()


@pytest.mark.parametrize("role", [Role.COUNSELLOR, Role.TRAINING_COORDINATOR])
def test_upcoming_transitions_with_handover_status(client, world, moves, role):
    login(client, world.user(role))
    page = client.get("/transitions").text
    table = page.split('data-testid="transitions-table"')[1].split("</table>")[0]
    for name in ("Mangler", "Skrevet", "Kvitteret", "Tilbage"):
        assert name in table
    for name in ("Fjern", "Anden", "Samme"):
        assert name not in table
    assert 'handover-status">Mangler<' in _row(table, "Mangler,")
    assert 'handover-status">Skrevet<' in _row(table, "Skrevet,")
    assert 'handover-status">Kvitteret<' in _row(table, "Kvitteret,")
    assert "4 resultater" in page

    assert "Fjern" in client.get("/transitions?weeks=12").text
    filtered = client.get("/transitions?status=missing").text
    assert "Mangler," in filtered and "Kvitteret," not in filtered


@pytest.mark.parametrize("query", ["weeks=0", "weeks=abc", "weeks=99", "status=later"])
def test_bad_list_filters_show_an_error_not_a_500(client, world, moves, query):
    login(client, world.user(Role.COUNSELLOR))
    response = client.get(f"/transitions?{query}")
    assert response.status_code == 200
    assert "form-error-message" in response.text


def test_starting_soon_lists_arrivals_at_my_workplace(client, world, moves):
    login(client, world.user(Role.SUPERVISOR))
    page = client.get("/starting-soon").text
    table = page.split('data-testid="starting-soon-table"')[1].split("</table>")[0]
    for name in ("Mangler", "Skrevet"):
        assert name in table
    assert "Tilbage" not in table  # leaving for school, not arriving
    assert "Anden" not in table  # another municipality's workplace
    # A supervisor sees a student only from SUPERVISOR_DAYS_BEFORE (14) days before the start.
    assert "Kvitteret," not in table


def test_upcoming_transitions_run_a_bounded_number_of_queries(client, db, world, count_queries):
    login(client, world.user(Role.COUNSELLOR))
    _moving(world, "Først", 3, note=True)
    db.session.commit()
    with count_queries() as few:
        client.get("/transitions")
    for n in range(15):
        _moving(world, f"Flere{n:02d}", 3 + n, note=n % 2 == 0)
    db.session.commit()
    with count_queries() as many:
        response = client.get("/transitions")
    assert "Flere08" in response.text  # a full page was shown
    assert many.count == few.count
    assert many.count <= 12


def test_creating_an_agreement_lets_the_municipality_see_the_student(app, client, db, world):
    s = factories.student(world.a.school, last_name="Nyansat")
    db.session.commit()
    coordinator_b = app.test_client()
    login(coordinator_b, world.user(Role.TRAINING_COORDINATOR, "b"))
    assert coordinator_b.get(f"/students/{s.id}").status_code == 404

    login(client, world.user(Role.COUNSELLOR))
    response = post(
        client,
        f"/students/{s.id}/agreements/new",
        {
            "employer": str(world.b.municipality.id),
            "kind": "training",
            "start_date": TODAY.isoformat(),
            "end_date": "",
        },
    )
    assert response.status_code == 302
    assert coordinator_b.get(f"/students/{s.id}").status_code == 200
    assert db.session.execute(
        select(CaseEvent).where(
            CaseEvent.student_id == s.id, CaseEvent.kind == CaseEventKind.AGREEMENT_CREATED
        )
    ).first()


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"start_date": ""}, "start_date", "Skriv en dato."),
        ({"end_date": "2020-13-40"}, "end_date", "Ugyldig dato"),
        ({"employer": "abc"}, "employer", "Ugyldigt valg."),
        ({"kind": "forever"}, "kind", "Ugyldigt valg."),
        ({"end_date": (TODAY - timedelta(days=1)).isoformat()}, "end_date", "Slutdatoen skal"),
    ],
)
def test_agreement_form_rejects_bad_input(client, db, world, data, field, message):
    s = factories.student(world.a.school)
    db.session.commit()
    login(client, world.user(Role.COUNSELLOR))
    form = {
        "employer": str(world.a.municipality.id),
        "kind": "training",
        "start_date": TODAY.isoformat(),
        "end_date": "",
        **data,
    }
    response = post(client, f"/students/{s.id}/agreements/new", form)
    assert response.status_code == 200
    assert f'data-testid="error-{field}"' in response.text and message in response.text
    assert db.session.execute(select(TrainingAgreement).filter_by(student_id=s.id)).first() is None


def test_overlapping_agreement_is_refused(client, db, world):
    login(client, world.user(Role.COUNSELLOR))
    s = world.a.student
    response = post(
        client,
        f"/students/{s.id}/agreements/new",
        {
            "employer": str(world.b.municipality.id),
            "kind": "training",
            "start_date": TODAY.isoformat(),
            "end_date": "",
        },
    )
    assert response.status_code == 200
    assert "Datoerne overlapper en anden aftale" in response.text


def test_coordinator_can_only_make_agreements_with_own_municipality(client, db, world):
    login(client, world.user(Role.TRAINING_COORDINATOR))
    s = world.a.student
    page = client.get(f"/students/{s.id}/agreements/new").text
    assert world.a.municipality.name in page and world.b.municipality.name not in page


def test_a_student_who_dropped_out_has_no_upcoming_transitions(client, db, world, moves):
    student = _moving(world, "Stoppet", 6)
    student.status = StudentStatus.DROPPED_OUT
    student.dropout_date = TODAY
    db.session.commit()
    login(client, world.user(Role.COUNSELLOR))
    assert "Stoppet" not in client.get("/transitions").text
    assert "Mangler" in client.get("/transitions").text


# --- GF2 → main programme: a change of enrolment is a transition ----------------------------


def test_a_change_of_enrolment_is_a_transition_even_at_the_same_school(db, world):
    j = gf2_then_ssa(world.a, "Overgang")
    same_place = factories.period(
        j.student, PeriodKind.SCHOOL, TODAY + timedelta(days=80), TODAY + timedelta(days=120)
    )
    transitions = handovers.transitions_of([j.gf2_period, j.ssa_period, same_place], [])
    # GF2's school period → SSA's first school period, at the same school: a transition; SSA's
    # two school periods in a row are not.
    assert [(t.from_period, t.to_period) for t in transitions] == [(j.gf2_period, j.ssa_period)]
    assert transitions[0].changes_enrolment


@pytest.mark.parametrize("role", [Role.COUNSELLOR, Role.TRAINING_COORDINATOR])
def test_the_gf2_to_ssa_transition_is_listed_as_missing_a_note(client, db, world, role):
    gf2_then_ssa(world.a, "Grundsen", days=6)
    gf2_then_ssa(world.b, "Fremmedsen", days=6)
    db.session.commit()
    login(client, world.user(role))
    page = client.get("/transitions?status=missing").text
    table = page.split('data-testid="transitions-table"')[1].split("</table>")[0]
    assert 'handover-status">Mangler<' in _row(table, "Grundsen,")
    assert "Nyt uddannelsesforløb" in _row(table, "Grundsen,")
    assert "Fremmedsen" not in table


def test_the_school_writes_the_gf2_to_ssa_note_and_acknowledges_it_the_employer_reads_it(
    app, client, db, world
):
    j = gf2_then_ssa(world.a, "Skolesen", days=6)
    db.session.commit()
    url = f"/students/{j.student.id}/handovers/{j.ssa_period.id}"

    # The teacher is on the sending side: the note is on "My overview" and on the student page.
    login(client, world.user(Role.TEACHER))
    assert (
        "Skolesen"
        in client.get("/my-overview")
        .text.split('data-testid="part-notes_to_write"')[1]
        .split("</section>")[0]
    )
    page = client.get(f"/students/{j.student.id}").text
    row = _row(page.split('data-testid="transitions"')[1].split("</table>")[0], "GF2 skoleperiode")
    assert 'handover-status">Mangler<' in row and "GF2 → SSA" in row
    response = post(
        client,
        f"{url}/write",
        {
            "strengths": "Kvalificeret fra GF2, mødestabil.",
            "first_weeks": "Fast makker på holdet.",
            "contact_person": "Kontaktlærer",
            "challenges": "",
            "agreed_support": "",
        },
    )
    assert response.status_code == 302
    event = db.session.execute(
        select(CaseEvent).where(
            CaseEvent.student_id == j.student.id, CaseEvent.kind == CaseEventKind.HANDOVER_WRITTEN
        )
    ).scalar_one()
    assert event.user_id == world.user(Role.TEACHER).id

    # The receiving side is the school too (SSA starts there): the counsellor acknowledges it.
    counsellor = app.test_client()
    login(counsellor, world.user(Role.COUNSELLOR))
    overview = counsellor.get("/my-overview").text
    part = overview.split('data-testid="part-notes_to_acknowledge"')[1].split("</section>")[0]
    assert "Skolesen" in part
    assert 'data-testid="acknowledge"' in counsellor.get(url).text

    # The employer of the new programme reads it; a supervisor of neither period does not.
    coordinator = app.test_client()
    login(coordinator, world.user(Role.TRAINING_COORDINATOR))
    assert "Kvalificeret fra GF2" in coordinator.get(url).text
    supervisor = app.test_client()
    login(supervisor, world.user(Role.SUPERVISOR))
    assert supervisor.get(url).status_code == 404


def test_a_period_after_its_enrolment_ended_is_no_transition(client, db, world):
    """The student left SSA before its training period; re-enrolled, the old plan's period
    is not arrived at: neither the student page nor the list asks for a note for it."""
    s = factories.student(world.a.school, last_name="Gammelplan", employer=world.a.municipality)
    old = s.enrolments[0]
    school = factories.period(
        s, PeriodKind.SCHOOL, TODAY - timedelta(days=60), TODAY - timedelta(days=10)
    )
    never = factories.period(
        s,
        PeriodKind.TRAINING,
        TODAY + timedelta(days=5),
        TODAY + timedelta(days=60),
        world.a.workplace,
    )
    old.status, old.end_date = StudentStatus.DROPPED_OUT, TODAY - timedelta(days=10)
    again = Enrolment(
        programme=old.programme, school=world.a.school, start_date=TODAY + timedelta(days=90)
    )
    s.enrolments.append(again)
    db.session.flush()
    restart = factories.period(
        s, PeriodKind.SCHOOL, TODAY + timedelta(days=90), TODAY + timedelta(days=150)
    )
    db.session.commit()

    transitions = handovers.transitions_of([school, never, restart], [], s.enrolments)
    assert [t.to_period for t in transitions] == [restart]
    login(client, world.user(Role.COUNSELLOR))
    assert "Gammelplan" not in client.get("/transitions?weeks=4").text
    assert "Gammelplan" in client.get("/transitions?weeks=20").text  # the re-enrolment


def test_a_period_never_held_is_not_left_from_either(client, db, world):
    """Re-enrolled while the old plan still has a period ahead: the new plan's transitions run
    from the new plan's own periods, on the student page, in the list and on the note's page."""
    s = factories.student(world.a.school, last_name="Nyplan", employer=world.a.municipality)
    old = s.enrolments[0]
    school = factories.period(
        s, PeriodKind.SCHOOL, TODAY - timedelta(days=60), TODAY - timedelta(days=10)
    )
    never = factories.period(
        s, PeriodKind.TRAINING, TODAY + timedelta(days=5), TODAY + timedelta(days=60)
    )
    never.title = "Gammel oplæring"
    old.status, old.end_date = StudentStatus.DROPPED_OUT, TODAY - timedelta(days=10)
    again = Enrolment(
        programme=old.programme, school=world.a.school, start_date=TODAY - timedelta(days=5)
    )
    s.enrolments.append(again)
    db.session.flush()
    restart = factories.period(
        s, PeriodKind.SCHOOL, TODAY - timedelta(days=5), TODAY + timedelta(days=9)
    )
    restart.title = "Ny skoleperiode"
    training = factories.period(
        s,
        PeriodKind.TRAINING,
        TODAY + timedelta(days=10),
        TODAY + timedelta(days=60),
        world.a.workplace,
    )
    training.title = "Ny oplæring"
    db.session.commit()

    periods = [school, restart, never, training]
    transitions = handovers.transitions_of(periods, [], s.enrolments)
    assert [(t.from_period, t.to_period) for t in transitions] == [
        (school, restart),
        (restart, training),
    ]
    login(client, world.user(Role.COUNSELLOR))
    table = client.get("/transitions").text.split('data-testid="transitions-table"')[1]
    row = _row(table.split("</table>")[0], "Nyplan,")
    assert "Ny skoleperiode" in row and "Ny oplæring" in row and "Gammel oplæring" not in row
    page = client.get(f"/students/{s.id}/handovers/{training.id}").text
    assert "Fra Ny skoleperiode til Ny oplæring" in page
