"""The eligibility check under load, and the status endpoint its waiting page polls.

People ready for the check are made directly in the database (`ready_people`): copies of
one account that walked the whole journey in-process (its answers, its password hash),
each with its own address and phone, confirmed, and the signup session a browser gets
when it activates its account, signed into a session cookie. 500 are ready in about a
second, where walking 500 journeys would take a minute or more. What follows is the app's
own code, unchanged:

- the checks are started as POST /inscription/eligibilite starts them:
  `eligibility.start` for each person, one commit, then `checks.start` (the job queue);
  or by 500 real POSTs at once through gunicorn, each person with its cookie and CSRF
  token (ELIGIBILITY_QUICK_ANSWER_SECONDS=0: the POST does not wait for the answer);
- the jobs run on the embedded thread pool (JOB_RUNNER=thread, JOB_THREADS=64) or on RQ
  workers (`rq worker --with-scheduler sesame`, JOB_RUNNER=rq), against
  bench.insurer.SlowInsurer, which answers "eligible" after 1 s;
- the time runs from the moment the checks exist (committed, about to be queued), or
  through gunicorn from the moment the POSTs go out, until every `eligibility_checks` row
  is finished. RQ measures stop after a few seconds and give the rate (the time all would
  take at that rate): 2 workers against a 1 s insurer would need minutes.

For the status endpoint, each person gets a check in progress ("running", stage 2,
"identifying"): the state of everyone on the waiting page while the insurer thinks. The
rows are written directly so that they stay in progress however long the polling lasts.
"""
import os
import secrets
import shutil
import sqlite3
import subprocess
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from bench import server
from bench.clients import HTMX_HEADERS, HttpBrowser, InProcessBrowser
from bench.insurer import SlowInsurer
from bench.journey import STATUS_POLL, csrf_token
from bench.stats import not_measured, summary

WAITING_PAGE = "/inscription/verification-en-cours"
THREAD_POOL_WORKER = "wizard.jobs.worker.ThreadPoolWorker"
RQ_THREADED = "RQ, 2 workers, ThreadPoolWorker (64 threads each)"
CONFIRM_PAGE = "/inscription/eligibilite"


@dataclass
class Person:
    account_id: str
    cookie: str  # the signed session cookie's value


# --- people ready for the check ----------------------------------------------------------------

def template_account(app) -> dict | None:
    """What a person who walked the journey has: answers and password hash, copied."""
    from wizard.accounts.models import Account
    from wizard.extensions import db
    with app.app_context():
        account = db.session.query(Account).filter(Account.code_channel_confirmed_at.is_not(None)) \
            .order_by(Account.created_at.desc()).first()
        if account is None:
            return None
        return {"answers": account.answers, "password_hash": account.password_hash, "language": account.language}


def ready_people(app, template: dict, count: int, run_id: str) -> list[Person]:
    """`count` active accounts, phone confirmed, each signed in by a signup session."""
    from wizard.accounts.models import Account
    from wizard.core import clock
    from wizard.extensions import db
    from wizard.sign_in import sessions
    serializer = app.session_interface.get_signing_serializer(app)
    people = []
    with app.app_context():
        now = clock.now()
        for i in range(count):
            account = Account(id=secrets.token_hex(16), email=f"pret{i}.{run_id}@example.org", status="active",
                              password_hash=template["password_hash"], language=template["language"],
                              answers=template["answers"], created_at=now, email_given_at=now, activated_at=now,
                              phone=f"+3361{i:07d}", phone_verified_at=now, code_channel="sms",
                              code_channel_confirmed_at=now)
            db.session.add(account)
            token, _row = sessions.begin(db.session, account.id, sessions.SIGNUP, "bench", now)
            people.append(Person(account.id, serializer.dumps({"account_session": token})))
        db.session.commit()
    return people


def waiting_people(app, template: dict, count: int, run_id: str) -> list[tuple[Person, str]]:
    """People on the waiting page: each with a check in progress, and its status URL."""
    from flask import url_for

    from wizard.core import clock
    from wizard.eligibility import service as eligibility
    from wizard.eligibility.models import EligibilityCheck
    from wizard.extensions import db
    people = ready_people(app, template, count, run_id)
    found = []
    with app.app_context(), app.test_request_context("/"):
        now = clock.now()
        for person in people:
            check = EligibilityCheck(id=secrets.token_urlsafe(16), account_id=person.account_id,
                                     status=eligibility.RUNNING, stage=eligibility.IDENTIFYING, unreachable=0,
                                     runs=1, created_at=now, updated_at=now, lease_until=now + timedelta(hours=1))
            db.session.add(check)
            found.append((person, url_for("eligibility.status", verification=check.id, vu=check.stage)))
        db.session.commit()
    return found


# --- the status endpoint -----------------------------------------------------------------------

def status_in_process(app, template: dict, run_id: str, samples: int) -> dict:
    """The URL the waiting page polls (read from the page), polled `samples` times with the
    database's writes counted."""
    from bench import latency
    (person, expected), = waiting_people(app, template, 1, run_id + "-poll")
    browser = InProcessBrowser(app)
    browser.client.set_cookie(app.config["SESSION_COOKIE_NAME"], person.cookie)
    page = browser.get(WAITING_PAGE)
    found = STATUS_POLL.search(page.text)
    if page.status != 200 or not found:
        return not_measured(f"the waiting page ({page.status}) shows no status URL to poll")
    path = found.group(1).replace("&amp;", "&")
    result = latency.poll_in_process(app, path, browser, samples)
    if "not_measured" not in result:
        result["bytes"] = len(browser.get(path, headers={**HTMX_HEADERS, "Accept-Encoding": "identity"}).body)
        result["same_url_as_built"] = path == expected
    return result


def status_through_gunicorn(base_url: str, app, template: dict, run_id: str, people: int, seconds: float,
                            server_cpu=None) -> dict:
    """`people` people, each with a check in progress, polling their own status every 2 s."""
    from bench import load
    targets = [(path, {app.config["SESSION_COOKIE_NAME"]: person.cookie})
               for person, path in waiting_people(app, template, people, run_id + "-polls")]
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    # SQLite's data_version changes when another connection commits a change: it tells
    # whether the polls (or anything else) wrote to the database while they ran.
    watcher = sqlite3.connect(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None
    before = watcher.execute("PRAGMA data_version").fetchone()[0] if watcher else None
    result = load.polling(base_url, targets, people=people, every_s=2.0, seconds=seconds, server_cpu=server_cpu)
    if watcher:
        result["database_written"] = watcher.execute("PRAGMA data_version").fetchone()[0] != before
        watcher.close()
    return result


# --- many checks at once -----------------------------------------------------------------------

def _start_checks(app, people: list[Person]) -> tuple[list[str], float, float]:
    """What POST /inscription/eligibilite does for each person, all at once: returns the
    checks' ids, the time they all existed (monotonic), and how long queuing them took."""
    from wizard import settings
    from wizard.accounts.models import Account
    from wizard.core import clock
    from wizard.eligibility import checks
    from wizard.eligibility import service as eligibility
    from wizard.extensions import db
    with app.app_context(), app.test_request_context("/"):
        check_settings = settings.eligibility_settings()
        now = clock.now()
        ids = [p.account_id for p in people]
        accounts = db.session.query(Account).filter(Account.id.in_(ids)).all()
        made = [eligibility.start(db.session, account, check_settings, now) for account in accounts]
        check_ids = [check.id for check in made]
        db.session.commit()
        started = time.perf_counter()
        for check_id in check_ids:
            checks.start(check_id)
        db.session.commit()  # checks.start queues the job once the request commits, as here
        queued_s = time.perf_counter() - started
    return check_ids, started, queued_s


def _wait_finished(app, count: int, started: float, limit_s: float) -> dict:
    """Until every check of this database is finished, or `limit_s` after `started`."""
    from sqlalchemy import func

    from wizard.core import clock
    from wizard.eligibility import service as eligibility
    from wizard.eligibility.models import EligibilityCheck
    from wizard.extensions import db
    started_at = clock.now() - timedelta(seconds=time.perf_counter() - started)
    load_start, done = os.getloadavg()[0], 0
    with app.app_context():
        while True:
            done = db.session.query(func.count()).select_from(EligibilityCheck) \
                .filter(EligibilityCheck.status.in_(eligibility.FINISHED)).scalar()
            db.session.rollback()  # a fresh snapshot at the next count
            if done >= count or time.perf_counter() - started > limit_s:
                break
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        rows = db.session.query(EligibilityCheck.status, EligibilityCheck.finished_at,
                                EligibilityCheck.runs, EligibilityCheck.unreachable).all()
    finished = sorted((r.finished_at - started_at).total_seconds() for r in rows if r.finished_at)
    result = {"checks": count, "finished": done, "seconds": elapsed, "all_done": done >= count,
              "statuses": dict(Counter(r.status for r in rows)), "runs": sum(r.runs for r in rows),
              "insurer_unreachable": sum(r.unreachable for r in rows), "load_average": (load_start, os.getloadavg()[0]),
              "finished_after_s": summary(finished)}
    if finished:
        # Checks finished per second, from the start to the last one finished; for a
        # measure stopped before the end, the time all of them would take at that rate.
        result["per_second"] = len(finished) / finished[-1] if finished[-1] > 0 else None
        if not result["all_done"] and result["per_second"]:
            result["projected_s"] = count / result["per_second"]
    return result


def _checks_app(database_url: str, secret_key: str, **settings):
    from app import create_app
    return create_app("development", SQLALCHEMY_DATABASE_URI=database_url, SECRET_KEY=secret_key,
                      **{name: server.NO_LIMIT for name in server.LIMIT_SETTINGS}, **settings)


def embedded_in_process(database_url: str, template: dict, count: int, run_id: str, limit_s: float = 60) -> dict:
    """One process's thread pool (JOB_THREADS=64): a web worker alone, or
    `gunicorn -w 1` (the README's command)."""
    with SlowInsurer(1.0) as insurer:
        app = _checks_app(database_url, secrets.token_hex(16), JOB_RUNNER="thread", INSURER_API_URL=insurer.url)
        people = ready_people(app, template, count, run_id + "-e1")
        cpu = time.process_time()
        ids, started, queued_s = _start_checks(app, people)
        result = _wait_finished(app, len(ids), started, limit_s)
        result.update(how="one process: eligibility.start and the job queue, as the POST does",
                      threads=app.config["JOB_THREADS"], queued_s=queued_s, insurer_answered=insurer.server.answered,
                      process_cpu_s=time.process_time() - cpu)
        app.extensions["sesame.jobs"].runner.shutdown()
    return result


def embedded_through_gunicorn(database_url: str, template: dict, count: int, run_id: str,
                              limit_s: float = 60) -> dict:
    """gunicorn -w 2 (each worker with its pool of 64 threads): `count` people press the
    button at once, each with their own cookie, CSRF token and address."""
    from bench.clients import new_address
    with SlowInsurer(1.0) as insurer, server.Gunicorn(database_url, extra_env={
            "INSURER_API_URL": insurer.url, "ELIGIBILITY_QUICK_ANSWER_SECONDS": "0"}) as gunicorn:
        app = _checks_app(database_url, gunicorn.secret_key)
        people = ready_people(app, template, count, run_id + "-e2")
        name = app.config["SESSION_COOKIE_NAME"]
        forms = []
        for person in people:  # each one's confirmation page: a CSRF token bound to its session
            browser = HttpBrowser(gunicorn.base_url, cookies={name: person.cookie}, address=new_address())
            page = browser.get(CONFIRM_PAGE)
            if page.status != 200:
                return not_measured(f"GET {CONFIRM_PAGE} answered {page.status} for a person ready for the check")
            forms.append((browser, {"csrf_token": csrf_token(page.text)}))
        go, replies = threading.Event(), []

        def press(item):
            browser, data = item
            go.wait()
            reply = browser.post(CONFIRM_PAGE, data)
            replies.append(reply)
            return reply.status

        with ThreadPoolExecutor(200) as pool:
            futures = [pool.submit(press, item) for item in forms]
            started = time.perf_counter()
            go.set()
            statuses = Counter(future.result() for future in futures)
        posts_s = time.perf_counter() - started
        if statuses.get(303, 0) != count:
            return not_measured(f"the {count} POSTs answered {dict(statuses)}:\n{gunicorn.errors()[-1500:]}")
        result = _wait_finished(app, count, started, limit_s)
        result.update(how=f"gunicorn -w 2: {count} POST /inscription/eligibilite at once (200 connections at a time)",
                      threads=2 * app.config["JOB_THREADS"], posts_s=posts_s,
                      post_ms=summary(r.ms for r in replies), insurer_answered=insurer.server.answered)
    return result


# --- RQ ----------------------------------------------------------------------------------------

class PrivateRedis:
    """A redis-server of the bench's own on a free port, nothing saved; or the given URL."""

    def __init__(self, url: str | None = None):
        self.url, self.process, self.problem = url, None, None

    def __enter__(self):
        if self.url is None:
            binary = shutil.which("redis-server")
            if binary is None:
                self.problem = "no redis-server on PATH (or give one: --redis-url)"
                return self
            port = server.free_port()
            self.process = subprocess.Popen(
                [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                 "--loglevel", "warning"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.url = f"redis://127.0.0.1:{port}/0"
        import redis
        deadline = time.perf_counter() + (10 if self.process else 2)  # ours may take a moment to start
        while True:
            try:
                redis.Redis.from_url(self.url, socket_connect_timeout=1).ping()
                return self
            except redis.exceptions.ConnectionError as error:
                if time.perf_counter() > deadline or (self.process and self.process.poll() is not None):
                    self.problem = f"Redis not reachable at {self.url} ({error})"
                    return self
                time.sleep(0.05)

    def __exit__(self, *exc):
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        elif self.url and not self.problem:  # someone else's Redis: leave no job behind
            import redis
            import rq
            rq.Queue("sesame", connection=redis.Redis.from_url(self.url)).empty()


class RqWorkers:
    """`rq worker --with-scheduler sesame` × `count` (as the README starts them), or one
    `rq worker-pool -n count`."""

    def __init__(self, count: int, env: dict, url: str, pool: bool = False, worker_class: str | None = None):
        self.count, self.env, self.url, self.pool = count, env, url, pool
        self.flags = ["--worker-class", worker_class] if worker_class else []
        self.processes = []
        self.log = tempfile.TemporaryFile("w+")

    def __enter__(self):
        import redis
        import rq
        rq_bin = str(server.VENV_BIN / "rq")
        if self.pool:
            commands = [[rq_bin, "worker-pool", "-n", str(self.count), *self.flags, "--url", self.url, "sesame"]]
        else:
            commands = [[rq_bin, "worker", "--with-scheduler", *self.flags, "--url", self.url, "sesame"]] * self.count
        for command in commands:
            self.processes.append(subprocess.Popen(command, cwd=server.ROOT, env=self.env, stdout=self.log,
                                                   stderr=subprocess.STDOUT, start_new_session=True))
        connection = redis.Redis.from_url(self.url)
        deadline = time.perf_counter() + 60
        while rq.Worker.count(connection=connection) < self.count:
            if time.perf_counter() > deadline or any(p.poll() is not None for p in self.processes):
                self.__exit__()
                raise RuntimeError(f"the RQ workers did not start:\n{self.errors()}")
            time.sleep(0.05)
        return self

    def memory_mib(self) -> list[float]:
        """VmRSS of each worker process (not of a work horse it may have forked)."""
        found = []
        for process in self.processes:
            try:
                status = open(f"/proc/{process.pid}/status").read()
            except OSError:
                continue
            found += [int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmRSS:")]
        return found

    def errors(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()[-2000:]

    def __exit__(self, *exc):
        server.stop_groups(self.processes, grace_s=10)


def _job_seconds(app, check_ids: list[str]) -> dict:
    """How long each finished check job took in its worker, start to end, as RQ recorded it
    (in a work horse: from the fork, with the app's import and build)."""
    import rq

    from wizard import jobs
    with app.app_context():
        queue = jobs.queue().rq
        found = rq.job.Job.fetch_many(queue.finished_job_registry.get_job_ids(), connection=queue.connection)
    ours = set(check_ids)
    return summary((job.ended_at - job.started_at).total_seconds() for job in found
                   if job and job.args and job.args[0] == "check_eligibility" and job.args[1:2]
                   and job.args[1] in ours and job.started_at and job.ended_at)


def _warm_up(app, url: str, limit_s: float = 60) -> float:
    """Until every worker has run one job (a sweep, which finds nothing to do): a worker that
    builds the app once has then built it, as in a deployment that has been running, and
    the clock does not count it. A worker that forks a work horse per job builds the app
    in every horse, so it pays that again at each job."""
    import redis
    import rq

    from wizard import jobs
    connection = redis.Redis.from_url(url)
    started = time.perf_counter()
    with app.app_context():
        queue = jobs.queue().rq
        while time.perf_counter() - started < limit_s:
            workers = rq.Worker.all(connection=connection)
            if workers and all(worker.successful_job_count >= 1 for worker in workers):
                break
            if queue.count == 0:
                for _ in workers:
                    jobs.enqueue("sweep_eligibility")
            time.sleep(0.1)
    return time.perf_counter() - started


def rq_checks(database_url: str, template: dict, count: int, run_id: str, workers: int, limit_s: float,
              redis_url: str | None = None, pool: bool = False, worker_class: str | None = None) -> dict:
    with PrivateRedis(redis_url) as redis_server:
        if redis_server.problem:
            return not_measured(f"RQ skipped: {redis_server.problem}")
        with SlowInsurer(1.0) as insurer:
            secret_key = secrets.token_hex(16)
            settings = {"JOB_RUNNER": "rq", "REDIS_URL": redis_server.url, "INSURER_API_URL": insurer.url}
            app = _checks_app(database_url, secret_key, **settings)
            people = ready_people(app, template, count, run_id + f"-rq{workers}")
            env = server.environment(database_url, secret_key, {k: str(v) for k, v in settings.items()})
            with RqWorkers(workers, env, redis_server.url, pool=pool, worker_class=worker_class) as running:
                warm_up_s = _warm_up(app, redis_server.url)
                ids, started, queued_s = _start_checks(app, people)
                result = _wait_finished(app, len(ids), started, limit_s)
                errors, memory = running.errors(), running.memory_mib()
                result["job_s"] = _job_seconds(app, ids)
            how = f"rq worker-pool -n {workers}" if pool else f"{workers} x rq worker --with-scheduler"
            result.update(workers=workers, queued_s=queued_s, insurer_answered=insurer.server.answered,
                          warm_up_s=warm_up_s, worker_rss_mib=max(memory) if memory else None,
                          worker_class=worker_class or "rq.Worker (forks a work horse per job)",
                          how=how + (f" --worker-class {worker_class}" if worker_class else ""))
            if "Traceback" in errors:
                result["worker_errors"] = errors
    return result
