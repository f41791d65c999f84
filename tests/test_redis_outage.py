"""Redis away (restarted, failed over): no page answers 500, and no work is lost. The
tables are the source of truth; what Redis could not take, a sweep queues again. Found by
the load-and-fault run (bench/faults.py), which restarts a real Redis under load."""
import logging
from datetime import timedelta

import pytest
import redis

from tests.conftest import REDIS_URL, build_app, confirmed_phone, unavailable
from wizard import jobs
from wizard.core import clock
from wizard.eligibility import service as eligibility
from wizard.eligibility.models import EligibilityCheck
from wizard.extensions import db, limiter
from wizard.jobs.worker import ThreadPoolWorker
from wizard.messaging import outbox
from wizard.messaging.mail import SmtpTransport
from wizard.web import limits


@pytest.fixture(autouse=True)
def _storage_alive_again():
    """The limiter is one object for every app of the test process: the storage it found
    dead here is not dead for the next test's app."""
    yield
    limiter._storage_dead = False


def nobody_listening() -> str:
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"  # the port is free again: a connection is refused


def test_a_check_confirmed_while_redis_is_away_is_kept_and_swept_later(new_app, caplog):
    app = new_app(JOB_RUNNER="rq", REDIS_URL=nobody_listening(), ELIGIBILITY_QUICK_ANSWER_SECONDS=0)
    client = app.test_client()
    confirmed_phone(client)
    with caplog.at_level(logging.WARNING, "wizard.jobs"):
        response = client.post("/inscription/eligibilite")
    assert response.status_code == 303
    assert response.headers["Location"] == "/inscription/verification-en-cours"
    assert "check_eligibility not queued (ConnectionError)" in caplog.text
    with app.app_context():
        [check] = db.session.query(EligibilityCheck).all()
        assert check.status == eligibility.QUEUED  # kept: the row is the job's state
        later = clock.now() + timedelta(seconds=61)
        assert eligibility.stale(db.session, later, grace=timedelta(seconds=60)) == [check.id]


def test_a_lost_retry_is_swept_soon_after_it_was_due(app):
    with app.app_context():
        now = clock.now()
        check = EligibilityCheck(id="c1", account_id="a1", status=eligibility.RETRYING, stage=0, unreachable=1,
                                 runs=1, created_at=now, updated_at=now, next_try_at=now)
        db.session.add(check)
        db.session.commit()
        grace = timedelta(seconds=60)
        assert eligibility.stale(db.session, now + timedelta(seconds=10), grace) == []  # its job may still come
        assert eligibility.stale(db.session, now + timedelta(seconds=16), grace) == ["c1"]


def test_limits_count_in_memory_while_redis_is_away():
    app = build_app(RATELIMIT_STORAGE_URI=nobody_listening(), RATELIMIT_CAPTCHA="3 per minute")
    with app.app_context():
        db.create_all()
    client = app.test_client()
    client.get("/inscription/verification")
    statuses = [client.post("/inscription/verification", data={"code": "0"}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_a_count_made_mid_request_is_skipped_while_redis_is_away(caplog):
    app = build_app(RATELIMIT_STORAGE_URI=nobody_listening())
    with app.test_request_context("/"), caplog.at_level(logging.WARNING, "wizard.web.limits"):
        assert limits.activation_email_allowed("jean.martin@exemple.fr")
    assert "RATELIMIT_ACTIVATION_EMAIL not counted: ConnectionError" in caplog.text


def test_enqueue_never_raises_when_redis_refuses():
    app = build_app(JOB_RUNNER="rq", REDIS_URL=nobody_listening())
    with app.app_context():
        jobs.enqueue("deliver_outbox")
        jobs.enqueue("deliver_outbox", delay=10)


def test_a_killed_senders_mail_waits_for_the_transports_lease_not_five_minutes(app):
    transport = SmtpTransport({**app.config, "MAIL_SERVER": "127.0.0.1", "MAIL_TIMEOUT_SECONDS": 2,
                               "MAIL_DEFAULT_SENDER": "ne-pas-repondre@sesame.test"})
    assert transport.lease == timedelta(seconds=20)
    with app.app_context():
        now = clock.now()
        outbox.queue_email(db.session, outbox.Email("jean@exemple.fr", "Sujet", "texte", "<p>texte</p>"),
                           "activation", None, now)
        db.session.commit()
        [message_id] = db.session.scalars(db.select(outbox.OutboxMessage.id)).all()
        assert outbox._claim(db.session, message_id, now, transport.lease) is not None  # ... and it dies
        assert outbox._claim(db.session, message_id, now + timedelta(seconds=19), transport.lease) is None
        assert outbox._claim(db.session, message_id, now + timedelta(seconds=21), transport.lease) is not None


@pytest.fixture
def reachable_redis():
    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        unavailable(f"Redis not reachable at {REDIS_URL}")
    return connection


def test_a_thread_pool_worker_replaces_a_dead_scheduler_within_30_seconds(reachable_redis):
    connection = reachable_redis
    assert ThreadPoolWorker(["sesame"], connection=connection).maintenance_interval == 30
    assert ThreadPoolWorker(["sesame"], connection=connection, maintenance_interval=120).maintenance_interval == 120


def test_a_thread_pool_worker_rides_out_redis_away(reachable_redis):
    """RQ's loop quits on a Redis error outside its wait for a job: not this worker's."""
    worker = ThreadPoolWorker(["sesame"], connection=redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2))
    worker.connection = redis.Redis.from_url(nobody_listening(), retry=None)
    worker.heartbeat()
    worker.check_for_suspension(burst=False)
    worker.run_maintenance_tasks()
