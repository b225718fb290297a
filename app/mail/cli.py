"""`flask mail deliver` (send what is due, once: cron or development) and `flask mail worker`
(the RQ worker on MAIL_QUEUE_URL plus the sweeper), registered by app.cli."""

from __future__ import annotations

import logging
import threading
import time

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from app.extensions import db
from app.mail import queue
from app.mail.delivery import deliver_due
from app.models import MailStatus, OutboxMessage

log = logging.getLogger(__name__)

mail = AppGroup("mail", help="The e-mail outbox: deliver it, or run its worker.")


def _counts() -> dict[MailStatus, int]:
    rows = db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    )
    return dict(rows.all())


@mail.command("deliver")
def deliver_command() -> None:
    """Send every queued message that is due, once (from cron, or in development)."""
    sent = deliver_due()
    counts = _counts()
    click.echo(
        f"Sent {sent} message(s). Queued: {counts.get(MailStatus.QUEUED, 0)}, "
        f"failed: {counts.get(MailStatus.FAILED, 0)}."
    )


class Sweeper(threading.Thread):
    """Every `seconds`, deliver what is due straight from the outbox (first at start).

    It needs no Redis: a message whose push failed, or whose retry after an SMTP failure has
    come due, is found here. It runs in the worker's process as a thread; RQ's own cron
    scheduler (rq.cron) would be a separate process that only enqueues jobs, and so would
    depend on the Redis that may be the thing that is down."""

    def __init__(self, app: Flask, seconds: int) -> None:
        super().__init__(name="mail-sweeper", daemon=True)
        self.app = app
        self.seconds = seconds
        self.stopping = threading.Event()

    def sweep(self) -> int:
        with self.app.app_context():
            try:
                return deliver_due()
            except Exception:  # the database may be away; try again next round
                log.exception("Mail sweep failed")
                db.session.rollback()
                return 0

    def run(self) -> None:
        while not self.stopping.is_set():
            sent = self.sweep()
            if sent:
                log.info("Mail sweeper sent %d message(s)", sent)
            self.stopping.wait(self.seconds)


@mail.command("worker")
@click.option("--burst", is_flag=True, help="Run the queued jobs, then stop (no sweeper).")
@click.option(
    "--sweep-seconds",
    type=click.IntRange(min=1),
    default=None,
    help="How often the sweeper delivers what is due (default MAIL_SWEEP_SECONDS).",
)
def worker_command(burst: bool, sweep_seconds: int | None) -> None:
    """The RQ worker for the mail queue (MAIL_QUEUE_URL), and the sweeper beside it."""
    from redis import RedisError
    from rq import SimpleWorker

    config = current_app.config
    if not config.get("MAIL_QUEUE_URL"):
        raise click.UsageError(
            "MAIL_QUEUE_URL is not set (e.g. redis://127.0.0.1:6379/0). Without Redis, run "
            "`flask mail deliver` from cron instead."
        )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    sweeper = Sweeper(
        current_app._get_current_object(), sweep_seconds or config["MAIL_SWEEP_SECONDS"]
    )
    if not burst:
        sweeper.start()
    try:
        while True:
            try:
                redis = queue.connection()
                # SimpleWorker runs each job in this process: a job is one short SMTP
                # conversation, and a forked child would share this process's database
                # connections.
                worker = SimpleWorker([queue.queue(redis)], connection=redis)
                worker.work(burst=burst, logging_level="INFO")
                return
            except RedisError as error:
                if burst:
                    raise click.ClickException(f"Redis: {error}") from error
                log.warning("Mail queue unavailable (%s); the sweeper carries on. Retrying.", error)
                time.sleep(5)
    finally:
        sweeper.stopping.set()
