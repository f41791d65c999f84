"""The load-and-fault run: many people sign up at once while parts of the deployment fail,
and nothing is lost, nothing is sent twice, no page is a server error.

`./dev faults` (options: `./dev faults --help`) starts, on loopback only, everything a
deployment runs: gunicorn with several sync workers, two RQ workers
(`rq worker --with-scheduler --worker-class wizard.jobs.worker.ThreadPoolWorker`,
JOB_RUNNER=rq), a fresh database on the PostgreSQL server at --postgres, a redis-server of
its own on a free port (so that it can be restarted), a real SMTP server (aiosmtpd), a
stand-in for the SMS gateway and one for the insurer. Then `--signups` people sign up,
`--at-once` at a time, as bench/journey.py walks a journey (to "eligible"), then each
signs in from another browser, with the code sent by SMS. Meanwhile, on a fixed timeline:

- the SMTP server stops for `--smtp-down` seconds, then comes back;
- the insurer answers 503, then does not answer within INSURER_TIMEOUT_SECONDS, then
  answers again;
- a job worker is killed (SIGKILL, with its jobs in hand), and another started;
- a web worker is killed (SIGKILL, in the middle of a request); gunicorn starts another;
- Redis stops (its jobs and limits are lost: no persistence) and starts again.

A person whose request is cut (the web worker killed) does what a person does: loads the
page again, a few times. When the journeys are over, the run waits for the outbox and the
checks to drain (they are the source of truth: the sweeps re-enqueue what Redis lost),
then compares what the database says was sent with what the SMTP server and the SMS
gateway received. It prints the table and exits 1 when a figure that must be zero is not.

Bounded: at most --signups journeys and --seconds in all; everything it started is stopped.
"""
import argparse
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from http.client import HTTPException
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import server  # noqa: E402  (after sys.path, so that `python bench/faults.py` works too)
from bench.clients import HttpBrowser  # noqa: E402
from bench.journey import ELIGIBLE, PASSWORD, POLL_EVERY_S, STATUS_POLL, Journey, Stopped, csrf_token  # noqa: E402

POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
THREAD_POOL_WORKER = "wizard.jobs.worker.ThreadPoolWorker"
INSURER_TIMEOUT_S = 2  # the app's INSURER_TIMEOUT_SECONDS in this run; "no answer" is longer
# The default: a shorter one on a loaded machine times out after the server has taken the
# message (before its "250"), and the retry sends it twice (a first full run: 47 of 353).
MAIL_TIMEOUT_S = 10
RELOADS = 4  # a person whose page did not load tries again this many times
MESSAGE_ID = re.compile(r"<outbox-(\d+)-")
REFERENCE = re.compile(r"outbox-(\d+)-")  # OutboxMessage.reference, the SMS idempotency key


# --- the parts that fail ---------------------------------------------------------------------

class Redis:
    """A redis-server of the run's own, on a port kept across restarts; nothing saved."""

    def __init__(self):
        self.port = server.free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--loglevel", "warning"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import redis
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis.from_url(self.url, socket_connect_timeout=1).ping()
                return
            except redis.exceptions.ConnectionError:
                if time.monotonic() > deadline:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


# The SMTP server's own process: each message taken is written to a file of the folder
# given, before the "250"; the run reads the folder.
SMTP_SERVER = """
import asyncio, os, sys, uuid
from aiosmtpd.controller import Controller
folder, port = sys.argv[1], int(sys.argv[2])
class Keep:
    async def handle_DATA(self, server, session, envelope):
        path = os.path.join(folder, uuid.uuid4().hex)
        with open(path + ".part", "wb") as file:
            file.write(envelope.content)
        os.rename(path + ".part", path + ".eml")
        return "250 Message accepted for delivery"
controller = Controller(Keep(), hostname="127.0.0.1", port=port)
controller.start()
print("ready", flush=True)
sys.stdin.read()
"""


class SmtpSink:
    """A real SMTP server (aiosmtpd) in a process of its own, so that the run's many walking
    threads never slow its answers; stopped, it refuses connections."""

    def __init__(self):
        self.port = server.free_port()
        self.folder = tempfile.mkdtemp(prefix="sesame-faults-smtp-")
        self.process = None
        self._read: dict[str, object] = {}
        self.lock = threading.Lock()

    def start(self):
        self.process = subprocess.Popen([sys.executable, "-c", SMTP_SERVER, self.folder, str(self.port)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        if self.process.stdout.readline().strip() != "ready":
            raise RuntimeError("the SMTP server did not start")

    def stop(self):
        if self.running:
            self.process.kill()
            self.process.wait()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def received(self) -> list:
        """Every message taken so far (email.message.EmailMessage), read once each."""
        with self.lock:
            for name in sorted(os.listdir(self.folder)):
                if name.endswith(".eml") and name not in self._read:
                    with open(os.path.join(self.folder, name), "rb") as file:
                        self._read[name] = message_from_bytes(file.read(), policy=policy.default)
            return list(self._read.values())

    def to(self, recipient: str) -> list:
        return [m for m in self.received if m["To"] == recipient]

    def remove(self):
        shutil.rmtree(self.folder, ignore_errors=True)


class _Recorder(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _answer(self, status: int, payload: dict):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _SmsHandler(_Recorder):
    """Texts the person once per idempotency key, as real gateways do: a repeat of a key
    already taken (a retry after a timeout, a killed worker's row sent again) is
    acknowledged and counted, not delivered again."""

    def do_POST(self):
        message = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        key = self.headers.get("Idempotency-Key")
        with self.server.lock:
            repeat = key is not None and key in self.server.keys
            if repeat:
                self.server.repeats[key] += 1
            else:
                self.server.keys.add(key)
                self.server.received.append((message["to"], message["text"]))
        self._answer(200, {"ok": True, "repeat": repeat})


class _InsurerHandler(_Recorder):
    def do_POST(self):
        try:
            self._do_post()
        except (BrokenPipeError, ConnectionResetError):  # the app gave up waiting: as it should
            pass

    def _do_post(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        mode = self.server.mode
        with self.server.lock:
            self.server.answers[mode] += 1
        if mode == "503":
            self._answer(503, {"error": "unavailable"})
        elif mode == "timeout":
            time.sleep(INSURER_TIMEOUT_S + 1)  # the app has given up by then
            self._answer(200, {"status": "eligible", "contract_number": "LATE", "insurer_name": "Mutuelle Démo"})
        else:
            time.sleep(0.2)
            self._answer(200, {"status": "eligible", "contract_number": "FAULTS-0001",
                               "insurer_name": "Mutuelle Démo"})


class HttpStandIn:
    """An HTTP stand-in on loopback: the SMS gateway (keeps each text) or the insurer
    (answers as its `mode` says: "ok", "503" or "timeout")."""

    def __init__(self, handler, path: str):
        ThreadingHTTPServer.request_queue_size = 1024
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.server.lock, self.server.received, self.server.mode = threading.Lock(), [], "ok"
        self.server.answers, self.server.keys, self.server.repeats = Counter(), set(), Counter()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{path}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def texts_to(self, recipient: str) -> list[str]:
        with self.server.lock:
            return [text for to, text in self.server.received if to == recipient]


class JobWorkers:
    """The RQ workers, each in a process group of its own (the worker and its scheduler),
    kept up as an init system keeps them (systemd `Restart=always`): `rq worker` exits when
    it cannot reach Redis as it starts, and one that exits is started again a second later.
    The one killed on purpose is replaced by the timeline."""

    def __init__(self, env: dict, url: str, log):
        self.env, self.url, self.log = env, url, log
        self.processes: list[subprocess.Popen] = []
        self.killed: set[int] = set()
        self.restarts = 0
        self._stop = threading.Event()
        threading.Thread(target=self._supervise, daemon=True).start()

    def _supervise(self):
        while not self._stop.wait(1):
            for process in list(self.processes):
                if process.poll() is not None and process.pid not in self.killed:
                    self.killed.add(process.pid)  # handled: started again once
                    self.restarts += 1
                    self.start_one()

    def start_one(self):
        command = [str(server.VENV_BIN / "rq"), "worker", "--with-scheduler", "--worker-class", THREAD_POOL_WORKER,
                   "--url", self.url, self.env.get("JOB_QUEUE", "sesame")]
        self.processes.append(subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=self.log,
                                               stderr=subprocess.STDOUT, start_new_session=True))

    def alive(self) -> list[subprocess.Popen]:
        return [p for p in self.processes if p.poll() is None]

    def kill_one(self) -> int:
        victim = self.alive()[0]
        self.killed.add(victim.pid)
        os.killpg(victim.pid, signal.SIGKILL)
        victim.wait()
        return victim.pid

    def stop(self):
        self._stop.set()
        server.stop_groups(self.processes, grace_s=15)


# --- the people ----------------------------------------------------------------------------

class Sinks:
    """What a person reads on their phone and in their mailbox: from the SMTP server and the
    SMS gateway (the outbox keeps no text once delivered). Waits, as a person waits."""

    ACTIVATION = re.compile(r"https?://[^\s\"'<>]+(/inscription/activation/[^\s\"'<>]+)")

    def __init__(self, app, smtp: SmtpSink, sms: HttpStandIn, wait_s: float):
        from bench.reader import Reader
        self.database = Reader(app)  # the spoken CAPTCHA code, from the session cookie
        self.smtp, self.sms, self.wait_s = smtp, sms, wait_s

    def spoken_code(self, browser) -> str:
        return self.database.spoken_code(browser)

    def _wait(self, find):
        deadline = time.monotonic() + self.wait_s
        while time.monotonic() < deadline:
            found = find()
            if found is not None:
                return found
            time.sleep(0.5)
        return None

    def activation_path(self, recipient: str) -> str | None:
        def find():
            for message in reversed(self.smtp.to(recipient)):
                found = self.ACTIVATION.search(message.get_body(("plain",)).get_content())
                if found:
                    return found.group(1)
            return None
        return self._wait(find)

    def sms_code(self, phone: str, seen: int = 0) -> str | None:
        """The code of the first text to `phone` after the `seen` first ones."""
        recipient = "+33" + "".join(c for c in phone if c.isdigit())[1:]
        texts = lambda: self.sms.texts_to(recipient)  # noqa: E731
        return self._wait(lambda: texts()[seen][:6] if len(texts()) > seen else None)


@dataclass
class Outcome:
    completed: bool = False
    clear_end: bool = False  # not completed, but the last page said where things stand
    stopped: str | None = None
    statuses: Counter = field(default_factory=Counter)
    reloads: int = 0


class ReloadingBrowser(HttpBrowser):
    """A person's browser: a page whose connection is cut (its web worker killed) is
    loaded again, a few times, a second apart."""

    reloads: int = 0

    def request(self, method, path, data=None, headers=None):
        for attempt in range(RELOADS + 1):
            try:
                return super().request(method, path, data=data, headers=headers)
            except (OSError, HTTPException):
                if attempt == RELOADS:
                    raise Stopped(f"{method} {path} did not load after {RELOADS} tries") from None
            self.reloads += 1
            time.sleep(1)


class FaultJourney(Journey):
    """A journey walked through faults: the waiting page is polled until the outcome shows
    or the run's time is up; then a sign-in from another browser, with the code by SMS."""

    def __init__(self, base_url, reader, number, run_id, deadline: float):
        super().__init__(ReloadingBrowser(base_url, timeout=60), reader, number, run_id=run_id)
        self.base_url, self.deadline, self.reloads = base_url, deadline, 0

    def _waiting(self, path: str) -> None:
        text = self._get(path, "GET eligibility_waiting").text
        while True:
            found = STATUS_POLL.search(text)
            if not found:
                break
            if time.monotonic() > self.deadline:
                raise Stopped("the eligibility check was not over when the run's time was up")
            time.sleep(POLL_EVERY_S)
            text = self._poll(found.group(1).replace("&amp;", "&")).text
        if ELIGIBLE not in text:
            raise Stopped("the eligibility check did not answer eligible")
        self.walk.reached.append("eligibility")
        self.walk.end = path

    def sign_in(self) -> None:
        """From another browser: email and password, then the code by SMS, then Mon compte."""
        self.reloads += self.browser.reloads
        self.browser = ReloadingBrowser(self.base_url, timeout=60)
        page = self._get("/connexion", "GET sign_in")
        reply = self._request("POST", "/connexion", "POST sign_in", {
            "email": self.email, "password": PASSWORD, "csrf_token": csrf_token(page.text)})
        if reply.location.endswith("/connexion/verification"):
            page = self._get(reply.location, "GET sign_in_channel")
            reply = self._request("POST", reply.location, "POST sign_in_channel",
                                  {"channel": "sms", "csrf_token": csrf_token(page.text)})
        page = self._get(reply.location, "GET sign_in_code")
        code = self.reader.sms_code(self.phone, seen=1)  # the first text was the phone's own code
        if code is None:
            raise Stopped(f"no sign-in code sent to {self.phone}")
        reply = self._request("POST", reply.location, "POST sign_in_code",
                              {"code": code, "csrf_token": csrf_token(page.text)})
        self._get(reply.location, "GET account")
        self.walk.reached.append("signed_in")


# --- the run -------------------------------------------------------------------------------

@dataclass
class Plan:
    signups: int
    at_once: int
    smtp_down_s: float
    insurer_fault_s: float  # 503 for this long, then no answer for as long
    seconds: float  # the whole run's bound
    workers: int = 4


def _database(postgres_url: str) -> tuple[str, str]:
    import psycopg
    name = f"sesame_faults_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(postgres_url, autocommit=True, connect_timeout=5) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    return name, postgres_url.rsplit("/", 1)[0] + "/" + name


def _drop_database(postgres_url: str, name: str) -> None:
    import psycopg
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def serving(gunicorn) -> list[int]:
    """The web workers in the middle of a request: those holding a connection accepted on
    gunicorn's port (a sync worker holds one while it serves it)."""
    port = f":{gunicorn.port:04X}"
    established = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for fields in (line.split() for line in lines):
            if fields[1].endswith(port) and fields[3] == "01":  # local address on our port, ESTABLISHED
                established.add(fields[9])  # the socket's inode
    return [pid for pid in gunicorn.worker_pids() if established & _sockets(pid)]


def _sockets(pid: int) -> set[str]:
    """The inodes of the sockets a process holds (its fds come and go as we read them)."""
    found = set()
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return found
    for fd in fds:
        try:
            link = os.readlink(fd)
        except OSError:
            continue
        if link.startswith("socket:["):
            found.add(link[8:-1])
    return found


class Timeline:
    """The faults, each when it hurts: SMTP stops while activation mails are being sent; the
    insurer fails once checks are being asked; a job worker is killed while it holds checks
    (the insurer not answering), a web worker while every web worker is serving a request;
    then Redis restarts. Each waits for its moment at most `patience_s`, and each part is
    brought back."""

    def __init__(self, plan: Plan, parts: dict, app, patience_s: float):
        self.plan, self.parts, self.app, self.patience_s = plan, parts, app, patience_s
        self.log: list[tuple[float, str]] = []
        self.stop = threading.Event()
        self.t0 = time.monotonic()

    def note(self, what: str) -> None:
        self.log.append((round(time.monotonic() - self.t0, 1), what))

    def wait(self, seconds: float) -> bool:
        return not self.stop.wait(seconds)

    def until(self, condition) -> bool:
        deadline = time.monotonic() + self.patience_s
        while not condition():
            if time.monotonic() > deadline or not self.wait(0.2):
                return False
        return True

    def checks(self, *statuses) -> int:
        from sqlalchemy import func

        from wizard.eligibility.models import EligibilityCheck
        from wizard.extensions import db
        with self.app.app_context():
            query = db.session.query(func.count()).select_from(EligibilityCheck)
            if statuses:
                query = query.filter(EligibilityCheck.status.in_(statuses))
            return query.scalar()

    def run(self) -> None:
        try:
            self._run()
        except Exception as error:  # said in the table: a fault not made is a run that proves less
            self.note(f"the timeline stopped: {type(error).__name__}: {error}")

    def _kill_a_web_worker(self, gunicorn) -> None:
        """A worker caught serving (its connection seen in /proc, looked at every 10 ms: a
        request lasts a few ms); if none is caught within the patience, one between requests,
        so that the fault is always made (a loaded machine serves few requests at once)."""
        found, deadline = [], time.monotonic() + self.patience_s
        while not found and time.monotonic() < deadline and not self.stop.is_set():
            found = serving(gunicorn)  # read once: the request may end right after
            if not found:
                time.sleep(0.01)
        victims = found or gunicorn.worker_pids()
        if not victims:
            return
        victim = victims[0]
        os.kill(victim, signal.SIGKILL)
        self.note("a web worker killed (SIGKILL) " + ("in the middle of a request" if found else "between requests"))
        self.until(lambda: victim not in gunicorn.worker_pids()
                   and len(gunicorn.worker_pids()) == self.plan.workers)
        self.note("gunicorn has started another web worker")

    def _run(self) -> None:
        smtp, insurer, workers, gunicorn, redis = (
            self.parts[k] for k in ("smtp", "insurer", "workers", "gunicorn", "redis"))
        plan = self.plan
        if not self.wait(3):
            return
        smtp.stop()
        self.note("SMTP stopped")
        threading.Timer(plan.smtp_down_s, lambda: (smtp.start(), self.note("SMTP back"))).start()
        threading.Thread(target=self._kill_a_web_worker, args=(gunicorn,), daemon=True).start()

        if self.until(lambda: self.checks() > 0):
            insurer.server.mode = "503"
            self.note("insurer answers 503")
            self.wait(plan.insurer_fault_s)
            insurer.server.mode = "timeout"
            self.note(f"insurer does not answer within {INSURER_TIMEOUT_S} s")
            if self.until(lambda: self.checks("running") > 0) and self.wait(1):
                self.note(f"a job worker killed (SIGKILL) while {self.checks('running')} check(s) ran")
                workers.kill_one()
            self.wait(2)
            workers.start_one()
            self.note("another job worker started")
            self.wait(max(0.0, plan.insurer_fault_s - 3))
            insurer.server.mode = "ok"
            self.note("insurer answers again")

        if self.wait(2):
            redis.stop()
            self.note("Redis stopped")
            self.wait(3)
            redis.start()
            self.note("Redis started again (empty)")


def run(plan: Plan, postgres_url: str = POSTGRES) -> dict:
    if shutil.which("redis-server") is None:
        raise RuntimeError("no redis-server on PATH")
    from app import create_app
    run_id = secrets.token_hex(3)
    name, database_url = _database(postgres_url)
    redis, smtp = Redis(), SmtpSink()
    sms = HttpStandIn(_SmsHandler, "/sms")
    insurer = HttpStandIn(_InsurerHandler, "/eligibility")
    worker_log = open(_worker_log_path(), "w+")
    parts = {"smtp": smtp, "insurer": insurer, "redis": redis}
    started = time.monotonic()
    try:
        redis.start()
        smtp.start()
        server.migrate(database_url)
        settings = {
            "JOB_RUNNER": "rq", "REDIS_URL": redis.url, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp.port),
            "MAIL_USE_TLS": "false", "MAIL_TIMEOUT_SECONDS": str(MAIL_TIMEOUT_S),
            "MAIL_DEFAULT_SENDER": "Sésame <ne-pas-repondre@sesame.test>",
            "SMS_GATEWAY_URL": sms.url, "SMS_GATEWAY_TOKEN": "faults",
            "INSURER_API_URL": insurer.url, "INSURER_API_TOKEN": "faults",
            "INSURER_TIMEOUT_SECONDS": str(INSURER_TIMEOUT_S), "SCHEDULER_TICK_SECONDS": "5",
            # Many times the insurer's timeout, as an operator sets it: a killed worker's
            # checks are taken over this long after.
            "ELIGIBILITY_LEASE_SECONDS": str(5 * INSURER_TIMEOUT_S),
            **server.CHEAP_HASH,
        }
        with server.Gunicorn(database_url, workers=plan.workers, extra_env=settings) as gunicorn:
            workers = JobWorkers(gunicorn.env, redis.url, worker_log)
            parts.update(gunicorn=gunicorn, workers=workers)
            for _ in range(2):
                workers.start_one()
            app = create_app("development", SQLALCHEMY_DATABASE_URI=database_url, SECRET_KEY=gunicorn.secret_key)
            sinks = Sinks(app, smtp, sms, wait_s=max(120.0, plan.smtp_down_s * 4))
            deadline = started + plan.seconds * 0.75  # the rest is for the drain

            def walk(number: int) -> Outcome:
                journey = FaultJourney(gunicorn.base_url, sinks, number, run_id, deadline)
                outcome = Outcome()
                journey.run(max_requests=60)
                if journey.walk.stopped is None and "eligibility" in journey.walk.reached:
                    try:
                        journey.sign_in()
                    except Stopped as stop:
                        journey.walk.stopped = str(stop)
                outcome.statuses = Counter(reply.status for _label, reply in journey.walk.timings)
                outcome.reloads = journey.reloads + journey.browser.reloads
                outcome.completed = "signed_in" in journey.walk.reached
                outcome.stopped = journey.walk.stopped
                last = journey.walk.timings[-1][1] if journey.walk.timings else None
                outcome.clear_end = not outcome.completed and last is not None and last.status in (200, 303, 429)
                return outcome

            timeline = Timeline(plan, parts, app, patience_s=plan.seconds / 4)
            thread = threading.Thread(target=timeline.run, daemon=True)
            thread.start()
            with ThreadPoolExecutor(plan.at_once) as pool:
                outcomes = list(pool.map(walk, range(plan.signups)))
            journeys_s = time.monotonic() - started
            thread.join(timeout=max(0.0, started + plan.seconds - time.monotonic()))
            timeline.stop.set()
            if not smtp.running:
                smtp.start()
            insurer.server.mode = "ok"
            drained = _drain(app, started + plan.seconds)
            figures = _tally(app, outcomes, smtp, sms)
            figures.update(journeys_s=round(journeys_s, 1), seconds=round(time.monotonic() - started, 1),
                           drained=drained, faults=timeline.log, insurer_answers=dict(insurer.server.answers),
                           web_errors=_tracebacks(gunicorn.errors()), job_errors=_tracebacks(_read(worker_log)),
                           job_workers_alive=len(workers.alive()), job_workers_restarted=workers.restarts,
                           web_workers=len(gunicorn.worker_pids()), plan=plan.__dict__)
            workers.stop()
    finally:
        smtp.stop()
        smtp.remove()
        sms.stop()
        insurer.stop()
        redis.stop()
        _drop_database(postgres_url, name)
    return figures


def _drain(app, until: float) -> bool:
    """Until nothing is left to deliver and no check is under way (or the time is up)."""
    from sqlalchemy import func

    from wizard.eligibility import service as eligibility
    from wizard.eligibility.models import EligibilityCheck
    from wizard.extensions import db
    from wizard.messaging.models import OutboxMessage
    with app.app_context():
        while True:
            pending = db.session.query(func.count()).select_from(OutboxMessage) \
                .filter(OutboxMessage.status == "pending").scalar()
            running = db.session.query(func.count()).select_from(EligibilityCheck) \
                .filter(EligibilityCheck.status.not_in(eligibility.FINISHED)).scalar()
            db.session.rollback()
            if pending == 0 and running == 0:
                return True
            if time.monotonic() > until:
                return False
            time.sleep(1)


def _tally(app, outcomes: list[Outcome], smtp: SmtpSink, sms: HttpStandIn) -> dict:
    """The database's account of what was sent, against what the SMTP server and the SMS
    gateway received: each outbox row once, by its Message-ID (mail) or its text (SMS)."""
    from sqlalchemy import func

    from wizard.eligibility.models import EligibilityCheck
    from wizard.extensions import db
    from wizard.messaging.models import OutboxMessage
    with app.app_context():
        rows = db.session.query(OutboxMessage.id, OutboxMessage.channel, OutboxMessage.status,
                                OutboxMessage.recipient, OutboxMessage.kind, OutboxMessage.attempts).all()
        checks_per_account = db.session.query(EligibilityCheck.account_id, func.count()) \
            .group_by(EligibilityCheck.account_id).all()
        taken_over = db.session.query(func.count()).select_from(EligibilityCheck) \
            .filter(EligibilityCheck.runs > 1).scalar()
        outcome_mails = Counter(r.recipient for r in rows if r.kind.startswith("eligibility_"))
    ids = Counter(int(m.group(1)) for m in (MESSAGE_ID.search(msg["Message-ID"] or "") for msg in smtp.received)
                  if m)
    with sms.server.lock:
        texts = Counter(sms.server.received)
        repeats = Counter({int(m.group(1)): n for m, n in ((REFERENCE.match(key), n)
                                                           for key, n in sms.server.repeats.items()) if m})
    attempts = {r.id: (r.kind, r.attempts) for r in rows}
    mails = [r for r in rows if r.channel == "email"]
    sms_rows = [r for r in rows if r.channel == "sms"]
    sms_per_recipient = Counter(to for to, _text in texts)
    sms_rows_per_recipient = Counter(r.recipient for r in sms_rows)
    # A text's code is random: the same text twice, or more texts than rows, is a repeat.
    sms_twice = sum(n - 1 for n in texts.values() if n > 1) + sum(
        max(0, sms_per_recipient[to] - n) for to, n in sms_rows_per_recipient.items())
    statuses = Counter()
    for outcome in outcomes:
        statuses.update(outcome.statuses)
    return {
        "journeys started": len(outcomes),
        "completed (eligible, then signed in)": sum(o.completed for o in outcomes),
        "ended on a clear page": sum(o.clear_end for o in outcomes),
        "ended otherwise": sum(not o.completed and not o.clear_end for o in outcomes),
        "5xx seen": sum(n for status, n in statuses.items() if status >= 500),
        "pages loaded again (request cut)": sum(o.reloads for o in outcomes),
        "mails delivered exactly once": sum(1 for r in mails if ids[r.id] == 1),
        "mails sent twice or more": sum(1 for r in mails if ids[r.id] > 1),
        "mails lost": sum(1 for r in mails if ids[r.id] == 0),
        "SMS delivered exactly once": sum(min(n, sms_per_recipient[to]) for to, n in sms_rows_per_recipient.items())
        - sms_twice,
        "SMS sent twice or more": sms_twice,
        # Not a second text to the person: the gateway recognised the key and sent nothing.
        "SMS repeats absorbed by the idempotency key": sum(repeats.values()),
        "SMS lost": sum(max(0, n - sms_per_recipient[to]) for to, n in sms_rows_per_recipient.items()),
        "checks done twice": sum(1 for _account, n in checks_per_account if n > 1)
        + sum(1 for n in outcome_mails.values() if n > 1),
        "checks taken over (a worker died or its job was lost)": taken_over,
        "statuses": dict(sorted(statuses.items())),
        "stopped": Counter(o.stopped for o in outcomes if o.stopped).most_common(5),
        "sms_repeated": [(row, *attempts.get(row, ("?", "?")), n) for row, n in sorted(repeats.items())],
    }


def _worker_log_path() -> str:
    """The job workers' log, kept after the run to read what they said."""
    return os.environ.get("FAULTS_WORKER_LOG", os.path.join(tempfile.gettempdir(), "sesame-faults-workers.log"))


def _read(log) -> str:
    log.flush()
    log.seek(0)
    return log.read()


def _tracebacks(log: str) -> list[str]:
    return [line for line in log.splitlines() if "Traceback" in line or "Error" in line][-10:]


def _all_alive(figures: dict) -> list[str]:
    return [] if figures["job_workers_alive"] == 2 else [f"job workers alive at the end: {figures['job_workers_alive']}"
                                                        " of 2 (see the workers' log)"]


MUST_BE_ZERO = ("ended otherwise", "5xx seen", "mails sent twice or more", "mails lost", "SMS sent twice or more",
                "SMS lost", "checks done twice")


def problems(figures: dict) -> list[str]:
    found = [f"{name}: {figures[name]}" for name in MUST_BE_ZERO if figures[name]]
    ended = figures["completed (eligible, then signed in)"] + figures["ended on a clear page"]
    if ended != figures["journeys started"]:
        found.append("not every journey completed or ended on a clear page")
    if not figures["drained"]:
        found.append("the outbox or the checks had not drained when the time was up")
    found += _all_alive(figures)
    return found


def table(figures: dict) -> str:
    lines = ["| | |", "|---|---:|"]
    lines += [f"| {name} | {value} |" for name, value in figures.items()
              if isinstance(value, int) and not isinstance(value, bool)]
    lines.append("")
    lines.append(f"Journeys over in {figures['journeys_s']} s, all drained: {figures['drained']} "
                 f"({figures['seconds']} s in all). Statuses seen: {figures['statuses']}.")
    lines.append("Faults: " + "; ".join(f"{t} s {what}" for t, what in figures["faults"]) + ".")
    lines.append(f"Insurer answers by mode: {figures['insurer_answers']}; job workers alive at the end: "
                 f"{figures['job_workers_alive']}, started again after exiting: {figures['job_workers_restarted']}; "
                 f"web workers: {figures['web_workers']}.")
    if figures["sms_repeated"]:
        lines.append("SMS sent again, absorbed by the gateway (outbox row, kind, attempts, repeats): "
                     f"{figures['sms_repeated']}")
    if figures["stopped"]:
        lines.append(f"Why journeys stopped: {figures['stopped']}")
    return "\n".join(lines)


SIZES = {"full": Plan(signups=200, at_once=50, smtp_down_s=30, insurer_fault_s=10, seconds=600),
         "ci": Plan(signups=12, at_once=8, smtp_down_s=6, insurer_fault_s=3, seconds=150, workers=3)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="./dev faults", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=SIZES, default="full", help="full (200 signups, 50 at once) or ci")
    parser.add_argument("--signups", type=int)
    parser.add_argument("--at-once", type=int)
    parser.add_argument("--smtp-down", type=float, help="seconds without SMTP")
    parser.add_argument("--seconds", type=float, help="the bound on the whole run")
    parser.add_argument("--postgres", default=POSTGRES, help="the PostgreSQL server (a fresh database is made on it)")
    parser.add_argument("--json", help="also write the figures there")
    args = parser.parse_args(argv)
    plan = SIZES[args.size]
    plan = Plan(**{**plan.__dict__, **{k: v for k, v in (("signups", args.signups), ("at_once", args.at_once),
                                                          ("smtp_down_s", args.smtp_down), ("seconds", args.seconds))
                                       if v is not None}})
    figures = run(plan, args.postgres)
    print(table(figures))
    for part in ("web", "job"):
        if figures[f"{part}_errors"]:
            print(f"The {part} workers logged:\n" + "\n".join(figures[f"{part}_errors"]))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2, default=str))
    found = problems(figures)
    for problem in found:
        print("FAILED:", problem)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
