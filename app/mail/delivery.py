"""Delivering the outbox: claim a queued message, send it, record what happened.

The claim is one conditional UPDATE (queued and due -> sending, by this worker), committed
before anything is sent: of several workers on several hosts that try the same message, only
the one whose UPDATE changed a row sends it. A failed attempt puts the message back in the
queue with exponential back-off (MAIL_RETRY_SECONDS x 2^(attempt-1)); after MAIL_MAX_ATTEMPTS
it is marked failed with the reason, for an admin to see.

A message left in "sending" for longer than MAIL_CLAIM_TIMEOUT_SECONDS (its worker died while
sending) is put back in the queue by `deliver_due`. That is the one case in which a message can
be sent twice: if the worker died after the SMTP server accepted it but before it recorded so.
"""

from __future__ import annotations

import os
import socket
from datetime import timedelta

from flask import current_app
from flask_mailman import EmailMultiAlternatives
from sqlalchemy import select, update

from app.extensions import db
from app.models import MailStatus, OutboxMessage
from app.models.base import utcnow


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def claim(message_id: int, worker: str) -> bool:
    """Take a queued, due message for `worker`; False if another worker has it or it is done."""
    now = utcnow()
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status == MailStatus.QUEUED,
            OutboxMessage.next_attempt_at <= now,
        )
        .values(
            status=MailStatus.SENDING,
            claimed_by=worker[:120],
            claimed_at=now,
            attempts=OutboxMessage.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def _send(message: OutboxMessage) -> None:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body,
        from_email=current_app.config["MAIL_DEFAULT_SENDER"],
        to=[message.to_address],
    )
    if message.calendar:
        email.attach("invitation.ics", message.calendar, "text/calendar; method=REQUEST")
    email.send(fail_silently=False)


def deliver(message_id: int, worker: str | None = None) -> bool:
    """Send one message if this worker can claim it. True if it was sent now."""
    worker = worker or worker_name()
    if not claim(message_id, worker):
        return False
    message = db.session.get(OutboxMessage, message_id, populate_existing=True)
    try:
        _send(message)
    except Exception as error:  # any failure to send is recorded and retried
        _failed(message, error)
        db.session.commit()
        return False
    message.status = MailStatus.SENT
    message.sent_at = utcnow()
    message.last_error = ""
    db.session.commit()
    return True


def _failed(message: OutboxMessage, error: Exception) -> None:
    config = current_app.config
    message.last_error = f"{type(error).__name__}: {error}"[:1000]
    message.claimed_by = ""
    if message.attempts >= config["MAIL_MAX_ATTEMPTS"]:
        message.status = MailStatus.FAILED
        return
    delay = config["MAIL_RETRY_SECONDS"] * 2 ** (message.attempts - 1)
    message.status = MailStatus.QUEUED
    message.next_attempt_at = utcnow() + timedelta(seconds=delay)


def requeue_abandoned() -> int:
    """Put messages whose worker died while sending back in the queue."""
    cutoff = utcnow() - timedelta(seconds=current_app.config["MAIL_CLAIM_TIMEOUT_SECONDS"])
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == MailStatus.SENDING, OutboxMessage.claimed_at < cutoff)
        .values(status=MailStatus.QUEUED, claimed_by="")
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount


def due_ids(limit: int = 500) -> list[int]:
    query = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status == MailStatus.QUEUED, OutboxMessage.next_attempt_at <= utcnow())
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    return list(db.session.execute(query).scalars())


def deliver_due(worker: str | None = None, limit: int = 500) -> int:
    """Deliver every queued message that is due; the number sent."""
    requeue_abandoned()
    return sum(deliver(message_id, worker) for message_id in due_ids(limit))
