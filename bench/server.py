"""A real gunicorn (2 sync workers) on loopback, on a fresh database, started and stopped
by the benchmark."""
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
# High enough never to refuse the benchmark's own requests, all from 127.0.0.1; the
# limiter still does its work (and its memory) on every request.
NO_LIMIT = "1000000 per minute"
LIMIT_SETTINGS = ("RATELIMIT_CAPTCHA", "RATELIMIT_IDENTITY", "RATELIMIT_ACTIVATION_EMAIL",
                  "RATELIMIT_ACTIVATION_CODE", "RATELIMIT_PASSWORD_RULES", "RATELIMIT_NEW_JOURNEY",
                  "RATELIMIT_SPOKEN_CODE")
# Settings that would take the app off its embedded defaults: the benchmark unsets them.
REAL_PARTS = ("REDIS_URL", "MAIL_SERVER", "HCAPTCHA_SITEKEY", "HCAPTCHA_SECRET", "INSURER_API_URL",
              "SMS_GATEWAY_URL", "PROXY_FIX_X_FOR", "APP_ENV", "JOB_RUNNER")
CHEAP_HASH = {"PASSWORD_HASH_TIME_COST": "1", "PASSWORD_HASH_MEMORY_KIB": "64"}


def stop_groups(processes, grace_s: float) -> None:
    """Stops processes started with start_new_session=True, each with what it forked (a job
    worker's work horse): SIGTERM, then SIGKILL after `grace_s`."""
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(database_url: str, secret_key: str, extra: dict | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in REAL_PARTS and not k.startswith("PASSWORD_HASH_")}
    # Development, not production: production's Secure cookies are not sent over plain
    # HTTP on loopback. Every other setting is the embedded default.
    env.update({"APP_ENV": "development", "DATABASE_URL": database_url, "SECRET_KEY": secret_key,
                "PYTHONDONTWRITEBYTECODE": "1"})
    env.update({name: NO_LIMIT for name in LIMIT_SETTINGS})
    env.update(extra or {})
    return env


def migrate(database_url: str, schema: str = "migrations") -> None:
    """Builds the schema on an empty database: by the migrations (what a deployment does), or
    from the models (`schema="models"`, for a branch whose migration is not written yet)."""
    env = environment(database_url, "bench-migrate")
    if schema == "models":
        code = "from app import create_app; from wizard.extensions import db; a = create_app(); " \
               "a.app_context().push(); db.create_all()"
        command = [sys.executable, "-c", code]
    else:
        command = [str(VENV_BIN / "flask"), "--app", "app", "db", "upgrade"]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"building the schema failed:\n{done.stderr[-3000:]}")


class Gunicorn:
    def __init__(self, database_url: str, workers: int = 2, extra_env: dict | None = None,
                 app_spec: str = "app:create_app()"):
        self.app_spec = app_spec  # bench.hello:app for the floor
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.secret_key = secrets.token_hex(16)
        # PROXY_FIX_X_FOR=1: each browser of the bench sends its own X-Forwarded-For
        # (bench/clients.py), so that the limits per address see people, not the bench.
        self.env = environment(database_url, self.secret_key,
                               {"PUBLIC_BASE_URL": self.base_url, "PROXY_FIX_X_FOR": "1", **(extra_env or {})})
        self.workers = workers
        self.process = None
        self.startup_s = None

    def __enter__(self):
        command = [str(VENV_BIN / "gunicorn"), self.app_spec, "-w", str(self.workers),
                   "-b", f"127.0.0.1:{self.port}", "--log-level", "warning", "--backlog", "2048"]
        start = time.perf_counter()
        self.log = tempfile.TemporaryFile("w+")  # deleted when closed
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = start + 60
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped at start-up:\n{self._log_tail()}")
            try:
                with urllib.request.urlopen(self.base_url + "/healthz", timeout=1) as response:
                    if response.status == 200:
                        self.startup_s = time.perf_counter() - start
                        break
            except OSError:
                time.sleep(0.01)
        else:
            self.__exit__()
            raise RuntimeError("gunicorn did not answer /healthz within 60 s")
        self._wait_for_workers()
        return self

    def _wait_for_workers(self):
        for _ in range(500):  # the first worker answers while the second may still boot
            if len(self.worker_pids()) == self.workers:
                return
            time.sleep(0.01)

    def worker_pids(self) -> list[int]:
        master = self.process.pid
        children = Path(f"/proc/{master}/task/{master}/children")
        if children.exists():
            return [int(pid) for pid in children.read_text().split()]
        found = []  # kernels without /proc/.../children: the parent is the 4th field of stat
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == master:
                    found.append(int(stat.parent.name))
            except (OSError, IndexError, ValueError):
                continue
        return found

    def worker_memory_kib(self) -> list[dict]:
        """Each worker's resident memory now (VmRSS) and at its highest (VmHWM), in KiB."""
        found = []
        for pid in self.worker_pids():
            fields = {}
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                name, _, value = line.partition(":")
                if name in ("VmRSS", "VmHWM"):
                    fields[name] = int(value.split()[0])
            found.append({"pid": pid, "rss_kib": fields.get("VmRSS"), "peak_kib": fields.get("VmHWM"),
                          **_shared_and_private(pid)})
        return found

    def workers_cpu_s(self) -> float:
        """CPU time (user and system) the workers have used so far, from /proc/<pid>/stat:
        the app's own cost of what the bench asked, whatever else runs on the machine."""
        total = 0
        for pid in self.worker_pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime (the 14th and 15th fields)
        return total / os.sysconf("SC_CLK_TCK")

    def _log_tail(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()[-3000:]

    def errors(self) -> str:
        """What the workers logged at warning level or above (tracebacks of 500s)."""
        return self._log_tail()

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def _shared_and_private(pid: int) -> dict:
    """Of the resident memory: the worker's own pages (private), its share of the pages it
    shares with other processes (PSS: the shared libraries' code), and the file-backed part."""
    fields = {}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in ("Pss", "Private_Clean", "Private_Dirty", "Rss"):
                fields[name] = int(value.split()[0])
    except (OSError, ValueError, IndexError):
        return {}
    return {"pss_kib": fields.get("Pss"),
            "private_kib": fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)}
