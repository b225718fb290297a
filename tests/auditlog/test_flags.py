"""Flags for unusual reading: each rule finds a constructed case and stays quiet for ordinary
work (a counsellor reading their own students every day, a supervisor reading the students at
their workplace, a coordinator the students with agreements)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.auditlog import flags
from app.extensions import db
from app.models import AuditEvent, Role
from tests.auditlog.helpers import at, days_back, view
from tests.conftest import login
from tests.factories import student, user

# The log's days are Copenhagen's (app.models.base.today); a test run's date is the same
# (tests/clock.py keeps runs away from the hours where UTC's and Copenhagen's differ).
TODAY = date.today()
YESTERDAY = TODAY - timedelta(days=1)


def _flags(app, reviewer):
    with app.test_request_context():
        return flags.flags_for(reviewer, *flags.default_period(TODAY))


def _teacher_with_usual_days(world):
    """A contact teacher of four students who reads those four on each of 20 working days."""
    a = world.a
    teacher = user(Role.TEACHER, a.school, name="Lærer Lund")
    own = [student(a.school) for _ in range(4)]
    for s in own:
        s.contact_teacher_id = teacher.id
    for day in days_back(YESTERDAY, 20):
        for s in own:
            view(teacher, s, at(day))
    return teacher


def test_many_students_in_one_day_is_flagged_with_the_usual_level(app, client, world):
    teacher = _teacher_with_usual_days(world)
    for s in [student(world.a.school) for _ in range(42)]:
        view(teacher, s, at(YESTERDAY, 13))
    db.session.commit()
    found = [f for f in _flags(app, world.a.users[Role.DATA_PROTECTION]) if f.user_id == teacher.id]
    burst = [f for f in found if f.kind == flags.MANY_STUDENTS]
    assert len(burst) == 1
    assert burst[0].date_from == burst[0].date_to == YESTERDAY
    # The 42 students are none of the teacher's: each is also a view outside relations.
    assert len([f for f in found if f.kind == flags.OUTSIDE_RELATIONS]) == 42

    login(client, world.a.users[Role.DATA_PROTECTION])
    page = client.get("/access-log/flags").text
    assert "Lærer Lund åbnede 42 elevers sager den" in page
    assert "normalt 4 pr. dag" in page
    # The flag links to the rows it is about.
    link = f"/access-log/?user={teacher.id}&amp;action=view&amp;date_from={YESTERDAY.isoformat()}"
    assert link in page


def test_a_usual_day_and_a_busy_day_below_the_threshold_are_not_flagged(app, world):
    teacher = _teacher_with_usual_days(world)
    # Twelve students in a day is three times the usual four, but below the minimum of 15.
    busy = [student(world.a.school) for _ in range(8)]
    for s in busy:
        s.contact_teacher_id = teacher.id
        view(teacher, s, at(YESTERDAY))
    db.session.commit()
    assert _flags(app, world.a.users[Role.DATA_PROTECTION]) == []


def test_a_coordinator_who_reads_many_cases_every_day_is_not_flagged(app, world):
    a = world.a
    coordinator = a.users[Role.TRAINING_COORDINATOR]
    theirs = [student(a.school, employer=a.municipality) for _ in range(30)]
    for day in days_back(TODAY, 25):
        for s in theirs:
            view(coordinator, s, at(day), organisation_id=a.municipality.id)
    db.session.commit()
    assert _flags(app, a.users[Role.MUNICIPALITY_ADMIN]) == []


def test_a_counsellor_reading_their_ten_students_daily_is_not_flagged(app, world):
    a = world.a
    counsellor = a.users[Role.COUNSELLOR]
    theirs = [student(a.school) for _ in range(10)]
    for s in theirs:
        s.counsellor_id = counsellor.id
    for day in days_back(TODAY, 40):
        for s in theirs:
            view(counsellor, s, at(day))
    db.session.commit()
    assert _flags(app, a.users[Role.SCHOOL_ADMIN]) == []


def test_a_supervisor_reading_the_students_at_their_workplace_is_not_flagged(app, world):
    a = world.a
    supervisor = a.users[Role.SUPERVISOR]
    here = [student(a.school, employer=a.municipality, training_at=a.workplace) for _ in range(5)]
    for day in days_back(TODAY, 10):
        for s in [*here, a.student]:
            view(supervisor, s, at(day), organisation_id=a.municipality.id)
    db.session.commit()
    assert _flags(app, a.users[Role.MUNICIPALITY_ADMIN]) == []


def test_a_view_outside_the_teachers_relations_is_flagged_and_explained(app, client, world):
    a = world.a
    teacher = a.users[Role.TEACHER]
    mine = student(a.school, last_name="Kendtsen")
    mine.contact_teacher_id = teacher.id
    stranger = student(a.school, first_name="Sofie", last_name="Fremmed")
    view(teacher, mine, at(YESTERDAY))
    view(teacher, stranger, at(YESTERDAY, 9))
    view(teacher, stranger, at(YESTERDAY, 11))
    db.session.commit()
    found = _flags(app, a.users[Role.DATA_PROTECTION])
    assert [(f.kind, f.student_number) for f in found] == [
        (flags.OUTSIDE_RELATIONS, stranger.student_number)
    ]

    login(client, a.users[Role.DATA_PROTECTION])
    page = client.get("/access-log/flags").text
    assert f"åbnede sagen om Sofie Fremmed ({stranger.student_number}) 2 gange den" in page
    assert "ikke elevens kontaktlærer eller vejleder" in page
    assert "Kendtsen" not in page


def test_a_line_in_the_case_history_is_a_relation(app, world):
    from app import history
    from app.models import CaseEventKind

    a = world.a
    teacher = a.users[Role.TEACHER]
    s = student(a.school)
    history.log(s, CaseEventKind.STUDENT_UPDATED, teacher)
    view(teacher, s, at(YESTERDAY))
    db.session.commit()
    assert _flags(app, a.users[Role.DATA_PROTECTION]) == []


def test_taking_part_in_a_case_review_is_a_relation_of_that_person_and_student_only(app, world):
    from app.models import CaseReview

    a = world.a
    teacher = a.users[Role.TEACHER]
    reviewed, other = student(a.school), student(a.school)
    db.session.add(
        CaseReview(
            student_id=reviewed.id,
            on_date=TODAY,
            participants=[teacher],
            created_by_id=a.users[Role.COUNSELLOR].id,
            organisation_id=a.school.id,
        )
    )
    colleague = user(Role.TEACHER, a.school)  # not in the review
    view(teacher, reviewed, at(YESTERDAY))
    view(teacher, other, at(YESTERDAY))
    view(colleague, reviewed, at(YESTERDAY))
    db.session.commit()
    found = _flags(app, a.users[Role.DATA_PROTECTION])
    assert sorted((f.user_id, f.student_number) for f in found) == sorted(
        [(teacher.id, other.student_number), (colleague.id, reviewed.student_number)]
    )


def test_reviewing_the_log_is_not_reading_a_case(app, client, world):
    a = world.a
    reviewer = a.users[Role.DATA_PROTECTION]
    login(client, reviewer)
    students = [student(a.school) for _ in range(20)]
    db.session.commit()
    for s in students:
        client.get(f"/access-log/?student={s.student_number}")
    rows = db.session.scalars(select(AuditEvent).where(AuditEvent.user_id == reviewer.id)).all()
    assert len(rows) > 20
    assert _flags(app, reviewer) == []


def test_another_organisations_reading_is_never_flagged_here(app, world):
    b = world.b
    stranger = student(b.school)
    view(b.users[Role.TEACHER], stranger, at(YESTERDAY))
    db.session.commit()
    assert _flags(app, world.a.users[Role.DATA_PROTECTION]) == []
    assert len(_flags(app, b.users[Role.DATA_PROTECTION])) == 1


def test_the_flags_page_runs_the_same_number_of_queries_however_long_the_log(
    client, world, count_queries
):
    a = world.a
    login(client, a.users[Role.DATA_PROTECTION])
    teacher, counsellor = a.users[Role.TEACHER], a.users[Role.COUNSELLOR]
    # One of each kind of flag: the counsellor's first day of reading, 16 students.
    for s in [student(a.school) for _ in range(16)]:
        view(counsellor, s, at(YESTERDAY))
    db.session.commit()

    def counted() -> int:
        with count_queries() as counter:
            assert client.get("/access-log/flags").status_code == 200
        return counter.count

    small = counted()
    many = [student(a.school) for _ in range(30)]
    for n, s in enumerate(many):
        view(teacher, s, at(TODAY - timedelta(days=n % 25)))
        view(counsellor, s, at(TODAY))
    db.session.commit()
    assert counted() == small
    assert small <= 14
