"""E-mail notices, delivered to a real SMTP server: who gets which mail, what it says (never the
student), when (immediately, in the daily summary, or not at all)."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from app.journey import handovers
from app.mail import notices
from app.mail.delivery import deliver_due
from app.models import (
    ActionItem,
    ExperienceCategory,
    MailChoice,
    MailPreference,
    Notification,
    NotificationKind,
    Period,
    Role,
    TrainingWarning,
)
from app.models.base import today as app_today
from app.reviews import services as review_services
from app.training import services as training_services
from tests import factories
from tests.conftest import login, post

K = NotificationKind
FIRST, LAST = "Zebulon", "Quintavalle-Ørnsholm"
CASE_TEXT = "Mistede nøglerne til medicinskabet"


@pytest.fixture
def student(world):
    """A student with a name no mail may hold: at school now, in training at side A's
    workplace in five days."""
    rows = factories.starts_training_soon(world.a, FIRST, LAST)
    factories.db.session.commit()
    return rows


def _text(message) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content()


def _calendar(message) -> str | None:
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            return part.get_payload(decode=True).decode()
    return None


def _delivered(smtp_server) -> dict[str, list]:
    """Deliver the outbox; the messages received, by recipient."""
    deliver_due()
    by_address: dict[str, list] = {}
    for message in smtp_server.messages:
        for address in message.envelope_to:
            by_address.setdefault(address, []).append(message)
    return by_address


def _no_personal_data(message, s) -> None:
    for text in (message["Subject"], _text(message), _calendar(message) or ""):
        for secret in (FIRST, LAST, s.student_number, CASE_TEXT):
            assert secret not in text, f"{secret!r} in {text!r}"


def _subject(message) -> str:
    return " ".join(message["Subject"].split())  # a long subject is folded over lines


def _link(message) -> str:
    return next(line for line in _text(message).splitlines() if line.startswith("https://"))


def _prefer(user, kind: NotificationKind, choice: MailChoice) -> None:
    factories.db.session.add(MailPreference(user_id=user.id, kind=kind.value, choice=choice))
    factories.db.session.flush()


# --- which events mail whom --------------------------------------------------------------------


def test_a_handover_note_mails_the_receiving_supervisor_only(
    client, db, world, student, smtp_server
):
    s, _school_period, training = student
    teacher = world.a.users[Role.TEACHER]
    login(client, teacher)
    response = post(
        client,
        f"/students/{s.id}/handovers/{training.id}/write",
        {
            "strengths": CASE_TEXT,
            "challenges": "",
            "agreed_support": "",
            "first_weeks": "Følg en fast kollega",
            "contact_person": "Kontaktlærer",
        },
    )
    assert response.status_code == 302
    received = _delivered(smtp_server)
    supervisor = world.a.users[Role.SUPERVISOR]
    assert list(received) == [supervisor.email]  # not side B's supervisor, nor anyone else
    [message] = received[supervisor.email]
    assert _subject(message) == "Elevsag: Der er en overleveringsnote til dig"
    assert "Plejecenter A" in _text(message)
    _no_personal_data(message, s)
    assert _link(message) == f"https://elevsag.test/students/{s.id}/handovers/{training.id}"


def test_the_link_leads_through_login_to_the_page(client, db, world, student, smtp_server):
    s, school_period, training = student
    handovers.save_note(
        s, school_period, training, None, _content(), world.a.users[Role.TEACHER], None
    )
    db.session.commit()
    supervisor = world.a.users[Role.SUPERVISOR]
    [message] = _delivered(smtp_server)[supervisor.email]
    path = urlsplit(_link(message)).path
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    response = post(
        client,
        "/login",
        {"email": supervisor.email, "password": factories.PASSWORD, "next": path},
    )
    assert response.headers["Location"].endswith(path)
    assert client.get(path).status_code == 200


def _content() -> handovers.NoteContent:
    return handovers.NoteContent(
        strengths=CASE_TEXT, challenges="", agreed_support="", first_weeks="", contact_person=""
    )


def test_a_near_transition_without_a_note_mails_the_sending_side(db, world, student, smtp_server):
    s, _school, _training = student
    handovers.remind_missing_notes(date.today(), 14)
    db.session.commit()
    handovers.remind_missing_notes(date.today(), 14)  # the next day's run: no new reminder
    db.session.commit()
    received = _delivered(smtp_server)
    school_a = {world.a.users[Role.TEACHER].email, world.a.users[Role.COUNSELLOR].email}
    assert set(received) == school_a
    for address in school_a:
        [message] = received[address]
        assert _subject(message) == "Elevsag: Et skifte nærmer sig og har ingen overleveringsnote"
        _no_personal_data(message, s)


def test_an_acknowledged_note_mails_its_author(db, world, student, smtp_server):
    s, school_period, training = student
    teacher, supervisor = world.a.users[Role.TEACHER], world.a.users[Role.SUPERVISOR]
    _prefer(teacher, K.NOTE_ACKNOWLEDGED, MailChoice.IMMEDIATELY)
    note = handovers.save_note(s, school_period, training, None, _content(), teacher, None)
    db.session.commit()
    _delivered(smtp_server)
    smtp_server.messages.clear()
    handovers.acknowledge(s, note, training, supervisor, note.version_id)
    db.session.commit()
    received = _delivered(smtp_server)
    assert list(received) == [teacher.email]
    [message] = received[teacher.email]
    assert _subject(message) == "Elevsag: Din overleveringsnote er kvitteret"
    _no_personal_data(message, s)


def _warn(world, s, training) -> None:
    """Side A's supervisor warns about `s` in `training`, with the case text as the reason."""
    training_services.give_warning(
        s,
        training,
        CASE_TEXT,
        factories.goals(s)[:1],
        "Ugentlig samtale",
        training.end_date,
        world.a.users[Role.SUPERVISOR],
    )


def _in_training(world):
    """A distinctively named student in training at side A's workplace now."""
    s = factories.student(
        world.a.school,
        first_name=FIRST,
        last_name=LAST,
        employer=world.a.municipality,
        training_at=world.a.workplace,
    )
    return s, factories.db.session.execute(
        select(Period).where(Period.student_id == s.id)
    ).scalar_one()


def test_a_concern_mails_the_school_side(db, world, smtp_server):
    s, training = _in_training(world)
    change = training_services.ExperienceChange(
        on_date=date.today(),
        category=ExperienceCategory.PROFESSIONAL,
        what_happened=CASE_TEXT,
        learned="",
        work_on="",
        concern=True,
    )
    training_services.record_experience(s, training, change, world.a.users[Role.SUPERVISOR])
    db.session.commit()
    received = _delivered(smtp_server)
    # The teacher at once; the counsellor's default for concerns is the daily summary.
    assert list(received) == [world.a.users[Role.TEACHER].email]
    [message] = received[world.a.users[Role.TEACHER].email]
    assert _subject(message) == "Elevsag: Der er registreret en bekymring om din elev"
    _no_personal_data(message, s)
    assert _link(message) == f"https://elevsag.test/students/{s.id}/periods/{training.id}/training"


def test_a_warning_mails_the_school_side(db, world, smtp_server):
    s, training = _in_training(world)
    _warn(world, s, training)
    db.session.commit()
    received = _delivered(smtp_server)
    school_a = {world.a.users[Role.TEACHER].email, world.a.users[Role.COUNSELLOR].email}
    assert set(received) == school_a
    for address in school_a:
        [message] = received[address]
        assert _subject(message) == "Elevsag: Din elev har fået en advarsel"
        _no_personal_data(message, s)


def test_a_warning_mails_the_students_own_account_a_link_to_it(client, db, world, smtp_server):
    s, training = _in_training(world)
    account = factories.student_account(s, "zebulon.elev@example.org")
    _warn(world, s, training)
    db.session.commit()
    warning_id = db.session.execute(
        select(TrainingWarning.id).where(TrainingWarning.student_id == s.id)
    ).scalar_one()
    received = _delivered(smtp_server)
    [message] = received[account.email]
    assert _subject(message) == "Elevsag: Dit oplæringssted har givet dig en varsling"
    _no_personal_data(message, s)
    link = _link(message)
    assert link == f"https://elevsag.test/me/warnings/{warning_id}"
    # The link leads through login to the warning addressed to the student.
    path = urlsplit(link).path
    assert client.get(path).headers["Location"].startswith("/login")
    login(client, account)
    assert CASE_TEXT in client.get(path).text
    # The school's mail is still the school's own.
    [school] = received[world.a.users[Role.TEACHER].email]
    assert _subject(school) == "Elevsag: Din elev har fået en advarsel"


def test_a_review_invitation_comes_with_a_calendar_invitation(db, world, smtp_server):
    s, _training = _in_training(world)
    counsellor, supervisor = world.a.users[Role.COUNSELLOR], world.a.users[Role.SUPERVISOR]
    plan = review_services.ReviewPlan(
        on_date=date.today() + timedelta(days=3),
        location="Mødelokale 2",
        participant_ids=[supervisor.id],
        agenda=CASE_TEXT,
    )
    review = review_services.schedule_review(s, plan, counsellor, date.today())
    db.session.commit()
    received = _delivered(smtp_server)
    assert list(received) == [supervisor.email]  # not the counsellor who planned it
    [message] = received[supervisor.email]
    assert _subject(message) == "Elevsag: Du er inviteret til en sagsgennemgang"
    calendar = _calendar(message)
    assert calendar is not None and "BEGIN:VEVENT" in calendar and "METHOD:REQUEST" in calendar
    assert "Mødelokale 2" in calendar and supervisor.email in calendar
    _no_personal_data(message, s)
    assert _link(message).endswith(f"/students/{s.id}/reviews/{review.id}")


def test_a_due_action_item_mails_its_owner_once(db, world, smtp_server):
    s, _training = _in_training(world)
    factories.review_objects(world.a)
    coordinator = world.a.users[Role.TRAINING_COORDINATOR]
    item = ActionItem(
        review_id=world.a.review.id,
        student_id=s.id,
        text=CASE_TEXT,
        owner_id=coordinator.id,
        due_date=date.today() + timedelta(days=1),
    )
    db.session.add(item)
    db.session.commit()
    assert notices.send_reminders(date.today()) == 1  # side A's other item is due in 14 days
    assert notices.send_reminders(date.today()) == 0  # the next run: already told
    received = _delivered(smtp_server)
    assert list(received) == [coordinator.email]
    [message] = received[coordinator.email]
    assert _subject(message) == "Elevsag: En af dine opfølgningsopgaver forfalder"
    assert _link(message) == "https://elevsag.test/action-items"
    _no_personal_data(message, s)
    # ... and it is an in-app notification too.
    assert (
        db.session.execute(
            select(func.count()).where(
                Notification.user_id == coordinator.id, Notification.kind == K.ACTION_ITEM_DUE
            )
        ).scalar_one()
        == 1
    )


def test_an_overdue_follow_up_mails_the_responsible_user_without_a_notification(
    db, world, smtp_server
):
    coordinator = world.a.users[Role.TRAINING_COORDINATOR]
    follow_up = world.a.follow_up
    follow_up.responsible_user_id = coordinator.id
    follow_up.deadline = date.today() - timedelta(days=1)
    world.b.follow_up.deadline = date.today() - timedelta(days=1)  # nobody responsible by name
    _prefer(coordinator, K.FOLLOW_UP_OVERDUE, MailChoice.IMMEDIATELY)
    db.session.commit()
    assert notices.send_reminders(date.today()) == 1
    assert notices.send_reminders(date.today()) == 0
    received = _delivered(smtp_server)
    assert list(received) == [coordinator.email]
    [message] = received[coordinator.email]
    assert _subject(message) == "Elevsag: Et opfølgningspunkt er overskredet"
    assert follow_up.text not in _text(message)
    assert _link(message).endswith(f"/partnership/meetings/{follow_up.meeting_id}")
    assert (
        db.session.execute(
            select(func.count()).where(Notification.kind == K.FOLLOW_UP_OVERDUE)
        ).scalar_one()
        == 0
    )


# --- preferences -------------------------------------------------------------------------------


def test_off_sends_nothing_ever(db, world, student, smtp_server):
    s, school_period, training = student
    supervisor = world.a.users[Role.SUPERVISOR]
    _prefer(supervisor, K.HANDOVER_WRITTEN, MailChoice.OFF)
    handovers.save_note(
        s, school_period, training, None, _content(), world.a.users[Role.TEACHER], None
    )
    db.session.commit()
    assert notices.send_digests(date.today() + timedelta(days=1)) == 0
    assert _delivered(smtp_server) == {}
    # The in-app notification is still there.
    assert (
        db.session.execute(
            select(func.count()).where(
                Notification.user_id == supervisor.id, Notification.period_id == training.id
            )
        ).scalar_one()
        == 1
    )


def test_the_digest_groups_a_days_notices_in_one_mail_once(db, world, smtp_server):
    teacher = world.a.users[Role.TEACHER]
    for kind in (K.WARNING_GIVEN, K.CONCERN_RECORDED, K.HANDOVER_MISSING):
        _prefer(teacher, kind, MailChoice.DIGEST)
    (first, first_training), (second, second_training) = _in_training(world), _in_training(world)
    for s, training in ((first, first_training), (second, second_training)):
        _warn(world, s, training)
    s, _school, _training = factories.starts_training_soon(world.a, FIRST, LAST)
    handovers.remind_missing_notes(date.today(), 14)
    db.session.commit()
    received = _delivered(smtp_server)
    assert teacher.email not in received  # nothing at once
    smtp_server.messages.clear()

    # Copenhagen's days: between 23:00 and midnight UTC it is already tomorrow there.
    today = app_today()
    tomorrow = today + timedelta(days=1)
    assert notices.send_digests(today) == 0  # today's notices wait for tomorrow
    assert notices.send_digests(tomorrow) >= 1
    assert notices.send_digests(tomorrow) == 0  # a second run the same day sends nothing
    received = _delivered(smtp_server)
    [message] = received[teacher.email]
    assert _subject(message) == "Elevsag: Dit daglige overblik"
    body = _text(message)
    assert body.startswith("I går i Elevsag: 1 skifte uden overleveringsnote, 2 advarsler."), body
    assert body.count("https://elevsag.test/students/") == 3
    for t in (first, second, s):
        _no_personal_data(message, t)
    # The counsellor, whose warnings come at once, gets only what they chose for the summary.
    counsellor_mails = received.get(world.a.users[Role.COUNSELLOR].email, [])
    assert all("advarsel" not in _text(m) for m in counsellor_mails)


def test_the_settings_page_saves_choices_and_refuses_nonsense(client, db, world):
    supervisor = world.a.users[Role.SUPERVISOR]
    login(client, supervisor)
    page = client.get("/account/e-mail")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "E-mail-notifikationer" in html
    assert 'value="immediately" checked data-testid="handover_written-immediately"' in html
    choices = {kind.value: "immediately" for kind in notices.KINDS}
    response = post(client, "/account/e-mail", {**choices, "handover_written": "sometimes"})
    assert response.status_code == 200
    assert "Ugyldigt valg." in response.get_data(as_text=True)
    assert notices.choices(supervisor)[K.HANDOVER_WRITTEN] == MailChoice.IMMEDIATELY
    response = post(client, "/account/e-mail", {**choices, "handover_written": "off"})
    assert response.status_code == 302
    assert notices.choices(supervisor)[K.HANDOVER_WRITTEN] == MailChoice.OFF
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Dine indstillinger for e-mail-notifikationer er gemt." in html
    missing = {k: v for k, v in choices.items() if k != "concern_recorded"}
    response = post(client, "/account/e-mail", missing)
    assert "Vælg, hvordan du vil have besked om dette." in response.get_data(as_text=True)


def test_defaults_differ_by_role(world):
    supervisor = world.a.users[Role.SUPERVISOR]
    counsellor = world.a.users[Role.COUNSELLOR]
    assert notices.choices(supervisor)[K.HANDOVER_WRITTEN] == MailChoice.IMMEDIATELY
    assert notices.choices(supervisor)[K.REVIEW_SCHEDULED] == MailChoice.IMMEDIATELY
    assert notices.choices(counsellor)[K.CONCERN_RECORDED] == MailChoice.DIGEST


def test_a_mail_is_written_in_the_recipients_language(db, world, student, smtp_server):
    s, school_period, training = student
    supervisor = world.a.users[Role.SUPERVISOR]
    supervisor.locale = "en"
    handovers.save_note(
        s, school_period, training, None, _content(), world.a.users[Role.TEACHER], None
    )
    db.session.commit()
    [message] = _delivered(smtp_server)[supervisor.email]
    assert _subject(message) == "Elevsag: There is a handover note for you"
    assert "Where: Plejecenter A" in _text(message)


def test_the_digest_command_runs_once_a_day(db, world, runner, smtp_server):
    teacher = world.a.users[Role.TEACHER]
    _prefer(teacher, K.WARNING_GIVEN, MailChoice.DIGEST)
    s, training = _in_training(world)
    _warn(world, s, training)
    db.session.commit()
    tomorrow = (app_today() + timedelta(days=1)).isoformat()
    first = runner.invoke(args=["mail", "digest", "--day", tomorrow])
    second = runner.invoke(args=["mail", "digest", "--day", tomorrow])
    assert "Daily summaries queued: 1" in first.output, first.output
    assert "Daily summaries queued: 0" in second.output
    received = _delivered(smtp_server)
    assert [_subject(m) for m in received[teacher.email]] == ["Elevsag: Dit daglige overblik"]
