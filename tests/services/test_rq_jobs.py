"""The RQ backend against the real Redis, with real `rq worker` processes: a check runs in
a worker; a worker killed in the middle of a check is replaced."""
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
import redis
import rq

from tests.conftest import REDIS_URL, confirmed_phone, reconfigure, unavailable
from tests.services.test_insurer import FakeInsurer
from wizard.eligibility import checks
from wizard.eligibility.models import EligibilityCheck
from wizard.extensions import db

RQ = str(Path(sys.executable).with_name("rq"))


@pytest.fixture
def rq_app(new_app):
    store = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        store.flushdb()
    except redis.exceptions.ConnectionError:
        unavailable(f"Redis not reachable at {REDIS_URL}")
    app = new_app(JOB_RUNNER="rq", REDIS_URL=REDIS_URL, ELIGIBILITY_QUICK_ANSWER_SECONDS=0)
    # What a worker process is given: the same database (PostgreSQL), queue, secret and insurer.
    app.worker_env = {**os.environ, "APP_ENV": "development", "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
                      "REDIS_URL": REDIS_URL, "JOB_RUNNER": "rq", "SECRET_KEY": app.config["SECRET_KEY"]}
    yield app
    store.flushdb()


def statuses(app) -> list[tuple]:
    with app.app_context():
        return [(c.status, c.runs) for c in db.session.query(EligibilityCheck)]


def worker(app, *flags, **env):
    return subprocess.Popen([RQ, "worker", *flags, "--url", REDIS_URL, "sesame"], env={**app.worker_env, **env},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def start_check(app):
    client = app.test_client()
    confirmed_phone(client, role="beneficiary")
    assert client.post("/inscription/eligibilite").headers["Location"] == "/inscription/verification-en-cours"
    return client


def test_a_check_runs_in_an_rq_worker(rq_app):
    client = start_check(rq_app)
    assert statuses(rq_app) == [("queued", 0)]
    assert "Mise en relation" in client.get("/inscription/verification-en-cours").get_data(as_text=True)
    output = worker(rq_app, "--burst").communicate(timeout=60)[0]
    assert statuses(rq_app) == [("eligible", 1)], output
    assert "Félicitations" in client.get("/inscription/verification-en-cours").get_data(as_text=True)


def test_a_worker_killed_in_the_middle_is_replaced(rq_app):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeInsurer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    FakeInsurer.script = {"delay": 30, "answer": {"status": "eligible"}}
    env = {"INSURER_API_URL": f"http://127.0.0.1:{server.server_port}/", "INSURER_TIMEOUT_SECONDS": "60",
           "ELIGIBILITY_LEASE_SECONDS": "2"}
    start_check(rq_app)
    doomed = worker(rq_app, **env)
    try:
        deadline = time.monotonic() + 30
        while statuses(rq_app) != [("running", 1)] and time.monotonic() < deadline:
            time.sleep(0.2)
        assert statuses(rq_app) == [("running", 1)]
    finally:
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(10)
    time.sleep(2.5)  # the dead worker's lease runs out
    FakeInsurer.script = {"answer": {"status": "eligible", "contract_number": "C-2"}}
    reconfigure(rq_app, ELIGIBILITY_LEASE_SECONDS=2)
    with rq_app.app_context():
        assert checks.sweep() == 1
    output = worker(rq_app, "--burst", **env).communicate(timeout=60)[0]
    assert statuses(rq_app) == [("eligible", 2)], output
    server.shutdown()


THREADED = ("--worker-class", "wizard.jobs.worker.ThreadPoolWorker")


@pytest.fixture
def slow_insurer():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeInsurer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    FakeInsurer.script = {"delay": 2, "answer": {"status": "eligible"}}
    yield {"INSURER_API_URL": f"http://127.0.0.1:{server.server_port}/", "INSURER_TIMEOUT_SECONDS": "60"}
    server.shutdown()


def test_a_thread_pool_worker_runs_many_checks_at_once(rq_app, slow_insurer):
    """Six checks against an insurer that takes 2 s each: one process, at the same time."""
    for n in range(6):
        start_check_for(rq_app, f"personne{n}@exemple.fr")
    output = worker(rq_app, "--burst", *THREADED, **slow_insurer, JOB_THREADS="8").communicate(timeout=60)[0]
    assert statuses(rq_app) == [("eligible", 1)] * 6, output
    # From the first job's start to the last one's end, as RQ recorded them (the worker's
    # own start, a few seconds on a loaded machine, not counted): one at a time, 12 s.
    queue = rq.Queue("sesame", connection=redis.Redis.from_url(REDIS_URL))
    jobs = rq.job.Job.fetch_many(queue.finished_job_registry.get_job_ids(), connection=queue.connection)
    runs = [(job.started_at, job.ended_at) for job in jobs if job.args[0] == "check_eligibility"]
    span = (max(end for _, end in runs) - min(start for start, _ in runs)).total_seconds()
    assert len(runs) == 6 and span < 6, (span, output)
    assert "Traceback" not in output, output


def test_a_thread_pool_worker_killed_leaves_its_checks_to_another(rq_app, slow_insurer):
    slow_insurer_env = {**slow_insurer, "ELIGIBILITY_LEASE_SECONDS": "2"}
    FakeInsurer.script = {"delay": 30, "answer": {"status": "eligible"}}
    for n in range(3):
        start_check_for(rq_app, f"personne{n}@exemple.fr")
    doomed = worker(rq_app, *THREADED, **slow_insurer_env)
    try:
        deadline = time.monotonic() + 30
        while statuses(rq_app) != [("running", 1)] * 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert statuses(rq_app) == [("running", 1)] * 3
    finally:
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(10)
    time.sleep(2.5)  # the dead worker's leases run out
    FakeInsurer.script = {"answer": {"status": "eligible"}}
    reconfigure(rq_app, ELIGIBILITY_LEASE_SECONDS=2)
    with rq_app.app_context():
        assert checks.sweep() == 3
    output = worker(rq_app, "--burst", *THREADED, **slow_insurer_env).communicate(timeout=60)[0]
    assert statuses(rq_app) == [("eligible", 2)] * 3, output


def start_check_for(app, email):
    """A person ready for the check presses the button: the check and its job, as the view does."""
    from tests.views.sign_in_support import make_account
    from wizard import settings
    from wizard.accounts.models import Account
    from wizard.core import clock
    from wizard.eligibility import service as eligibility
    account_id = make_account(app, email=email, phone=None, eligible=False)
    with app.app_context(), app.test_request_context("/"):
        check = eligibility.start(db.session, db.session.get(Account, account_id), settings.eligibility_settings(),
                                  clock.now())
        checks.start(check.id)
        db.session.commit()
