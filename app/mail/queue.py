"""Handing committed outbox messages to the RQ worker on Redis.

`enqueue` (app.mail) notes each new message in the session's `info`. After the transaction
commits, `push_after_commit` pushes one RQ job per message (app.mail.jobs.deliver_job) to the
queue MAIL_QUEUE_NAME on the Redis at MAIL_QUEUE_URL; a rollback forgets them, as it forgets
the rows. With no MAIL_QUEUE_URL (`make run`, the tests) nothing is pushed: the messages wait
in the outbox for `flask mail deliver` or the outbox page.

The job only says "look at message N"; the row is the truth. A job pushed twice, or run by two
workers, sends once (the claim in app.mail.delivery). A push that fails (Redis away) is only
logged: the worker's sweeper finds the message in the outbox and sends it anyway.
"""

from __future__ import annotations

import logging

from flask import current_app, has_app_context
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

PENDING = "elevsag_mail_pending"
JOB = "app.mail.jobs.deliver_job"

log = logging.getLogger(__name__)


def remember(session: Session, message) -> None:
    """Push `message` to the worker once `session`'s transaction has committed."""
    session.info.setdefault(PENDING, []).append(message)


def _committed_ids(session: Session) -> list[int]:
    ids = []
    for message in session.info.pop(PENDING, []):
        identity = inspect(message).identity  # set at the flush; reading it runs no SQL
        if identity is not None:
            ids.append(identity[0])
    return ids


def _forget(session: Session, *_args) -> None:
    session.info.pop(PENDING, None)


def _after_commit(session: Session) -> None:
    ids = _committed_ids(session)
    if ids and has_app_context() and current_app.config.get("MAIL_QUEUE_URL"):
        push(ids)


def connection(url: str | None = None):
    """A Redis client for the mail queue. Short timeouts: a request that committed a message
    must not hang on a Redis that does not answer (the sweeper sends the message then)."""
    from redis import Redis

    return Redis.from_url(
        url or current_app.config["MAIL_QUEUE_URL"], socket_connect_timeout=2, socket_timeout=5
    )


def queue(redis=None):
    from rq import Queue

    return Queue(current_app.config["MAIL_QUEUE_NAME"], connection=redis or connection())


def push(ids: list[int]) -> int:
    """Push one job per message id; the number pushed. Never raises: what is not pushed is
    delivered by the sweeper."""
    from redis import RedisError

    try:
        redis = connection()
        mail_queue = queue(redis)
        with redis.pipeline() as pipe:
            for message_id in ids:
                mail_queue.enqueue(
                    JOB,
                    message_id,
                    pipeline=pipe,
                    result_ttl=0,
                    failure_ttl=24 * 3600,
                    description=f"mail {message_id}",
                )
            pipe.execute()
        return len(ids)
    except RedisError as error:
        log.warning(
            "Mail queue unavailable, %d message(s) left to the sweeper: %s", len(ids), error
        )
        return 0


def listen(session_class) -> None:
    """Install the hooks on the session class (idempotent)."""
    if not event.contains(session_class, "after_commit", _after_commit):
        event.listen(session_class, "after_commit", _after_commit)
        event.listen(session_class, "after_rollback", _forget)
