"""The outbox: a message is committed with its event, sent once, and kept when SMTP is away."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from app.mail import enqueue
from app.mail.delivery import claim, deliver, deliver_due
from app.models import MailStatus, OutboxMessage
from app.models.base import utcnow


def _queued(db, **kwargs) -> OutboxMessage:
    message = enqueue(
        kwargs.get("to", "stine@example.invalid"),
        kwargs.get("subject", "Elevsag: en overleveringsnote til dig"),
        kwargs.get("body", "Log ind for at læse den: https://elevsag.invalid/x"),
        kind="handover_written",
        calendar=kwargs.get("calendar"),
    )
    db.session.commit()
    return message


def test_a_message_rolled_back_with_its_event_is_never_sent(db, smtp_server):
    enqueue("a@example.invalid", "Emne", "Tekst", kind="handover_written")
    db.session.rollback()
    assert deliver_due() == 0
    assert smtp_server.messages == []
    assert db.session.execute(select(OutboxMessage)).first() is None


def test_a_queued_message_is_delivered_once(db, smtp_server):
    message = _queued(db)
    assert deliver_due("worker-a") == 1
    assert deliver_due("worker-b") == 0  # nothing left
    assert deliver(message.id, "worker-b") is False  # already sent: no second copy
    assert len(smtp_server.messages) == 1
    received = smtp_server.messages[0]
    assert received["Subject"] == "Elevsag: en overleveringsnote til dig"
    assert received.envelope_to == ["stine@example.invalid"]
    db.session.refresh(message)
    assert message.status == MailStatus.SENT and message.sent_at is not None
    assert message.attempts == 1


def test_two_workers_claiming_the_same_message_send_it_once(db, smtp_server):
    message = _queued(db)
    assert claim(message.id, "worker-a") is True
    assert claim(message.id, "worker-b") is False
    assert deliver(message.id, "worker-b") is False
    assert smtp_server.messages == []


def test_smtp_down_keeps_the_message_queued_and_it_goes_out_when_it_is_back(app, db, smtp_server):
    message = _queued(db)
    smtp_server.stop()
    assert deliver_due() == 0
    db.session.refresh(message)
    assert message.status == MailStatus.QUEUED
    assert message.attempts == 1
    assert "Connection refused" in message.last_error or message.last_error
    assert message.next_attempt_at > utcnow() + timedelta(seconds=30)  # back-off
    assert deliver_due() == 0  # not due yet

    smtp_server.start()
    db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
    db.session.commit()
    assert deliver_due() == 1
    assert len(smtp_server.messages) == 1
    db.session.refresh(message)
    assert message.status == MailStatus.SENT and message.last_error == ""


def test_after_the_last_attempt_the_message_is_failed_with_its_reason(app, db, smtp_server):
    app.config["MAIL_MAX_ATTEMPTS"] = 2
    message = _queued(db)
    smtp_server.stop()
    for _ in range(2):
        db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
        db.session.commit()
        deliver_due()
    db.session.refresh(message)
    assert message.status == MailStatus.FAILED
    assert message.attempts == 2 and message.last_error


def test_a_message_whose_worker_died_while_sending_is_queued_again(app, db, smtp_server):
    message = _queued(db)
    assert claim(message.id, "worker-that-died")
    db.session.execute(update(OutboxMessage).values(claimed_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    assert deliver_due("worker-b") == 1
    assert len(smtp_server.messages) == 1


def test_a_calendar_invitation_is_attached_as_text_calendar(db, smtp_server):
    ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
    _queued(db, calendar=ics)
    deliver_due()
    parts = [p.get_content_type() for p in smtp_server.messages[0].walk()]
    assert "text/calendar" in parts
