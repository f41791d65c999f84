"""Sésame's benchmark: prints its figures, judges them against the budget (issue 7), and
writes them to reports/bench.json. Run it with `./dev bench` (options: `./dev bench --help`).

Each run builds fresh SQLite files in a temporary folder (or PostgreSQL databases with
--postgres), measures in-process with Flask's test client, then through a real gunicorn
with 2 sync workers on loopback, then 500 eligibility checks at once on the embedded
runner and on RQ (a redis-server of its own on a free port, or --redis-url; skipped with
a message when there is none), and stops everything it started.
"""
import argparse
import json
import os
import platform
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import server  # noqa: E402  (after sys.path, so that `python bench/run.py` works too)


def parse(argv):
    parser = argparse.ArgumentParser(prog="./dev bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a few journeys of each kind: checks the bench runs")
    parser.add_argument("--journeys", type=int, default=150, help="journeys timed in-process (default 150)")
    parser.add_argument("--served-journeys", type=int, default=80, help="journeys timed through gunicorn")
    parser.add_argument("--memory-journeys", type=int, default=200,
                        help="journeys before measuring memory (default 200; it stops growing after about 250)")
    parser.add_argument("--signups", type=int, default=1000,
                        help="signups (captcha to activated account) through gunicorn for the CPU per signup and the "
                        "memory after them (issue 19; default 1000)")
    parser.add_argument("--floor-requests", type=int, default=3000,
                        help="requests to a bare Flask hello-world through the same gunicorn (the floor; default 3000)")
    parser.add_argument("--load-seconds", type=float, default=20, help="seconds of signups with the real hash")
    parser.add_argument("--concurrency", type=int, default=6, help="people signing up at once")
    parser.add_argument("--schema", choices=("migrations", "models"), default="migrations",
                        help="build the schema from the migrations (default) or from the models")
    parser.add_argument("--postgres", metavar="URL", nargs="?", const=os.environ.get(
        "TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"),
        help="use fresh databases on this PostgreSQL server instead of SQLite files")
    parser.add_argument("--profile", action="store_true",
                        help="profile the in-process journeys with pyinstrument (reports/bench-profile.html)")
    parser.add_argument("--json", default=str(ROOT / "reports" / "bench.json"), help="where to write the figures")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a budget line is missed")
    parser.add_argument("--checks", type=int, default=500, help="eligibility checks started at once (default 500)")
    parser.add_argument("--no-rq", action="store_true", help="skip the eligibility checks on RQ workers")
    parser.add_argument("--rq-seconds", type=float, default=8,
                        help="how long each RQ measure runs before its rate is projected (default 8)")
    parser.add_argument("--rq-scale", default="16", metavar="N[,N...]",
                        help="also that many RQ workers that do not fork per job (SimpleWorker; default 16; "
                        "0: none)")
    parser.add_argument("--only-checks", action="store_true",
                        help="the eligibility checks alone (after a few in-process journeys, whose account they copy)")
    parser.add_argument("--redis-url", help="an existing Redis for RQ (its queue 'sesame' is emptied at the end); "
                        "default: a redis-server of the bench's own on a free port")
    args = parser.parse_args(argv)
    if args.only_checks:
        args.journeys = 12
    if args.quick:
        args.journeys, args.served_journeys, args.memory_journeys, args.load_seconds = 12, 8, 40, 4
        args.signups, args.floor_requests = 30, 500
        args.checks, args.rq_seconds, args.rq_scale = min(args.checks, 50), min(args.rq_seconds, 4), "0"
    return args


class Databases:
    """Fresh, empty databases: SQLite files in a temporary folder, or PostgreSQL databases
    created on the given server and dropped at the end."""

    def __init__(self, postgres_url: str | None):
        self.folder = tempfile.mkdtemp(prefix="sesame-bench-")
        self.postgres_url, self.created = postgres_url, []

    def new(self, name: str) -> str:
        if not self.postgres_url:
            return f"sqlite:///{self.folder}/{name}.sqlite3"
        import psycopg
        database = f"sesame_bench_{os.getpid()}_{name}"
        with psycopg.connect(self.postgres_url, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
            connection.execute(f"CREATE DATABASE {database}")
        self.created.append(database)
        return self.postgres_url.rsplit("/", 1)[0] + "/" + database

    def describe(self) -> str:
        return "PostgreSQL, fresh databases" if self.postgres_url else "SQLite, fresh files (the embedded default)"

    def drop(self):
        shutil.rmtree(self.folder, ignore_errors=True)
        if self.postgres_url and self.created:
            import psycopg
            with psycopg.connect(self.postgres_url, autocommit=True) as connection:
                for database in self.created:
                    connection.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory_kib = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                       if line.startswith("MemTotal")), 0)
    return {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "cores": os.cpu_count(), "cpu": cpu,
            "memory_gib": memory_kib / 1024 / 1024, "python": platform.python_version(),
            "system": f"{platform.system()} {platform.release()}", "load_before": os.getloadavg()[0]}


def process_startup(database_url: str) -> float:
    """A new Python process: import the app, build it, answer /healthz (in-process)."""
    code = ("import time; t = time.perf_counter(); from app import create_app; "
            "c = create_app().test_client(); assert c.get('/healthz').status_code == 200; "
            "print(time.perf_counter() - t)")
    env = server.environment(database_url, "bench-startup")
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return time.perf_counter() - start


def in_process(args, figures, databases, run_id):
    from app import create_app
    from bench import capacity, eligibility, latency, pending, transfer
    from bench.clients import InProcessBrowser
    from bench.journey import Journey
    from bench.reader import Reader
    from bench.stats import not_measured

    url = databases.new("inprocess")
    server.migrate(url, args.schema)
    app = create_app("development", SQLALCHEMY_DATABASE_URI=url, SECRET_KEY=secrets.token_hex(16),
                     PASSWORD_HASH_TIME_COST=1, PASSWORD_HASH_MEMORY_KIB=64,
                     **{name: server.NO_LIMIT for name in server.LIMIT_SETTINGS})
    reader = Reader(app)
    figures["password_hash"] = latency.password_hash(create_app("development").config)
    profiler = None
    if args.profile:
        from pyinstrument import Profiler
        profiler = Profiler(interval=0.0005)
        profiler.start()
    figures["steps"]["in_process"] = latency.step_times(lambda: InProcessBrowser(app), reader, args.journeys,
                                                         warmup=10, run_id=run_id)
    if profiler:
        profiler.stop()
        out = Path(args.json).parent / "bench-profile.html"
        out.write_text(profiler.output_html())
        print(profiler.output_text(unicode=True, color=False, show_all=False)[:6000])
        print(f"(profile written to {out})")
    figures["captcha_altcha"] = {"cost": app.config["ALTCHA_COST"], "in_process": latency.altcha_captcha(
        lambda: InProcessBrowser(app), samples=3 if args.quick else 40)}
    figures["bytes"] = transfer.page_sizes(app, reader, run_id)
    browser = InProcessBrowser(app)
    browser.get("/inscription/")
    poll = latency.handoff_poll_path(browser)
    figures["polls"]["hand-off status, in-process"] = (
        latency.poll_in_process(app, poll, browser, 300) if poll else {"not_measured": "no hand-off poll URL"})
    walk = figures["steps"]["in_process"]
    figures["pending"] = {"activation": pending.activation(walk), "SMS code": pending.sms_code(app, walk),
                          "eligibility": pending.eligibility(walk)}
    template = eligibility.template_account(app)
    figures["eligibility_status"] = {"in_process": eligibility.status_in_process(app, template, run_id, 300)} \
        if template else not_measured("no account of the walks confirmed its phone: " + str(walk.get("stopped")))
    # Last: the jobs of these journeys (mails, checks) would be seen by the polls' write counts.
    figures["database"] = capacity.database_per_journey(
        app, lambda n: Journey(InProcessBrowser(app), reader, 10_000 + n, run_id=run_id + "-db").run(),
        journeys=3 if args.quick else 10)
    return app, template


def served(args, figures, databases, run_id, documents, template, app):
    from app import create_app
    from bench import capacity, eligibility, insurer, latency, load, transfer
    from bench.clients import HttpBrowser
    from bench.reader import Reader
    from bench.signup import Signup
    url = databases.new("served")
    server.migrate(url, args.schema)
    # The floor (issue 19): a bare Flask app through the same gunicorn and client.
    with server.Gunicorn(url, app_spec="bench.hello:app") as hello:
        load.floor(hello.base_url, "/healthz", 200, args.concurrency, hello.workers_cpu_s)  # warm-up
        figures["floor"] = load.floor(hello.base_url, "/healthz", args.floor_requests, args.concurrency,
                                      hello.workers_cpu_s)
    with server.Gunicorn(url, extra_env=server.CHEAP_HASH) as gunicorn:
        figures["startup"] = {"gunicorn_s": gunicorn.startup_s, "process_s": process_startup(url)}
        rss_start = max(w["rss_kib"] for w in gunicorn.worker_memory_kib())
        reader = Reader(create_app("development", SQLALCHEMY_DATABASE_URI=url, SECRET_KEY=gunicorn.secret_key))
        figures["steps"]["gunicorn"] = latency.step_times(lambda: HttpBrowser(gunicorn.base_url), reader,
                                                          args.served_journeys, warmup=5, run_id=run_id + "-s")
        figures["captcha_altcha"]["gunicorn"] = latency.altcha_captcha(
            lambda: HttpBrowser(gunicorn.base_url), samples=3 if args.quick else 40)
        figures["first_page"] = {}
        for name, path in (("landing", "/"), ("captcha step", None)):
            if path is None:  # the journey's first page, as after scanning a kiosk's QR code
                browser = HttpBrowser(gunicorn.base_url)
                path = browser.get("/inscription/").location
            result = transfer.first_and_second_visit(gunicorn.base_url, path)
            figures["first_page"][name] = result
            for r in result["first"]["requests"]:
                kind = "css" if ".css" in r["url"] else "js" if ".js" in r["url"].split("?")[0] else None
                if kind:
                    documents.append((r["url"], kind, _text(gunicorn.base_url, r["url"])))
        browser = HttpBrowser(gunicorn.base_url)
        browser.get("/inscription/")
        poll = latency.handoff_poll_path(browser)
        if poll:
            figures["polls"]["hand-off status, 500 people"] = load.polling(
                gunicorn.base_url, poll, people=500, every_s=2.0, seconds=2 if args.quick else 8,
                server_cpu=gunicorn.workers_cpu_s)
        if template and "not_measured" not in figures["eligibility_status"]:
            figures["eligibility_status"]["gunicorn"] = eligibility.status_through_gunicorn(
                gunicorn.base_url, reader.app, template, run_id, people=500, seconds=2 if args.quick else 8,
                server_cpu=gunicorn.workers_cpu_s)
        # Issue 19: whole signups to the activated account, the workers' CPU per signup (the
        # 64 KiB hash: hash excluded), then the workers' memory after them.
        figures["in_process_signups"] = capacity.in_process_signups(app, Reader(app), 10 if args.quick else 40,
                                                                   run_id + "-b")
        figures["signup_cpu"] = load.signups(gunicorn.base_url, reader, args.concurrency, run_id + "-c",
                                             journeys=args.signups, server_cpu=gunicorn.workers_cpu_s,
                                             journey=Signup)
        workers = gunicorn.worker_memory_kib()
        figures["signup_cpu"]["memory_after_mib"] = max(w["rss_kib"] for w in workers) / 1024
        figures["signup_cpu"]["memory_workers"] = workers
        figures["signups"][f"{args.memory_journeys} journeys, 64 KiB hash (memory run)"] = load.signups(
            gunicorn.base_url, reader, args.concurrency, run_id + "-m", journeys=args.memory_journeys,
            server_cpu=gunicorn.workers_cpu_s)
        rss_after = max(w["rss_kib"] for w in gunicorn.worker_memory_kib())
        figures["memory"] = {"journeys": args.memory_journeys, "rss_start_mib": rss_start / 1024,
                             "rss_after_mib": rss_after / 1024, "workers": gunicorn.worker_memory_kib(),
                             "how": "VmRSS of each gunicorn worker, from /proc/<pid>/status"}
        figures["server_errors"] = [gunicorn.errors()]

    url = databases.new("realhash")
    server.migrate(url, args.schema)
    with server.Gunicorn(url) as gunicorn:
        reader = Reader(create_app("development", SQLALCHEMY_DATABASE_URI=url, SECRET_KEY=gunicorn.secret_key))
        figures["signups"]["real hash"] = load.signups(gunicorn.base_url, reader, args.concurrency,
                                                       run_id + "-r", seconds=args.load_seconds,
                                                       server_cpu=gunicorn.workers_cpu_s)
        figures["memory"]["peak_real_hash_mib"] = max(w["peak_kib"] for w in gunicorn.worker_memory_kib()) / 1024
        figures["server_errors"] = [e for e in figures["server_errors"] + [gunicorn.errors()] if e.strip()]

    # The same signups with the insurer's API answering in 1 s (INSURER_API_URL), not the
    # directory: the confirmation's POST waits for the answer (ELIGIBILITY_QUICK_ANSWER_SECONDS).
    url = databases.new("slowinsurer")
    server.migrate(url, args.schema)
    with insurer.SlowInsurer(1.0) as stand_in, \
            server.Gunicorn(url, extra_env={**server.CHEAP_HASH, "INSURER_API_URL": stand_in.url}) as gunicorn:
        reader = Reader(create_app("development", SQLALCHEMY_DATABASE_URI=url, SECRET_KEY=gunicorn.secret_key))
        figures["signups"]["1 s insurer API, 64 KiB hash"] = load.signups(
            gunicorn.base_url, reader, args.concurrency, run_id + "-i", seconds=min(args.load_seconds, 10),
            server_cpu=gunicorn.workers_cpu_s)
        figures["server_errors"] = [e for e in figures["server_errors"] + [gunicorn.errors()] if e.strip()]


def checks(args, figures, databases, run_id, template):
    """500 eligibility checks started at once, against the 1 s insurer stand-in."""
    from bench import eligibility
    from bench.stats import not_measured
    results = figures["eligibility_checks"]
    if not template:
        results["embedded"] = not_measured("no account of the walks confirmed its phone")
        return
    count = args.checks

    def fresh(name):
        url = databases.new(name)
        server.migrate(url, args.schema)
        return url

    print(f"  {count} checks, embedded runner, through gunicorn -w 2...", file=sys.stderr)
    results["embedded"] = eligibility.embedded_through_gunicorn(fresh("checks_gunicorn"), template, count, run_id)
    print(f"  {count} checks, embedded runner, one process...", file=sys.stderr)
    results["embedded, one process"] = eligibility.embedded_in_process(fresh("checks_process"), template, count,
                                                                      run_id)
    if args.no_rq:
        results["RQ"] = not_measured("skipped (--no-rq)")
        return
    simple = [int(w) for w in args.rq_scale.split(",") if w.strip() and int(w) > 0]
    # The deployed one first, run to the end (60 s at most); the others stop after
    # --rq-seconds and give their rate, since they would take minutes.
    for label, workers, worker_class, limit_s in [
            (eligibility.RQ_THREADED, 2, eligibility.THREAD_POOL_WORKER, 60),
            ("RQ, 2 workers", 2, None, args.rq_seconds)] + [
            (f"RQ, {w} workers, SimpleWorker", w, "rq.worker.SimpleWorker", args.rq_seconds) for w in simple]:
        print(f"  {count} checks, {label} (at most {limit_s:g} s)...", file=sys.stderr)
        name = f"checks_rq{workers}{worker_class.rsplit('.', 1)[-1].lower() if worker_class else ''}"
        results[label] = eligibility.rq_checks(fresh(name), template, count, run_id, workers, limit_s,
                                               redis_url=args.redis_url, worker_class=worker_class)
        if "not_measured" in results[label]:  # no Redis: the other RQ measures would say the same
            break


def _text(base_url, path) -> str:
    from bench.clients import HttpBrowser
    return HttpBrowser(base_url).get(path).text


def check_origin(figures, documents, app):
    from bench import transfer
    for kind in ("pages", "swaps"):
        for name, s in figures["bytes"][kind].items():
            documents.append((f"{kind}: {name}", "html", s.pop("html")))
    hosts = {"127.0.0.1", "localhost", app.config["PUBLIC_BASE_URL"].split("//")[-1].split(":")[0].split("/")[0]}
    found = transfer.foreign_urls(documents, hosts)
    found["documents"] = len(documents)
    found["csp_other_hosts"] = transfer.csp_sources(app.config["CONTENT_SECURITY_POLICY"])
    figures["origin"] = found


def main(argv=None) -> int:
    args = parse(argv)
    for name in server.REAL_PARTS:  # the embedded defaults, whatever this shell has set
        os.environ.pop(name, None)
    os.environ["APP_ENV"] = "development"
    # The request log's line per request would fill the bench's output (and its processes'
    # inherit this); its cost is not what the budget measures.
    os.environ["LOG_LEVEL"] = os.environ.get("BENCH_LOG_LEVEL", "WARNING")
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    from bench import budget, capacity, insurer, report

    started = time.perf_counter()
    run_id = secrets.token_hex(3)
    figures = {"machine": machine(), "steps": {}, "polls": {}, "signups": {}, "settings": {},
               "eligibility_checks": {}}
    databases = Databases(args.postgres)
    figures["settings"] = {"database": databases.describe(),
                           "schema": f"schema from the {args.schema}", "quick": args.quick}
    documents = []
    try:
        phases = figures["phases_s"] = {}
        print("measuring in-process...", file=sys.stderr)
        app, template = in_process(args, figures, databases, run_id)
        phases["in-process"] = time.perf_counter() - started
        if not args.only_checks:
            print("measuring through gunicorn...", file=sys.stderr)
            served(args, figures, databases, run_id, documents, template, app)
        phases["through gunicorn"] = time.perf_counter() - started - sum(phases.values())
        print("measuring eligibility checks at once...", file=sys.stderr)
        figures["eligibility_checks"]["insurer stand-in alone (calibration)"] = insurer.calibrate(checks=args.checks)
        checks(args, figures, databases, run_id, template)
        phases["eligibility checks"] = time.perf_counter() - started - sum(phases.values())
    finally:
        databases.drop()
    check_origin(figures, documents, app)
    figures["machine"]["load_after"] = os.getloadavg()[0]
    figures["bench_seconds"] = time.perf_counter() - started
    figures["budget"] = budget.judge(figures)
    figures["target_19"] = budget.judge_issue_19(figures)
    figures["capacity"] = capacity.model(figures)
    report.print_all(figures)
    print(f"\n(bench took {figures['bench_seconds']:.0f} s: "
          + ", ".join(f"{name} {s:.0f} s" for name, s in figures.get("phases_s", {}).items())
          + f"; figures written to {args.json})")
    Path(args.json).write_text(json.dumps(figures, indent=1, ensure_ascii=False, default=str))
    missed = any(line["status"] == budget.MISS for line in figures["budget"] + figures["target_19"])
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
