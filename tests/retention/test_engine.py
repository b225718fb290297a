"""The retention engine (app/retention/services.py) with a frozen clock: what is due goes,
what is not stays, a legal hold stops everything, a dry run changes nothing, the figures keep
their counts, and the log holds kinds and counts, never content."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.access.figures import FigureScope
from app.extensions import db
from app.main.snapshots import compute
from app.models import (
    Attachment,
    AuditAction,
    AuditEvent,
    CaseEvent,
    CaseNote,
    Consent,
    Enrolment,
    HandoverNote,
    LegalHold,
    Membership,
    NoteCategory,
    NoteVisibility,
    Period,
    RetentionKind,
    RetentionRun,
    RetentionRunCount,
    Role,
    SpsStep,
    Student,
    StudentSearchTerm,
    StudentStatus,
    SupportMeasure,
    SupportNeed,
    TrainingWarning,
    User,
)
from app.retention import services
from tests import factories
from tests.retention.helpers import FIVE_YEARS_AGO, TODAY, freeze, left, row_counts, sps_measure

SECRET = "Hemmelig oplysning om helbred"


@pytest.fixture
def store(app, tmp_path) -> Path:
    """This test's attachment folder (the app's setting is restored afterwards)."""
    app.config["ATTACHMENT_DIR"] = str(tmp_path)
    return tmp_path


def _file(student: Student, kind: str, parent_id: int, world) -> tuple[int, str]:
    """An attachment with its stored file: (its id, its storage key)."""
    row = factories.attachment(student, kind, parent_id, world.user(Role.COUNSELLOR))
    db.session.flush()
    return row.id, row.storage_key


def _stored(store: Path) -> set[str]:
    return {p.name for p in store.rglob("*") if p.is_file()}


def _ids(db, model, *where) -> list[int]:
    return list(db.session.execute(select(model.id).where(*where).order_by(model.id)).scalars())


# --- SPS material --------------------------------------------------------------------------


def test_an_sps_measure_ended_five_years_and_a_day_ago_goes_with_its_attachments(
    db, world, monkeypatch, store
):
    student = world.b.student  # still active: only the SPS rule applies to it
    due = sps_measure(student, FIVE_YEARS_AGO - timedelta(days=1))
    exactly = sps_measure(student, FIVE_YEARS_AGO)
    yesterday = sps_measure(student, TODAY - timedelta(days=1))
    db.session.flush()
    gone = [
        _file(student, "measure", due.id, world),
        _file(student, "sps_step", due.steps[0].id, world),
    ]
    stays = [
        _file(student, "measure", yesterday.id, world),
        _file(student, "sps_step", yesterday.steps[0].id, world),
    ]
    db.session.commit()
    due_id = due.id
    assert _stored(store) == {key for _, key in gone + stays}
    freeze(monkeypatch)

    results = services.run(dry_run=False)

    kept = _ids(db, SupportMeasure, SupportMeasure.student_id == student.id)
    assert due_id not in kept
    assert exactly.id in kept and yesterday.id in kept
    assert _ids(db, SpsStep, SpsStep.measure_id == due_id) == []
    assert len(_ids(db, SpsStep, SpsStep.measure_id == yesterday.id)) == 2
    # Its attachments went with it, rows and files; the kept measure's stayed.
    assert _ids(db, Attachment, Attachment.student_id == student.id) == sorted(i for i, _ in stays)
    assert _stored(store) == {key for _, key in stays}
    sps = next(r for r in results if r.kind is RetentionKind.SPS_MATERIAL)
    assert sps.count == 1 and sps.rows == {"attachment": 2, "sps_step": 2, "support_measure": 1}


def test_an_sps_measure_ended_yesterday_stays(db, world, monkeypatch):
    measure = sps_measure(world.b.student, TODAY - timedelta(days=1))
    db.session.commit()
    freeze(monkeypatch)
    services.run(dry_run=False)
    assert db.session.get(SupportMeasure, measure.id) is not None


def test_other_support_goes_after_its_own_rule_and_a_need_stays_with_its_sps_measure(
    db, world, monkeypatch
):
    side = world.b
    old = FIVE_YEARS_AGO - timedelta(days=1)
    resolved = factories.support_need(side.student, "adhd", side.users[Role.COUNSELLOR])
    resolved.status, resolved.resolved_on = "resolved", old
    documented = factories.support_need(side.student, "dyslexia", side.users[Role.COUNSELLOR])
    documented.status, documented.resolved_on = "resolved", old
    running = sps_measure(side.student, TODAY - timedelta(days=30))
    running.need_id = documented.id
    ended_consent = factories.consent(
        side.student, "sps", side.municipality, side.users[Role.COUNSELLOR], old - timedelta(1), old
    )
    db.session.commit()
    resolved_id, documented_id = resolved.id, documented.id
    ended_id, consent_id = ended_consent.id, side.consent.id
    freeze(monkeypatch)

    services.run(dry_run=False)

    needs = _ids(db, SupportNeed)
    assert resolved_id not in needs
    assert documented_id in needs  # its SPS measure is kept
    consents = _ids(db, Consent)
    assert ended_id not in consents
    assert consent_id not in consents  # withdrawn "today", six years before TODAY: also gone


# --- legal hold ----------------------------------------------------------------------------


def test_a_student_under_legal_hold_is_untouched(db, world, monkeypatch, store):
    side = world.a
    left(side.student, date.today())
    due = sps_measure(side.student, FIVE_YEARS_AGO - timedelta(days=1))
    db.session.flush()
    _file(side.student, "measure", due.id, world)
    db.session.add(
        LegalHold(
            student_id=side.student.id,
            reason="Klagesag",
            set_by_id=side.users[Role.SCHOOL_ADMIN].id,
        )
    )
    db.session.commit()
    before = row_counts()
    freeze(monkeypatch)

    results = services.run(dry_run=False)

    assert db.session.get(SupportMeasure, due.id) is not None
    student = db.session.get(Student, side.student.id)
    assert student.anonymised_at is None and student.last_name == side.student.last_name
    after = row_counts()
    changed = {t for t in before if before[t] != after[t]}
    # Only the log, the rules (made on the first run) and side B's consent (withdrawn "today",
    # six years before the engine's TODAY) changed.
    assert changed <= {
        "audit_event",
        "retention_run",
        "retention_run_count",
        "retention_rule",
        "consent",
    }
    assert db.session.get(Consent, side.consent.id) is not None
    counts = {r.kind: r.count for r in results}
    assert counts[RetentionKind.SPS_MATERIAL] == counts[RetentionKind.CASE_CONTENT] == 0
    assert len(_stored(store)) == 1  # and its file


def test_a_lifted_hold_no_longer_protects(db, world, monkeypatch):
    side = world.a
    left(side.student, date.today())
    db.session.add(
        LegalHold(
            student_id=side.student.id,
            reason="Klagesag",
            lifted_at=datetime.now(UTC),
        )
    )
    db.session.commit()
    freeze(monkeypatch)
    services.run(dry_run=False)
    assert db.session.get(Student, side.student.id).anonymised_at is not None
    assert db.session.execute(select(LegalHold)).first() is None  # its reason went too


# --- a student who left --------------------------------------------------------------------


def _figures():
    return compute(FigureScope(None), TODAY)


def _left_cohort(world, n: int = 6) -> list[Student]:
    """`n` more students at school A who dropped out, and `n` who completed, today (six years
    before the engine's TODAY): enough for the figures to show their counts."""
    school = world.a.school
    students = []
    for status in (StudentStatus.DROPPED_OUT, StudentStatus.COMPLETED):
        for _ in range(n):
            s = factories.student(school, first_name="Karla", employer=world.a.municipality)
            s.birth_year = 2001
            s.email, s.phone = "karla@example.org", "12345678"
            db_note(s, world)
            students.append(left(s, date.today(), status))
    return students


def db_note(s: Student, world) -> None:
    from app.extensions import db

    db.session.add(
        CaseNote(
            student_id=s.id,
            author_id=world.a.users[Role.COUNSELLOR].id,
            organisation_id=world.a.school.id,
            body=SECRET,
            visibility=NoteVisibility.OWN,
            category=NoteCategory.WELLBEING,
        )
    )


def test_a_student_who_left_years_ago_is_anonymised_and_the_figures_stay(
    db, world, monkeypatch, store
):
    side = world.a
    left(side.student, date.today())
    cohort = _left_cohort(world)
    db.session.flush()
    _file(side.student, "note", side.case_note.id, world)
    _file(side.student, "measure", side.measure.id, world)
    kept = _file(world.b.student, "measure", world.b.measure.id, world)
    db.session.commit()
    student_id = side.student.id
    account_id = db.session.execute(
        select(Membership.user_id).where(Membership.student_id == student_id)
    ).scalar_one()
    periods = _ids(db, Period, Period.student_id == student_id)
    enrolments = db.session.execute(
        select(
            Enrolment.status, Enrolment.start_date, Enrolment.end_date, Enrolment.dropout_reason
        ).order_by(Enrolment.id)
    ).all()
    before = _figures()
    freeze(monkeypatch)

    results = services.run(dry_run=False)

    case = next(r for r in results if r.kind is RetentionKind.CASE_CONTENT)
    assert case.count == 1 + len(cohort)
    student = db.session.get(Student, student_id)
    assert student.anonymised_at is not None
    assert (student.first_name, student.last_name, student.email, student.phone) == ("", "", "", "")
    assert student.student_number == f"ANON_{student_id}"
    assert (
        student.status is StudentStatus.DROPPED_OUT
        and student.birth_year == side.student.birth_year
    )
    # The case content is gone; the journey stays.
    for model in (CaseNote, HandoverNote, TrainingWarning, SupportNeed, CaseEvent):
        assert _ids(db, model, model.student_id == student_id) == [], model
    assert _ids(db, Consent, Consent.student_id == student_id) == []
    # Its support measures stay as figures, without their text, owner or steps.
    measures = (
        db.session.execute(select(SupportMeasure).where(SupportMeasure.student_id == student_id))
        .scalars()
        .all()
    )
    assert measures and all(
        (m.description, m.evaluation, m.owner_id, m.steps) == ("", "", None, []) for m in measures
    )
    assert _ids(db, Period, Period.student_id == student_id) == periods
    assert (
        db.session.execute(
            select(
                Enrolment.status, Enrolment.start_date, Enrolment.end_date, Enrolment.dropout_reason
            ).order_by(Enrolment.id)
        ).all()
        == enrolments
    )
    assert all(
        e.dropout_note == "" and e.result == ""
        for e in db.session.execute(select(Enrolment)).scalars()
        if e.student_id == student_id or e.student_id in {s.id for s in cohort}
    )
    # No account, no search by the old name.
    assert (
        db.session.execute(select(Membership).where(Membership.student_id == student_id)).first()
        is None
    )
    assert db.session.get(User, account_id) is None
    assert (
        db.session.execute(
            select(StudentSearchTerm.term).where(StudentSearchTerm.student_id == student_id)
        ).first()
        is None
    )
    # Every attachment of the student went, rows and files; the other side's stayed.
    assert _ids(db, Attachment) == [kept[0]]
    assert _stored(store) == {kept[1]}
    # The figures count exactly as before.
    assert _figures() == before
    # The other side's active student is untouched.
    assert db.session.get(Student, world.b.student.id).anonymised_at is None


def test_the_figures_show_the_anonymised_students(db, world, monkeypatch):
    """Not a vacuous comparison: the cohort's counts are visible in the figures (not all
    suppressed) before and after."""
    _left_cohort(world)
    db.session.commit()
    before = _figures()
    freeze(monkeypatch)
    services.run(dry_run=False)
    after = _figures()
    assert after == before
    completion = after["tables"]["completion:school"]
    assert 6 in completion["cells"][completion["rows"].index(world.a.school.id)]


def test_a_student_who_left_less_than_the_rule_ago_stays(db, world, monkeypatch):
    left(world.a.student, TODAY - timedelta(days=5 * 365))
    db.session.commit()
    freeze(monkeypatch)
    services.run(dry_run=False)
    assert db.session.get(Student, world.a.student.id).anonymised_at is None


def test_a_student_with_sps_material_still_kept_waits(db, world, monkeypatch):
    """SPS material is kept five years after the measure ended, even when the case rule
    would let the student go earlier."""
    left(world.a.student, date.today())
    sps_measure(world.a.student, FIVE_YEARS_AGO + timedelta(days=10))
    db.session.commit()
    freeze(monkeypatch)
    services.run(dry_run=False)
    assert db.session.get(Student, world.a.student.id).anonymised_at is None


def test_an_anonymised_student_is_not_processed_again(db, world, monkeypatch):
    left(world.a.student, date.today())
    db.session.commit()
    freeze(monkeypatch)
    first = services.run(dry_run=False)
    second = services.run(dry_run=False)
    count = {r.kind: r.count for r in first}[RetentionKind.CASE_CONTENT]
    assert count == 1
    assert {r.kind: r.count for r in second}[RetentionKind.CASE_CONTENT] == 0


# --- the dry run and the log ------------------------------------------------------------------


def _everything_due(world):
    left(world.a.student, date.today())
    sps_measure(world.b.student, FIVE_YEARS_AGO - timedelta(days=1))
    db_add_old_audit()


def db_add_old_audit():
    from app.extensions import db

    db.session.add(
        AuditEvent(action=AuditAction.VIEW, student_id=1, at=datetime(2020, 1, 1, tzinfo=UTC))
    )


def test_the_dry_run_deletes_nothing_and_counts_what_the_run_deletes(db, world, monkeypatch):
    _everything_due(world)
    db.session.commit()
    before = row_counts()
    names = db.session.execute(select(Student.id, Student.last_name).order_by(Student.id)).all()
    freeze(monkeypatch)

    dry = services.run(dry_run=True)

    assert row_counts() == before
    assert (
        db.session.execute(select(Student.id, Student.last_name).order_by(Student.id)).all()
        == names
    )
    real = services.run(dry_run=False)
    for d, r in zip(dry, real, strict=True):
        assert (d.kind, {k: v for k, v in d.rows.items() if v != r.rows[k]}) == (d.kind, {})
    assert all(r.count for r in real if r.kind is not RetentionKind.OTHER_SUPPORT)


def test_a_run_logs_counts_by_kind_and_no_content(db, world, monkeypatch):
    _everything_due(world)
    world.a.case_note.body = SECRET
    db.session.commit()
    name, number = world.a.student.last_name, world.a.student.student_number
    freeze(monkeypatch)

    services.run(dry_run=False)

    run = db.session.execute(select(RetentionRun)).scalar_one()
    counts = {c.kind: c.count for c in db.session.execute(select(RetentionRunCount)).scalars()}
    assert counts[RetentionKind.SPS_MATERIAL] == 1
    assert counts[RetentionKind.CASE_CONTENT] == 1
    assert counts[RetentionKind.ACCESS_LOG] >= 1
    logged = (
        db.session.execute(
            select(AuditEvent.criterion).where(
                AuditEvent.action == AuditAction.DELETE, AuditEvent.object_type == "retention_run"
            )
        )
        .scalars()
        .all()
    )
    assert len(logged) == len(RetentionKind)
    assert any(c.startswith("retention sps_material: 1") for c in logged)
    text = " ".join(logged) + " ".join(
        c.detail for c in db.session.execute(select(RetentionRunCount)).scalars()
    )
    for content in (SECRET, name, number, "Bærbar"):
        assert content not in text
    assert run.at is not None


def test_the_access_log_keeps_its_rule_and_rows_of_a_held_student(db, world, monkeypatch):
    old = datetime.combine(TODAY - timedelta(days=200), datetime.min.time(), UTC)
    recent = datetime.combine(TODAY - timedelta(days=100), datetime.min.time(), UTC)
    db.session.add(LegalHold(student_id=world.b.student.id, reason="Retssag"))
    db.session.add_all(
        [
            AuditEvent(action=AuditAction.VIEW, student_id=world.a.student.id, at=old),
            AuditEvent(action=AuditAction.VIEW, student_id=world.a.student.id, at=recent),
            AuditEvent(action=AuditAction.VIEW, student_id=world.b.student.id, at=old),
        ]
    )
    db.session.commit()
    freeze(monkeypatch)
    services.run(dry_run=False, kinds=(RetentionKind.ACCESS_LOG,))
    rows = set(db.session.execute(select(AuditEvent.student_id, AuditEvent.at)).all())
    assert (world.a.student.id, old) not in rows
    assert (world.a.student.id, recent) in rows
    assert (world.b.student.id, old) in rows


def test_the_cli_dry_run_prints_counts_and_changes_nothing(db, world, runner, monkeypatch):
    _everything_due(world)
    db.session.commit()
    before = row_counts()
    freeze(monkeypatch)
    result = runner.invoke(args=["retention", "run", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "sps_material: would delete 1" in result.output
    assert "case_content: would delete 1" in result.output
    assert "Dry run: nothing was changed." in result.output
    assert row_counts() == before
    result = runner.invoke(args=["retention", "run"])
    assert result.exit_code == 0 and "sps_material: deleted 1" in result.output


def test_a_staff_member_who_was_the_student_keeps_their_account(db, world, monkeypatch):
    """An account that also holds a staff role loses only the student membership."""
    side = world.a
    account = db.session.execute(
        select(Membership).where(Membership.student_id == side.student.id)
    ).scalar_one()
    user_id = account.user_id
    db.session.add(Membership(user_id=user_id, role=Role.TEACHER, organisation_id=side.school.id))
    left(side.student, date.today())
    db.session.commit()
    freeze(monkeypatch)
    services.run(dry_run=False)
    roles = db.session.execute(select(Membership.role).where(Membership.user_id == user_id))
    assert list(roles.scalars()) == [Role.TEACHER]
