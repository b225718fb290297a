"""The student page across enrolments: "Uddannelsesforløb" lists each programme the student has
been enrolled in, in order, with its school, class team, dates, status and outcome, and leaves;
the plan labels each period with its programme; no query per enrolment."""

from __future__ import annotations

from datetime import timedelta

from app.extensions import db
from app.models import ClassTeam, DropoutReason, Enrolment, Leave, PeriodKind, Role, StudentStatus
from tests import factories
from tests.conftest import login, post
from tests.journey.journeys import TODAY, gf2_then_ssa


def _section(page: str) -> str:
    return page.split('data-testid="enrolments"')[1].split("</section>")[0]


def _row(section: str, enrolment: Enrolment) -> str:
    return section.split(f'data-testid="enrolment-{enrolment.id}"')[1].split("</tr>")[0]


def test_the_enrolments_are_listed_in_order_with_their_outcome(client, world):
    j = gf2_then_ssa(world.a, "Forløbsen", days=-10)
    team = ClassTeam(
        school=world.a.school,
        code="SSA-26A",
        programme=j.ssa.programme,
        start_date=j.ssa.start_date,
    )
    j.ssa.class_team = team
    db.session.add(
        Leave(
            student_id=j.student.id,
            enrolment_id=j.ssa.id,
            start_date=TODAY + timedelta(days=3),
            end_date=TODAY + timedelta(days=40),
        )
    )
    db.session.commit()
    login(client, world.user(Role.SUPERVISOR, "b"))
    assert client.get(f"/students/{j.student.id}").status_code == 404  # as ever: access first
    post(client, "/logout")
    login(client, world.user(Role.COUNSELLOR))
    section = _section(client.get(f"/students/{j.student.id}").text)
    assert "Uddannelsesforløb" in section
    assert section.index(f"enrolment-{j.gf2.id}") < section.index(f"enrolment-{j.ssa.id}")
    gf2 = _row(section, j.gf2)
    assert "GF2" in gf2 and world.a.school.name in gf2
    assert "Gennemført, kvalificeret til hovedforløbet" in gf2
    assert "Resultat: Bestået" in gf2
    ssa = _row(section, j.ssa)
    assert "SSA" in ssa and "SSA-26A" in ssa and "Aktiv" in ssa
    assert "Orlov:" in ssa and "Orlov:" not in gf2


def test_a_dropout_shows_its_reason_and_the_period_it_happened_in(client, world):
    s = factories.student(world.a.school, last_name="Afbrudsen")
    enrolment = s.enrolments[0]
    period = factories.period(
        s, PeriodKind.SCHOOL, TODAY - timedelta(days=60), TODAY + timedelta(days=30)
    )
    period.title = "Skoleperiode 2"
    enrolment.status = s.status = StudentStatus.DROPPED_OUT
    enrolment.end_date = s.dropout_date = TODAY - timedelta(days=2)
    enrolment.dropout_reason = s.dropout_reason = DropoutReason.LANGUAGE
    enrolment.dropout_note = "Tilbydes sprogforløb."
    enrolment.dropout_period_id = period.id
    db.session.commit()
    login(client, world.user(Role.TEACHER))
    row = _row(_section(client.get(f"/students/{s.id}").text), enrolment)
    assert "Afbrudt, under Skoleperiode 2" in row
    assert "Årsag: Sproglige vanskeligheder – Tilbydes sprogforløb." in row
    # No class team and no leave: no empty columns for them.
    head = _section(client.get(f"/students/{s.id}").text).split("</thead>")[0]
    assert ">Hold<" not in head and ">Orlov<" not in head


def test_the_plan_labels_each_period_with_its_programme(client, world):
    j = gf2_then_ssa(world.a, "Planlæggesen")
    db.session.commit()
    login(client, world.user(Role.COUNSELLOR))
    page = client.get(f"/students/{j.student.id}").text
    plan = page.split('data-testid="periods"')[1].split("</table>")[0]
    gf2 = plan.split(f'data-testid="period-{j.gf2_period.id}"')[1].split("</tr>")[0]
    ssa = plan.split(f'data-testid="period-{j.ssa_period.id}"')[1].split("</tr>")[0]
    assert 'data-testid="period-programme">GF2<' in gf2
    assert 'data-testid="period-programme">SSA<' in ssa
    # A student with one enrolment has no such labels: every period is of that programme.
    page = client.get(f"/students/{world.a.student.id}").text
    assert 'data-testid="period-programme"' not in page


def test_the_student_page_runs_the_same_queries_however_many_enrolments(
    client, world, count_queries
):
    j = gf2_then_ssa(world.a, "Tællesen", days=-10)
    db.session.commit()
    login(client, world.user(Role.COUNSELLOR))
    url = f"/students/{j.student.id}"
    with count_queries() as few:
        assert client.get(url).status_code == 200
    # Three more enrolments, each with a period, a class team and a leave; and the student's
    # contact teacher and counsellor named on the page.
    j.student.contact_teacher = world.a.users[Role.TEACHER]
    j.student.counsellor = world.a.users[Role.COUNSELLOR]
    for n in range(3):
        start = TODAY + timedelta(days=100 + 60 * n)
        enrolment = Enrolment(
            programme=factories.programme(["SSH", "PA", "EUX_PA"][n]),
            school=world.a.school if n != 1 else world.b.school,
            class_team=ClassTeam(
                school=world.a.school,
                code=f"HOLD-{n}",
                programme=j.ssa.programme,
                start_date=start,
            ),
            start_date=start,
        )
        j.student.enrolments.append(enrolment)
        db.session.flush()
        factories.period(j.student, PeriodKind.SCHOOL, start, start + timedelta(days=50))
        db.session.add(
            Leave(
                student_id=j.student.id,
                enrolment_id=enrolment.id,
                start_date=start + timedelta(days=5),
                end_date=start + timedelta(days=9),
            )
        )
    db.session.commit()
    with count_queries() as many:
        page = client.get(url).text
    assert "HOLD-2" in page and "EUX PA" in page
    assert world.a.users[Role.TEACHER].name in page.split('data-testid="contact-teacher"')[1]
    assert many.count == few.count
    # As for a student with one enrolment (tests/students/test_students.py), and one for the
    # student's own access, which the counsellor sees (app.students.accounts.access_of), the
    # legal hold in force (app.retention), and two for the signs of risk (app.risk: the rules,
    # and every rule in one statement).
    assert many.count <= 16
