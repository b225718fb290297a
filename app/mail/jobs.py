"""The RQ job: deliver one outbox message.

It runs inside `flask mail worker`, which serves the queue with RQ's SimpleWorker in its own
process and app context (no fork: a forked child would share the parent's pooled database
connections). A plain `rq worker` has no app and is not supported: the job says so.
"""

from __future__ import annotations

from flask import has_app_context

from app.extensions import db
from app.mail.delivery import deliver


def deliver_job(message_id: int) -> bool:
    """True if this job sent the message; False if it was sent, failed or taken elsewhere."""
    if not has_app_context():
        raise RuntimeError("Run the mail queue with `flask mail worker`, not `rq worker`.")
    try:
        return deliver(message_id)
    except Exception:
        db.session.rollback()  # the next job starts with a usable session
        raise
