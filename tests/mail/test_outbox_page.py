"""The outbox page: the system administrator sees where mail went and whether it went, never
what it says (except in development), and can send a failed message again."""

from __future__ import annotations

from app.models import MailStatus, OutboxMessage, Role
from tests import factories
from tests.conftest import login, post

SECRET_BODY = "Log ind for at se siden: https://elevsag.invalid/hemmelig-sti"


def _message(db, status=MailStatus.QUEUED, **kwargs) -> OutboxMessage:
    message = OutboxMessage(
        to_address=kwargs.get("to", "stine@example.invalid"),
        subject=kwargs.get("subject", "Elevsag: Der er en overleveringsnote til dig"),
        body=kwargs.get("body", SECRET_BODY),
        kind=kwargs.get("kind", "handover_written"),
        status=status,
        attempts=kwargs.get("attempts", 0),
        last_error=kwargs.get("last_error", ""),
    )
    db.session.add(message)
    db.session.commit()
    return message


def _system_admin(client):
    admin = factories.user(Role.SYSTEM_ADMIN)
    factories.db.session.commit()
    login(client, admin)
    return admin


def test_the_admin_sees_status_kind_address_attempts_and_error_but_not_the_text(client, db):
    _system_admin(client)
    failed = _message(
        db,
        MailStatus.FAILED,
        to="ole@example.invalid",
        kind="review_invitation",
        attempts=8,
        last_error="SMTPRecipientsRefused: 550 no such user",
    )
    page = client.get("/admin/outbox")
    assert page.status_code == 200
    row = page.text.split(f'data-testid="message-{failed.id}"')[1].split("</tr>")[0]
    assert "ole@example.invalid" in row and "review_invitation" in row
    assert "Fejlet" in row and ">8<" in row and "550 no such user" in row
    assert SECRET_BODY not in page.text
    assert "Der er en overleveringsnote" not in page.text
    assert 'data-testid="send-now"' not in page.text


def test_the_list_filters_by_status_and_pages(client, db):
    _system_admin(client)
    for n in range(12):
        _message(db, MailStatus.SENT, to=f"sendt{n}@example.invalid")
    _message(db, MailStatus.FAILED, to="fejl@example.invalid")
    failed_only = client.get("/admin/outbox?status=failed").text
    assert "fejl@example.invalid" in failed_only and "sendt1@example.invalid" not in failed_only
    first, second = client.get("/admin/outbox").text, client.get("/admin/outbox?page=2").text
    shown = [f"sendt{n}@" in first or f"sendt{n}@" in second for n in range(12)]
    assert all(shown)
    assert sum(f"sendt{n}@" in first for n in range(12)) < 12  # not all on one page
    assert client.get("/admin/outbox?status=nonsense").status_code == 200


def test_a_failed_message_can_be_sent_again(client, db):
    _system_admin(client)
    failed = _message(db, MailStatus.FAILED, attempts=8, last_error="Connection refused")
    response = post(client, f"/admin/outbox/{failed.id}/send-again", follow_redirects=True)
    assert "sat i kø og bliver sendt igen" in response.text
    message = db.session.get(OutboxMessage, failed.id)
    assert message.status == MailStatus.QUEUED and message.attempts == 0


def test_a_message_that_did_not_fail_is_not_sent_again(client, db):
    _system_admin(client)
    sent = _message(db, MailStatus.SENT, attempts=1)
    response = post(client, f"/admin/outbox/{sent.id}/send-again", follow_redirects=True)
    assert "Kun en fejlet besked kan sendes igen" in response.text
    assert db.session.get(OutboxMessage, sent.id).status == MailStatus.SENT


def test_other_admins_do_not_see_the_outbox(client, db, world):
    login(client, world.user(Role.SCHOOL_ADMIN))
    message = _message(db, MailStatus.FAILED)
    assert client.get("/admin/outbox").status_code in (403, 404)
    assert post(client, f"/admin/outbox/{message.id}/send-again").status_code in (403, 404)
    assert db.session.get(OutboxMessage, message.id).status == MailStatus.FAILED


def test_outside_development_there_is_no_send_now(client, db):
    _system_admin(client)
    message = _message(db)
    assert post(client, "/admin/outbox/send-now").status_code == 404
    assert db.session.get(OutboxMessage, message.id).status == MailStatus.QUEUED


def test_in_development_the_page_shows_the_text_and_sends_now(app, client, db):
    app.config["MAIL_OUTBOX_SHOWS_CONTENT"] = True
    _system_admin(client)
    message = _message(db)
    page = client.get("/admin/outbox")
    assert SECRET_BODY in page.text
    assert "Der er en overleveringsnote til dig" in page.text
    mailman = app.extensions["mailman"]
    before = len(getattr(mailman, "outbox", []))
    response = post(client, "/admin/outbox/send-now", follow_redirects=True)
    assert "1 besked(er) sendt" in response.text
    assert db.session.get(OutboxMessage, message.id).status == MailStatus.SENT
    assert [m.to for m in mailman.outbox[before:]] == [["stine@example.invalid"]]
