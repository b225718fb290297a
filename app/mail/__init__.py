"""E-mail: written to the outbox with the event that causes it, delivered by a worker.

`enqueue` is the one way code sends mail. It adds an `OutboxMessage` to the current database
session, so the message is committed (or rolled back) with the event. After the commit its id
is pushed to the RQ queue on Redis (app.mail.queue), when MAIL_QUEUE_URL is set. Delivery is
app.mail.delivery: a worker claims a queued message, sends it over SMTP with Flask-Mailman and
records the outcome, retrying with back-off when the server is away. `flask mail worker` runs
the RQ worker and a sweeper; `flask mail deliver` sends what is due once (app.mail.cli).

What a message may say is in docs/mail.md: never a student's name or case content, only what
kind of thing happened and a link that leads through login to the page.
"""

from __future__ import annotations

from app.extensions import db
from app.mail import queue
from app.models import OutboxMessage, User

queue.listen(db.session)


def enqueue(
    to_address: str,
    subject: str,
    body: str,
    *,
    kind: str,
    user: User | None = None,
    calendar: str | None = None,
) -> OutboxMessage:
    """Queue one message in the current transaction; it is delivered after the commit."""
    message = OutboxMessage(
        to_address=to_address,
        subject=subject[:200],
        body=body,
        kind=kind,
        user_id=user.id if user is not None else None,
        calendar=calendar,
    )
    db.session.add(message)
    queue.remember(db.session(), message)
    return message
