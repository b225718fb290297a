"""The queue on Redis: committed messages are pushed to RQ, a worker sends each once, and
nothing is lost when SMTP or Redis is away.

The tests that need Redis skip without it (CI sets ELEVSAG_TEST_REQUIRE_REDIS, and then they
fail instead); the one with two worker processes also needs PostgreSQL (TEST_DATABASE_URL),
since a second process cannot see the in-memory SQLite database.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from rq import Queue, SimpleWorker
from sqlalchemy import select, update

from app.mail import enqueue
from app.mail.cli import Sweeper
from app.models import MailStatus, OutboxMessage
from app.models.base import utcnow
from tests import clock

ROOT = Path(__file__).resolve().parent.parent.parent
REDIS_URL = "redis://127.0.0.1:6379/13"


def _redis_or_skip():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        reason = f"no Redis at {REDIS_URL} ({error})"
        if os.environ.get("ELEVSAG_TEST_REQUIRE_REDIS"):
            pytest.fail(f"{reason}, and ELEVSAG_TEST_REQUIRE_REDIS is set (CI)")
        pytest.skip(f"{reason}; CI runs this test")
    return client


@pytest.fixture
def mail_queue(app):
    """A queue of its own on Redis DB 13, set as the app's MAIL_QUEUE_URL; removed after."""
    redis = _redis_or_skip()
    name = f"elevsag-test-mail-{uuid.uuid4().hex}"
    app.config.update(MAIL_QUEUE_URL=REDIS_URL, MAIL_QUEUE_NAME=name)
    queue = Queue(name, connection=redis)
    queue.created_names = [name]
    yield queue
    for queue_name in queue.created_names:
        for key in redis.scan_iter(match=f"*{queue_name}*"):
            redis.delete(key)
        redis.srem("rq:queues", f"rq:queue:{queue_name}")
    redis.close()


def _job_ids(queue: Queue) -> list[str]:
    return list(queue.job_ids)


def _cleanup_jobs(queue: Queue, ids) -> None:
    for job_id in ids:
        queue.connection.delete(f"rq:job:{job_id}", f"rq:results:{job_id}")


def _message_ids_in(queue: Queue) -> list[int]:
    return [queue.fetch_job(job_id).args[0] for job_id in queue.job_ids]


def _write(db, count: int = 1) -> list[int]:
    messages = [
        enqueue(f"modtager{n}@example.invalid", "Elevsag: test", "Tekst", kind="test")
        for n in range(count)
    ]
    db.session.commit()
    return [m.id for m in messages]


def _burst(queue: Queue) -> None:
    ids = _job_ids(queue)
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    _cleanup_jobs(queue, ids)


def _make_due(db) -> None:
    db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
    db.session.commit()


def test_a_commit_pushes_one_job_per_message_and_a_rollback_none(db, mail_queue):
    enqueue("a@example.invalid", "Elevsag: test", "Tekst", kind="test")
    db.session.rollback()
    assert mail_queue.count == 0
    ids = _write(db, 2)
    assert sorted(_message_ids_in(mail_queue)) == sorted(ids)
    _cleanup_jobs(mail_queue, _job_ids(mail_queue))


def test_the_worker_sends_a_pushed_message(app, db, mail_queue, smtp_server):
    [message_id] = _write(db)
    _burst(mail_queue)
    assert [m["To"] for m in smtp_server.messages] == ["modtager0@example.invalid"]
    assert db.session.get(OutboxMessage, message_id, populate_existing=True).status == (
        MailStatus.SENT
    )


def test_smtp_down_keeps_it_queued_and_the_sweeper_sends_it_when_smtp_is_back(
    app, db, mail_queue, smtp_server
):
    smtp_server.stop()
    [message_id] = _write(db)
    _burst(mail_queue)
    message = db.session.get(OutboxMessage, message_id, populate_existing=True)
    assert message.status == MailStatus.QUEUED and message.attempts == 1 and message.last_error
    assert mail_queue.count == 0  # the job is done; the retry is the sweeper's

    smtp_server.start()
    _make_due(db)  # as if the back-off had passed
    assert Sweeper(app, 30).sweep() == 1
    assert len(smtp_server.messages) == 1
    message = db.session.get(OutboxMessage, message_id, populate_existing=True)
    assert message.status == MailStatus.SENT and message.attempts == 2


def test_a_message_written_while_redis_is_away_is_kept_and_swept(app, db, smtp_server):
    with socket_closed_port() as port:
        app.config.update(MAIL_QUEUE_URL=f"redis://127.0.0.1:{port}/0")
        [message_id] = _write(db)  # the commit succeeds; the failed push is only logged
    assert db.session.get(OutboxMessage, message_id).status == MailStatus.QUEUED
    assert Sweeper(app, 30).sweep() == 1
    assert len(smtp_server.messages) == 1


class socket_closed_port:
    """A loopback port where nothing listens."""

    def __enter__(self) -> int:
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]

    def __exit__(self, *_exc) -> None:
        return None


def test_flask_mail_deliver_sends_what_is_due(runner, db, smtp_server):
    _write(db, 2)
    result = runner.invoke(args=["mail", "deliver"])
    assert result.exit_code == 0, result.output
    assert "Sent 2 message(s)" in result.output
    assert len(smtp_server.messages) == 2


def test_the_worker_needs_a_queue_url(runner):
    result = runner.invoke(args=["mail", "worker", "--burst"])
    assert result.exit_code != 0
    assert "MAIL_QUEUE_URL is not set" in result.output


def _worker_process(queue_name: str, smtp_port: int) -> subprocess.Popen:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"TEST_DATABASE_URL", "RATELIMIT_STORAGE_URI", "REDIS_URL"}
    }
    env.update(
        ELEVSAG_CONFIG="production",
        SECRET_KEY="mail-worker-test-" + "x" * 32,
        PUBLIC_BASE_URL="https://elevsag.test",  # production requires it (Config.validate)
        ELEVSAG_SINGLE_PROCESS="1",
        DATABASE_URL=os.environ["TEST_DATABASE_URL"],
        MAIL_QUEUE_URL=REDIS_URL,
        MAIL_QUEUE_NAME=queue_name,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(smtp_port),
    )
    flask = Path(sys.executable).with_name("flask")
    return subprocess.Popen(  # noqa: S603 - our own flask, fixed arguments
        clock.command([str(flask), "--app", "wsgi", "mail", "worker", "--burst"]),
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_two_worker_processes_given_the_same_messages_send_each_once(
    app, db, mail_queue, smtp_server
):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL): two processes share the database")
    ids = _write(db, 30)  # pushed to the first queue by the commit
    other = Queue(f"{mail_queue.name}-b", connection=mail_queue.connection)
    mail_queue.created_names.append(other.name)
    for message_id in ids:  # the same ids to a second queue, served by a second process
        other.enqueue("app.mail.jobs.deliver_job", message_id, result_ttl=0)
    job_ids = _job_ids(mail_queue) + _job_ids(other)

    workers = [_worker_process(q.name, smtp_server.port) for q in (mail_queue, other)]
    try:
        outputs = [w.communicate(timeout=60)[0] for w in workers]
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
        _cleanup_jobs(mail_queue, job_ids)
    assert [w.returncode for w in workers] == [0, 0], outputs

    received = sorted(m["To"] for m in smtp_server.messages)
    assert received == sorted(f"modtager{n}@example.invalid" for n in range(30))
    rows = db.session.execute(
        select(OutboxMessage.status, OutboxMessage.attempts).execution_options(
            populate_existing=True
        )
    ).all()
    assert {(status, attempts) for status, attempts in rows} == {(MailStatus.SENT, 1)}
    assert mail_queue.count == 0 and other.count == 0


def test_messages_due_later_are_not_taken_early_by_the_sweeper(app, db, smtp_server):
    [message_id] = _write(db)
    db.session.execute(
        update(OutboxMessage).values(next_attempt_at=utcnow() + timedelta(minutes=5))
    )
    db.session.commit()
    assert Sweeper(app, 30).sweep() == 0
    assert smtp_server.messages == []
    assert db.session.get(OutboxMessage, message_id).status == MailStatus.QUEUED


def test_sending_a_failed_message_again_pushes_it_to_the_worker(client, db, mail_queue):
    from app.models import Role
    from tests import factories
    from tests.conftest import login, post

    admin = factories.user(Role.SYSTEM_ADMIN)
    message = OutboxMessage(
        to_address="a@example.invalid", subject="Elevsag: test", body="Tekst", kind="test"
    )
    message.status, message.attempts = MailStatus.FAILED, 8
    db.session.add(message)
    db.session.commit()
    login(client, admin)
    assert post(client, f"/admin/outbox/{message.id}/send-again").status_code == 302
    assert _message_ids_in(mail_queue) == [message.id]
    _cleanup_jobs(mail_queue, _job_ids(mail_queue))
