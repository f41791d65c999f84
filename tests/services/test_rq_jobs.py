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
