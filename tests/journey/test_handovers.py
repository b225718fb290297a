"""Handover notes: who writes, who reads and when, acknowledgement, notifications."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from app.journey.handovers import remind_missing_notes
from app.models import HandoverNote, Notification, NotificationKind, PeriodKind, Role
from tests import factories
from tests.conftest import login, post

TODAY = date.today()
NOTE = {
    "strengths": "God til relationer.",
    "challenges": "Dokumentation.",
    "agreed_support": "Samtale hver fredag.",
    "first_weeks": "Fast kollega i uge 1.",
    "contact_person": "Kontaktlærer, tlf. 70 10 20 30",
}


@pytest.fixture
def coming(db, world):
    """Student A2 is at school now and starts training at Plejecenter A in `days` days (counted
    from `today`)."""

    def make(days: int, today: date = TODAY):
        s = factories.student(
            world.a.school, first_name="Ida", last_name="Kommende", employer=world.a.municipality
        )
        school = factories.period(
            s, PeriodKind.SCHOOL, today - timedelta(days=60), today + timedelta(days=days - 1)
        )
        training = factories.period(
            s,
            PeriodKind.TRAINING,
            today + timedelta(days=days),
            today + timedelta(days=days + 90),
            world.a.workplace,
        )
        db.session.commit()
        return s, school, training

    return make


def _url(s, training, action=""):
    return f"/students/{s.id}/handovers/{training.id}" + (f"/{action}" if action else "")


def test_teacher_writes_the_note_and_the_supervisor_is_notified(client, db, world, coming):
    s, _, training = coming(7)
    teacher, supervisor = world.user(Role.TEACHER), world.user(Role.SUPERVISOR)
    login(client, teacher)
    response = post(client, _url(s, training, "write"), NOTE)
    assert response.status_code == 302
    note = db.session.execute(select(HandoverNote).filter_by(to_period_id=training.id)).scalar_one()
    assert note.author_id == teacher.id and note.author_organisation_id == world.a.school.id
    assert note.acknowledged_at is None
    [notification] = (
        db.session.execute(select(Notification).where(Notification.period_id == training.id))
        .scalars()
        .all()
    )
    assert notification.user_id == supervisor.id
    assert notification.kind == NotificationKind.HANDOVER_WRITTEN
    assert "Overleveringsnotat skrevet" in client.get(f"/students/{s.id}/history").text


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("strengths", "", "Udfyld feltet."),
        ("first_weeks", "x" * 4001, "Må højst være 4000 tegn."),
        ("contact_person", "<script>alert(1)</script>", "Må ikke indeholde"),
        ("contact_person", "{{7*7}}", "Må ikke indeholde"),
    ],
)
def test_handover_form_rejects_bad_input(client, db, world, coming, field, value, message):
    s, _, training = coming(7)
    login(client, world.user(Role.TEACHER))
    response = post(client, _url(s, training, "write"), {**NOTE, field: value})
    assert response.status_code == 200
    assert f'data-testid="error-{field}"' in response.text and message in response.text
    assert "Samtale hver fredag." in response.text  # the rest of what was typed is kept
    assert (
        db.session.execute(select(HandoverNote).filter_by(to_period_id=training.id)).first() is None
    )


def test_free_text_may_contain_markup_characters_and_is_shown_escaped(client, db, world, coming):
    s, _, training = coming(7)
    login(client, world.user(Role.TEACHER))
    post(client, _url(s, training, "write"), {**NOTE, "strengths": "Kan <b>selv</b> {{7*7}}"})
    page = client.get(_url(s, training)).text
    assert "Kan &lt;b&gt;selv&lt;/b&gt; {{7*7}}" in page


def test_the_receiving_side_cannot_write_and_the_sending_side_cannot_acknowledge(
    client, db, world, coming
):
    s, _, training = coming(7)
    login(client, world.user(Role.SUPERVISOR))
    assert client.get(_url(s, training, "write")).status_code == 403
    client2 = client.application.test_client()
    login(client2, world.user(Role.TEACHER))
    post(client2, _url(s, training, "write"), NOTE)
    assert post(client2, _url(s, training, "acknowledge"), {"version": "1"}).status_code == 403


def test_supervisor_at_another_workplace_gets_404(client, db, world, coming):
    s, school, training = coming(7)
    # The other supervisor had the student in a training period that ended 20 days ago, so
    # they can still see the student, but they are on neither side of this transition.
    school.start_date = TODAY - timedelta(days=19)
    elsewhere = factories.workplace(world.a.municipality, "Hjemmeplejen Syd")
    factories.period(
        s, PeriodKind.TRAINING, TODAY - timedelta(days=120), TODAY - timedelta(days=20), elsewhere
    )
    other_supervisor = factories.user(Role.SUPERVISOR, world.a.municipality, elsewhere)
    factories.handover_note(s, *_pair(db, s, training))
    db.session.commit()
    login(client, other_supervisor)
    assert client.get(f"/students/{s.id}").status_code == 200
    response = client.get(_url(s, training))
    assert response.status_code == 404
    assert "God til" not in response.text and "Mødestabil" not in response.text


def _pair(db, s, training):
    from app.access.journey import previous_period

    return previous_period(training), training


def test_receiving_supervisor_sees_the_note_only_from_the_set_day(app, client, db, world, coming):
    days_before = app.config["HANDOVER_DAYS_BEFORE"]
    s, school, training = coming(days_before + 1)
    teacher_client = app.test_client()
    login(teacher_client, world.user(Role.TEACHER))
    post(teacher_client, _url(s, training, "write"), NOTE)

    login(client, world.user(Role.SUPERVISOR))
    assert client.get(_url(s, training)).status_code == 404
    assert post(client, _url(s, training, "acknowledge"), {"version": "1"}).status_code == 404

    # One day later the window opens: move the transition a day closer.
    school.end_date -= timedelta(days=1)
    training.start_date -= timedelta(days=1)
    db.session.commit()
    page = client.get(_url(s, training))
    assert page.status_code == 200 and "God til relationer." in page.text
    response = post(client, _url(s, training, "acknowledge"), {"version": "1"})
    assert response.status_code == 302
    note = db.session.execute(select(HandoverNote).filter_by(to_period_id=training.id)).scalar_one()
    assert note.acknowledged_by_id == world.user(Role.SUPERVISOR).id
    assert "Kvitteret" in teacher_client.get(f"/students/{s.id}").text


def test_the_set_day_is_copenhagens_when_the_servers_clock_is_still_on_yesterday(
    app, client, world, coming
):
    # 23:30 UTC on 4 December is 00:30 on 5 December in Copenhagen: the supervisor's day has
    # begun, and the note that opens on the 5th is there (before, the server's date kept it
    # shut until 01:00 Danish time). Half an hour before Copenhagen's midnight it is not.
    days_before = app.config["HANDOVER_DAYS_BEFORE"]
    s, _, training = coming(days_before, today=date(2026, 12, 5))
    with time_machine.travel(datetime(2026, 12, 4, 22, 30, tzinfo=UTC)):
        teacher_client = app.test_client()
        login(teacher_client, world.user(Role.TEACHER))
        post(teacher_client, _url(s, training, "write"), NOTE)
        login(client, world.user(Role.SUPERVISOR))
        assert client.get(_url(s, training)).status_code == 404
    with time_machine.travel(datetime(2026, 12, 4, 23, 30, tzinfo=UTC)):
        page = client.get(_url(s, training))
    assert page.status_code == 200 and "God til relationer." in page.text


def test_changing_an_acknowledged_note_asks_for_a_new_acknowledgement(client, db, world):
    note = world.a.note
    note.acknowledged_at = note.written_at
    db.session.commit()
    login(client, world.user(Role.TEACHER))
    form = client.get(_url(world.a.student, world.a.training_period, "write")).text
    assert "Notatet er kvitteret." in form
    post(
        client,
        _url(world.a.student, world.a.training_period, "write"),
        {**NOTE, "version": str(note.version_id)},
    )
    db.session.refresh(note)
    assert note.acknowledged_at is None and note.strengths == NOTE["strengths"]


def test_two_people_changing_the_same_note_second_is_refused(app, client, db, world):
    url = _url(world.a.student, world.a.training_period, "write")
    other = app.test_client()
    login(client, world.user(Role.TEACHER))
    login(other, world.user(Role.COUNSELLOR))
    post(client, url, {**NOTE, "strengths": "Første", "version": "1"})
    response = post(other, url, {**NOTE, "strengths": "Anden", "version": "1"})
    assert response.headers["Location"] == url
    assert "En anden har ændret dette" in other.get(url).text
    db.session.refresh(world.a.note)
    assert world.a.note.strengths == "Første"


def test_reminders_for_missing_notes_go_to_the_sending_side_once(client, db, world, coming):
    _s, school, training = coming(5)
    teacher = world.user(Role.TEACHER)
    school.responsible_id = teacher.id
    db.session.commit()
    assert remind_missing_notes(TODAY, 14) == 1
    assert remind_missing_notes(TODAY, 14) == 0  # not repeated
    db.session.commit()
    [reminder] = (
        db.session.execute(
            select(Notification).where(Notification.kind == NotificationKind.HANDOVER_MISSING)
        )
        .scalars()
        .all()
    )
    assert reminder.user_id == teacher.id and reminder.period_id == training.id
    login(client, teacher)
    page = client.get("/notifications").text
    assert "Ida Kommende starter" in page and "ikke skrevet et overleveringsnotat" in page


def test_notify_transitions_command_shows_progress(runner, db, world, coming):
    coming(5)
    result = runner.invoke(args=["notify-transitions"])
    assert result.exit_code == 0, result.output
    assert "Transitions checked: 1/1" in result.output
    assert "Reminders created:" in result.output


def test_opening_a_notification_marks_it_read(client, db, world):
    teacher = world.user(Role.TEACHER)
    login(client, teacher)
    notification = db.session.execute(
        select(Notification).filter_by(user_id=teacher.id)
    ).scalar_one()
    assert '<span class="badge badge-info">1</span>' in client.get("/students/").text
    response = post(client, f"/notifications/{notification.id}/open")
    assert response.headers["Location"] == _url(world.a.student, world.a.training_period)
    db.session.refresh(notification)
    assert notification.read_at is not None
    assert '<span class="badge badge-info">' not in client.get("/students/").text


def test_someone_elses_notification_is_not_found(client, db, world):
    login(client, world.user(Role.TEACHER))
    theirs = db.session.execute(
        select(Notification).filter_by(user_id=world.user(Role.COUNSELLOR).id)
    ).scalar_one()
    assert post(client, f"/notifications/{theirs.id}/open").status_code == 404


# --- drafts ---------------------------------------------------------------------------------


def _draft(client, s, training, data=None, version=""):
    data = {**(data or NOTE), "action": "draft", "version": version}
    return post(client, _url(s, training, "write"), data)


def _notifications(db, training):
    return (
        db.session.execute(select(Notification).where(Notification.period_id == training.id))
        .scalars()
        .all()
    )


def test_a_draft_notifies_no_one_and_stays_with_the_own_organisation(
    app, client, db, world, coming
):
    s, _, training = coming(3)
    login(client, world.user(Role.TEACHER))
    response = _draft(client, s, training, {**NOTE, "strengths": "KLADDE-TEKST"})
    assert response.headers["Location"] == _url(s, training)
    note = db.session.execute(select(HandoverNote).filter_by(to_period_id=training.id)).scalar_one()
    assert note.is_draft
    assert _notifications(db, training) == []
    assert "Overleveringsnotat" not in client.get(f"/students/{s.id}/history").text

    # The author and a colleague at the same school see it, marked as a draft, and list it.
    colleague = app.test_client()
    login(colleague, world.user(Role.COUNSELLOR))
    page = colleague.get(_url(s, training)).text
    assert "KLADDE-TEKST" in page and 'data-testid="draft-notice"' in page
    assert "Kladde" in colleague.get(f"/students/{s.id}").text
    drafts = colleague.get("/handovers/drafts").text
    assert f'data-testid="draft-{note.id}"' in drafts and "Kommende, Ida" in drafts

    # The receiving side (another organisation) does not: no text, no acknowledging (404),
    # nothing in its lists.
    for role in (Role.SUPERVISOR, Role.TRAINING_COORDINATOR, Role.MUNICIPALITY_ADMIN):
        other = app.test_client()
        login(other, world.user(role))
        page = other.get(_url(s, training))
        assert page.status_code == 200 and "KLADDE-TEKST" not in page.text
        assert "Mangler" in page.text
        assert post(other, _url(s, training, "acknowledge"), {"version": "1"}).status_code == 404
        assert 'data-testid="draft-' not in other.get("/handovers/drafts").text
        assert "KLADDE-TEKST" not in other.get(f"/students/{s.id}").text
    db.session.refresh(note)
    assert note.acknowledged_at is None


def test_a_draft_may_be_incomplete_but_sending_needs_every_required_field(
    client, db, world, coming
):
    s, _, training = coming(3)
    login(client, world.user(Role.TEACHER))
    assert _draft(client, s, training, {"strengths": "Halvt færdig"}).status_code == 302
    note = db.session.execute(select(HandoverNote).filter_by(to_period_id=training.id)).scalar_one()
    version = str(note.version_id)
    response = post(
        client,
        _url(s, training, "write"),
        {"strengths": "Halvt færdig", "action": "send", "version": version},
    )
    assert response.status_code == 200 and 'data-testid="error-first_weeks"' in response.text
    db.session.refresh(note)
    assert note.is_draft and _notifications(db, training) == []


def test_sending_a_draft_notifies_and_writes_the_history_once(app, client, db, world, coming):
    s, _, training = coming(3)
    login(client, world.user(Role.TEACHER))
    _draft(client, s, training)
    note = db.session.execute(select(HandoverNote).filter_by(to_period_id=training.id)).scalar_one()
    response = post(
        client,
        _url(s, training, "write"),
        {**NOTE, "strengths": "Sendt nu", "action": "send", "version": str(note.version_id)},
    )
    assert response.headers["Location"] == _url(s, training)
    db.session.refresh(note)
    assert not note.is_draft and note.strengths == "Sendt nu"
    [notification] = _notifications(db, training)
    assert notification.user_id == world.user(Role.SUPERVISOR).id
    assert notification.kind == NotificationKind.HANDOVER_WRITTEN
    history = client.get(f"/students/{s.id}/history").text
    assert history.count("Overleveringsnotat skrevet") == 1
    # Now the receiving side reads it, and it is no longer a draft anywhere.
    supervisor = app.test_client()
    login(supervisor, world.user(Role.SUPERVISOR))
    assert "Sendt nu" in supervisor.get(_url(s, training)).text
    assert f'data-testid="draft-{note.id}"' not in client.get("/handovers/drafts").text
    # A sent note stays sent: the form offers no draft button, and a forged one still sends.
    assert 'data-testid="save-draft"' not in client.get(_url(s, training, "write")).text
    _draft(client, s, training, {**NOTE, "strengths": "Rettet"}, version=str(note.version_id))
    db.session.refresh(note)
    assert not note.is_draft and note.strengths == "Rettet"


def test_two_colleagues_editing_the_same_draft_second_is_refused(app, client, db, world, coming):
    s, _, training = coming(3)
    login(client, world.user(Role.TEACHER))
    _draft(client, s, training)
    note = db.session.execute(select(HandoverNote).filter_by(to_period_id=training.id)).scalar_one()
    version = str(note.version_id)
    colleague = app.test_client()
    login(colleague, world.user(Role.COUNSELLOR))
    _draft(client, s, training, {**NOTE, "strengths": "Første"}, version=version)
    response = post(
        colleague,
        _url(s, training, "write"),
        {**NOTE, "strengths": "Anden", "action": "send", "version": version},
    )
    assert response.headers["Location"] == _url(s, training, "write")
    db.session.refresh(note)
    assert note.strengths == "Første" and note.is_draft
    assert _notifications(db, training) == []


def test_a_draft_is_not_in_the_students_access_request_export(client, db, world, coming):
    from app.export.collect import SECTION_TABLE

    s, _, training = coming(3)
    login(client, world.user(Role.TEACHER))
    _draft(client, s, training)
    [section] = [x for x in SECTION_TABLE if x.name == "handover_notes"]
    rows = db.session.execute(section.query(s.id, [])).scalars().all()
    assert rows == []


def test_the_drafts_list_takes_the_same_queries_for_one_draft_or_several(
    client, db, world, coming, count_queries
):
    teacher = world.user(Role.TEACHER)
    login(client, teacher)
    s, _, training = coming(3)
    _draft(client, s, training)
    with count_queries() as one:
        client.get("/handovers/drafts")
    for days in (4, 5, 6):
        s, _, training = coming(days)
        _draft(client, s, training)
    with count_queries() as four:
        page = client.get("/handovers/drafts").text
    assert page.count('data-testid="draft-') == 4
    assert four.count == one.count


def test_the_menu_badge_counts_up_to_its_maximum(client, db, world, monkeypatch):
    """The badge shows "N+" beyond its maximum, so no page counts every unread notification."""
    from app import notifications

    teacher = world.user(Role.TEACHER)
    for kind in (NotificationKind.WARNING_GIVEN, NotificationKind.CONCERN_RECORDED):
        db.session.add(
            Notification(
                user_id=teacher.id,
                kind=kind,
                student_id=world.a.student.id,
                period_id=world.a.training_period.id,
            )
        )
    db.session.commit()
    login(client, teacher)
    assert '<span class="badge badge-info">3</span>' in client.get("/students/").text
    monkeypatch.setattr(notifications, "BADGE_MAX", 2)
    assert '<span class="badge badge-info">2+</span>' in client.get("/students/").text
