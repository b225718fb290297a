"""The student's access request: everything held about the student, without staff names.

One record of every kind is created with a sentinel text; each sentinel must appear in the
JSON file and in the PDF's text. The names and e-mail addresses of every staff member of the
student's side are sentinels that must appear in neither.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

import pytest

from app import dates
from app.models import (
    Absence,
    AbsenceKind,
    ActionItem,
    AuditAction,
    AuditEvent,
    CaseEvent,
    CaseEventKind,
    CaseNote,
    CaseReview,
    ConsentCategory,
    ConversationRequest,
    ConversationWith,
    Declaration,
    DeclarationLine,
    GoalAssessment,
    GoalLevel,
    HelpStatus,
    LearningAgreement,
    Leave,
    LegalHold,
    NoteCategory,
    NoteVisibility,
    PlaceEvaluation,
    Reflection,
    ReviewOutcome,
    ReviewStatus,
    RiskFlag,
    RiskRuleCode,
    Role,
    SpsStage,
    SpsStep,
)
from app.risk.rules import Signal, stored
from tests import factories
from tests.conftest import login, post
from tests.support.test_privacy import pdf_text

TODAY = date.today()
LOG_AT = datetime(2024, 3, 5, 9, 17, tzinfo=UTC)

# One sentinel per kind of record (no spaces, so they survive the PDF's text extraction).
SENTINELS = {
    "student": "elev-SENTINEL@example.net",
    "agreement": "Kommune A",  # the employer of the world's training agreement
    "period": "SENTINEL-PERIOD-TITLE",
    "case event": "SENTINEL-EVENT-PERIOD",
    "handover note": "SENTINEL-HANDOVER-CHALLENGE",
    "support need": "Ordblind, side A",
    "support need in force": "SENTINEL-NEED-2b91",
    "support measure": "Bærbar med AppWriter, side A",
    "SPS step": "SENTINEL-SPS-STEP",
    "consent": "SENTINEL-CONSENT-NOTE",
    "goal assessment": "SENTINEL-GOAL-COMMENT",
    "training experience": "Glemte vagten, side A",
    "learning agreement": "SENTINEL-LEARNING-GOALS",
    "mid-period evaluation": "SENTINEL-MID-NEXT",
    "warning": "Når ikke mål 4, side A",
    "declaration": "SENTINEL-DECLARATION-NEEDS",
    "absence": "SENTINEL-ABSENCE",
    "note": "SENTINEL-NOTE-BODY",
    "review": "SENTINEL-REVIEW-MINUTES",
    "action item": "SENTINEL-ACTION-ITEM",
    "attachment": "SENTINEL-ATTACHMENT.pdf",
    "enrolment": "SENTINEL-ENROLMENT-RESULT",
    "leave": "SENTINEL-LEAVE-REASON",
    "reflection": "SENTINEL-REFLECTION",
    "conversation request": "SENTINEL-CONVERSATION-TOPIC",
    "help request": "SENTINEL-HELP-REASON",
    "help request's answer": "SENTINEL-HELP-DECLINED",
    "sign of risk": "SENTINEL-RISK-PERIOD",
    "legal hold": "SENTINEL-LEGAL-HOLD",
}

NOTE_HTML = (
    f"<p>{SENTINELS['note']} <strong>vigtigt</strong></p><script>alert('SCRIPT-IN-NOTE')</script>"
)


def _url(student, suffix: str = "") -> str:
    return f"/students/{student.id}/access-request{suffix}"


@pytest.fixture
def everything(db, world):
    """Student A with one record of every kind, written by the side's staff."""
    side = world.a
    s = side.student
    counsellor = side.users[Role.COUNSELLOR]
    supervisor = side.users[Role.SUPERVISOR]
    training = side.training_period
    s.email = SENTINELS["student"]
    side.school_period.title = SENTINELS["period"]
    side.note.challenges = SENTINELS["handover note"]
    side.note.author_id = counsellor.id
    side.evaluation.next_steps = SENTINELS["mid-period evaluation"]
    side.evaluation.acknowledged_by_id = counsellor.id

    db.session.add(
        CaseEvent(
            student_id=s.id,
            user_id=counsellor.id,
            kind=CaseEventKind.PERIOD_CHANGED,
            details={"period": SENTINELS["case event"]},
            organisation_id=side.school.id,
        )
    )
    db.session.add(
        SpsStep(
            measure_id=side.measure.id,
            stage=SpsStage.APPLIED,
            on_date=TODAY,
            note=SENTINELS["SPS step"],
            recorded_by_id=counsellor.id,
        )
    )
    factories.support_need(s, "dyslexia", counsellor, SENTINELS["support need in force"])
    consent = factories.consent(s, ConsentCategory.SUPPORT_NEEDS, side.municipality, counsellor)
    consent.note = SENTINELS["consent"]

    goals = factories.goals(s)
    db.session.add(
        GoalAssessment(
            period_id=training.id,
            goal_id=goals[0].id,
            level=GoalLevel.ROUTINED,
            assessed_on=TODAY,
            comment=SENTINELS["goal assessment"],
            assessed_by_id=supervisor.id,
        )
    )
    db.session.add(
        LearningAgreement(
            period_id=training.id,
            goals_for_period=SENTINELS["learning agreement"],
            meeting_1=TODAY,
            author_id=supervisor.id,
        )
    )
    declaration = Declaration(
        period_id=training.id,
        approved=True,
        needs_next_periods=SENTINELS["declaration"],
        author_id=supervisor.id,
        issued_by_id=supervisor.id,
        issued_at=datetime.now(UTC),
    )
    declaration.lines.append(
        DeclarationLine(goal_id=goals[1].id, level=GoalLevel.ADVANCED, approved=True)
    )
    db.session.add(declaration)
    db.session.add(
        Absence(
            period_id=training.id,
            start_date=TODAY,
            end_date=TODAY + timedelta(days=1),
            kind=AbsenceKind.ILLNESS,
            note=SENTINELS["absence"],
            recorded_by_id=supervisor.id,
        )
    )
    db.session.add(
        CaseNote(
            student_id=s.id,
            author_id=counsellor.id,
            organisation_id=side.school.id,
            visibility=NoteVisibility.OWN,
            category=NoteCategory.WELLBEING,
            body=NOTE_HTML,
        )
    )
    review = CaseReview(
        student_id=s.id,
        on_date=TODAY,
        at_time=time(13, 30),
        status=ReviewStatus.HELD,
        agenda="Dagsorden",
        minutes=SENTINELS["review"],
        decisions="Fortsætter",
        outcome=ReviewOutcome.EXTRA_SUPPORT,
        created_by_id=counsellor.id,
        organisation_id=side.school.id,
        participants=[counsellor, side.users[Role.TRAINING_COORDINATOR]],
    )
    review.action_items.append(
        ActionItem(
            student_id=s.id,
            text=SENTINELS["action item"],
            owner_id=side.users[Role.TRAINING_COORDINATOR].id,
            due_date=TODAY + timedelta(days=14),
            created_by_id=counsellor.id,
        )
    )
    db.session.add(review)
    for action, object_type in ((AuditAction.VIEW, "student"), (AuditAction.UPDATE, "consent")):
        db.session.add(
            AuditEvent(
                at=LOG_AT,
                user_id=counsellor.id,
                action=action,
                object_type=object_type,
                object_id=s.id,
                student_id=s.id,
                criterion=counsellor.name,
            )
        )
    factories.attachment(
        s, "measure", side.measure.id, counsellor, filename=SENTINELS["attachment"]
    )
    enrolment = s.enrolments[-1]
    enrolment.result = SENTINELS["enrolment"]
    db.session.add(
        Leave(
            student_id=s.id,
            enrolment_id=enrolment.id,
            start_date=TODAY - timedelta(days=60),
            end_date=TODAY - timedelta(days=30),
            reason=SENTINELS["leave"],
            created_by_id=counsellor.id,
        )
    )
    db.session.add(Reflection(period_id=training.id, student_id=s.id, text=SENTINELS["reflection"]))
    db.session.add(
        PlaceEvaluation(
            period_id=training.id,
            student_id=s.id,
            employer_id=side.municipality.id,
            answered_on=TODAY,
            welcomed=5,
            supervision=4,
            learning=2,
            heard=1,
        )
    )
    db.session.add(
        ConversationRequest(
            student_id=s.id,
            with_whom=ConversationWith.COUNSELLOR,
            addressed_to_id=counsellor.id,
            topic=SENTINELS["conversation request"],
            asked_on=TODAY,
        )
    )
    help_request = factories.help_request(side, reason=SENTINELS["help request"])
    help_request.status = HelpStatus.DECLINED
    help_request.answered_by_id = counsellor.id
    help_request.answered_at = datetime.now(UTC)
    help_request.decline_reason = SENTINELS["help request's answer"]
    sign = Signal(
        RiskRuleCode.TRANSITION, 5, on=TODAY, period=SENTINELS["sign of risk"], missing=True
    )
    db.session.add(
        RiskFlag(
            student_id=s.id,
            first_flagged_on=TODAY - timedelta(days=3),
            last_seen_on=TODAY,
            rules=[RiskRuleCode.TRANSITION.value],
            signals=stored([sign]),
        )
    )
    db.session.add(
        LegalHold(student_id=s.id, reason=SENTINELS["legal hold"], set_by_id=counsellor.id)
    )
    db.session.commit()
    return s


def _staff_sentinels(world) -> list[str]:
    # The student's own account is not staff: their own name is in their export.
    users = [u for role, u in world.a.users.items() if role is not Role.STUDENT]
    return (
        [u.name for u in users]
        + [u.name.replace(" ", "") for u in users]
        + [u.email for u in users]
    )


def _keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for item in value.values() for k in _keys(item)}
    if isinstance(value, list):
        return {k for item in value for k in _keys(item)}
    return set()


def test_the_school_admin_exports_every_kind_of_record_without_staff_names(
    app, client, world, everything
):
    login(client, world.user(Role.SCHOOL_ADMIN))
    page = client.get(_url(everything))
    assert page.status_code == 200
    assert _url(everything, ".pdf") in page.text and _url(everything, ".json") in page.text

    response = client.get(_url(everything, ".json"))
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    raw = response.get_data(as_text=True)
    data = json.loads(raw)
    pdf = pdf_text(client.get(_url(everything, ".pdf")))

    missing = [
        f"{kind} in {where}"
        for kind, sentinel in SENTINELS.items()
        for where, text in (("json", raw), ("pdf", pdf))
        if sentinel.replace(" ", "") not in text.replace(" ", "")
    ]
    assert missing == []

    leaks = [
        f"{name} in {where}"
        for name in _staff_sentinels(world)
        for where, text in (("json", raw), ("pdf", pdf))
        if name in text
    ]
    assert leaks == []
    # No field about who did something (authors, signers, owners, user ids).
    assert not {k for k in _keys(data) if "user" in k or "author" in k or k.endswith("_by")}
    assert not {k for k in _keys(data) if k.endswith("_by_id") or k == "owner"}

    # The note as plain text: its formatting and its script are gone.
    assert "<script>" not in raw and "SCRIPT-IN-NOTE" not in raw and "<strong>" not in raw
    assert "SCRIPT-IN-NOTE" not in pdf
    assert any(n["text"].startswith(SENTINELS["note"]) for n in data["notes"])
    # The review's time of day (issue 14).
    assert [r["at_time"] for r in data["reviews"]] == ["13:30:00"]
    assert "kl.13.30" in pdf.replace(" ", "")

    # Every section is there, dates in ISO format.
    assert set(data) == {
        "generated_at",
        "student",
        "agreements",
        "enrolments",
        "leaves",
        "periods",
        "case_history",
        "handover_notes",
        "support_needs",
        "support_measures",
        "consents",
        "goal_assessments",
        "training_experiences",
        "learning_agreements",
        "mid_evaluations",
        "warnings",
        "declarations",
        "absences",
        "reflections",
        "place_evaluations",
        "conversation_requests",
        "notes",
        "reviews",
        "help_requests",
        "risk_signs",
        "legal_holds",
        "attachments",
        "access_log",
    }
    # The student's answers on the training place, with the scale's words in the PDF.
    answers = data["place_evaluations"][0]
    assert (answers["welcomed"], answers["heard"]) == (5, 1)
    assert "Heltenig" in pdf.replace(" ", "") and "Heltuenig" in pdf.replace(" ", "")
    assert data["help_requests"][0]["status"] == "declined"
    assert data["risk_signs"][0]["cleared_on"] is None
    assert data["enrolments"][0]["programme"]["code"] == "SSA"
    assert data["student"]["start_date"] == everything.start_date.isoformat()
    assert data["student"]["programme"]["code"] == "SSA"
    # The programme's short name before its name: the student's and the enrolment's.
    assert pdf.replace(" ", "").count("SSA–") == 2
    assert data["student"]["school"]["name"] == world.a.school.name
    assert {c["withdrawn_at"] is None for c in data["consents"]} == {True, False}
    assert data["declarations"][0]["lines"][0]["level"] == "advanced"
    assert data["goal_assessments"][0]["level"] == "routined"
    assert (
        data["reviews"][0]["action_items"][0]["due_date"]
        == (TODAY + timedelta(days=14)).isoformat()
    )
    assert data["support_measures"][0]["sps_steps"][0]["stage"] == "applied"

    # The access log: the seeded rows with their date, kind and object, and the exports.
    log = data["access_log"]
    school = world.a.school.name
    seeded = {"at": LOG_AT.isoformat(), "organisation": school}
    assert seeded | {"action": "view", "object_type": "student"} in log
    assert seeded | {"action": "update", "object_type": "consent"} in log
    assert "export" in {row["action"] for row in log}
    assert set(log[0]) == {"at", "action", "object_type", "organisation"}
    with app.test_request_context():  # Danish, as the admin sees it
        shown_at = dates.datetime_text(LOG_AT).replace(" ", "")
    assert pdf.count(shown_at) >= 2


def test_exports_are_logged(client, db, world, everything):
    login(client, world.user(Role.SCHOOL_ADMIN))
    admin = world.user(Role.SCHOOL_ADMIN)
    for suffix in (".json", ".pdf"):
        assert client.get(_url(everything, suffix)).status_code == 200
    rows = db.session.scalars(
        db.select(AuditEvent).where(
            AuditEvent.user_id == admin.id, AuditEvent.action == AuditAction.EXPORT
        )
    ).all()
    assert len(rows) == 2
    assert {(r.student_id, r.criterion) for r in rows} == {(everything.id, "access-request")}


@pytest.mark.parametrize(
    "role",
    [
        Role.COUNSELLOR,
        Role.TEACHER,
        Role.SUPERVISOR,
        Role.TRAINING_COORDINATOR,
        Role.MUNICIPALITY_ADMIN,
    ],
)
def test_others_who_see_the_student_are_refused(client, world, role):
    login(client, world.user(role))
    for suffix in ("", ".pdf", ".json"):
        assert client.get(_url(world.a.student, suffix)).status_code == 403


@pytest.mark.parametrize("who", ["other school admin", "system admin", "analyst"])
def test_outsiders_are_refused(client, world, who):
    user = {
        "other school admin": world.user(Role.SCHOOL_ADMIN, "b"),
        "system admin": world.system_admin,
        "analyst": world.analyst,
    }[who]
    login(client, user)
    expected = 404 if who == "other school admin" else 403
    for suffix in ("", ".pdf", ".json"):
        assert client.get(_url(world.a.student, suffix)).status_code == expected
    assert client.get("/students/999999/access-request.json").status_code in (403, 404)


def test_a_school_admin_of_another_school_cannot_tell_if_a_student_exists(client, world):
    login(client, world.user(Role.SCHOOL_ADMIN, "b"))
    assert client.get(_url(world.a.student, ".json")).status_code == 404
    assert client.get("/students/999999/access-request.json").status_code == 404


def _add_records(db, world, n: int) -> None:
    side = world.a
    for i in range(n):
        factories.experience(side.training_period, side.users[Role.SUPERVISOR], f"Oplevelse {i}")
        db.session.add(
            CaseNote(
                student_id=side.student.id,
                author_id=side.users[Role.COUNSELLOR].id,
                organisation_id=side.school.id,
                visibility=NoteVisibility.SHARED,
                category=NoteCategory.GENERAL,
                body=f"<p>Notat {i}</p>",
            )
        )
    db.session.commit()


@pytest.mark.parametrize("suffix", [".json", ".pdf"])
def test_the_export_runs_a_bounded_number_of_queries(client, db, world, count_queries, suffix):
    login(client, world.user(Role.SCHOOL_ADMIN))
    url = _url(world.a.student, suffix)
    _add_records(db, world, 1)  # with the world's own experience: 2 experiences, 1 note
    with count_queries() as few:
        assert client.get(url).status_code == 200
    _add_records(db, world, 9)  # 11 experiences, 10 notes
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert many.count == few.count


def _access_log_part(pdf: str) -> str:
    """The PDF's text from its access log heading on (Danish, as the admin sees it)."""
    assert "Adgangslog" in pdf
    return pdf[pdf.rindex("Adgangslog") :]


def test_the_access_log_names_the_organisation_but_no_staff(client, db, world):
    """The student sees WHICH organisation read their file (issue 12), not who."""
    side = world.a
    side.municipality.name = "Vejle Kommune SENTINEL"
    db.session.commit()
    coordinator = side.users[Role.TRAINING_COORDINATOR]
    login(client, coordinator)
    assert client.get(f"/students/{side.student.id}").status_code == 200
    post(client, "/logout")

    login(client, world.user(Role.SCHOOL_ADMIN))
    data = json.loads(client.get(_url(side.student, ".json")).get_data(as_text=True))
    reads = [row for row in data["access_log"] if row["action"] == "view"]
    assert {"organisation": "Vejle Kommune SENTINEL"}.items() <= reads[0].items()
    exports = [row for row in data["access_log"] if row["action"] == "export"]
    assert exports[-1]["organisation"] == side.school.name
    raw = json.dumps(data)
    assert coordinator.name not in raw and coordinator.email not in raw

    pdf = _access_log_part(pdf_text(client.get(_url(side.student, ".pdf"))))
    assert "VejleKommuneSENTINEL" in pdf
    assert side.school.name.replace(" ", "") in pdf
    assert coordinator.name.replace(" ", "") not in pdf


def test_older_log_rows_get_the_organisation_from_the_user(client, db, world, everything):
    """Rows written before the organisation was recorded: the user's organisation in the case
    (the seeded rows are the counsellor's, so the school)."""
    login(client, world.user(Role.SCHOOL_ADMIN))
    data = json.loads(client.get(_url(everything, ".json")).get_data(as_text=True))
    seeded = [row for row in data["access_log"] if row["at"] == LOG_AT.isoformat()]
    assert [row["organisation"] for row in seeded] == [world.a.school.name] * 2


def test_a_formatted_note_reads_as_plain_text_in_the_export():
    from app.export.collect import plain_text

    assert plain_text("**Vigtigt** i dag\n- mødetid\n- [plan](https://example.org)") == (
        "Vigtigt i dag\nmødetid\nplan"
    )
    assert plain_text("<p><b>Gammel</b> note</p><ul><li>punkt</li></ul>") == "Gammel note\npunkt"
