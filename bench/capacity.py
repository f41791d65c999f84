"""The capacity model of issue 19, from the figures of this run: what a national launch
needs (1 million signups in a day, a peak of 100 signups a second, 5,000 people polling
the eligibility screen at once), and the check of its formula against this machine: the
per-request costs measured in-process, plus the HTTP floor, must predict the workers' CPU
measured through gunicorn within 25 %.

The model is additive: a journey costs the sum of its requests, each the app's own CPU
(in-process, less the test client's share: a bare Flask app's in-process request) plus
the floor (a bare Flask app through gunicorn: HTTP, the connection, Flask's dispatch).
"""
import math

from bench.stats import summary

LAUNCH = {"signups_per_day": 1_000_000, "peak_signups_per_s": 100, "pollers": 5000, "poll_every_s": 2.0,
          "insurer_s": 1.0, "utilisation": 0.6, "threads_per_job_process": 64}


def hello_in_process(samples: int = 500) -> dict:
    """A bare Flask app's request through Flask's test client: what the test client and
    Flask's dispatch cost in-process, taken off each in-process figure."""
    from bench.clients import InProcessBrowser
    from bench.hello import app
    browser = InProcessBrowser(app)
    for _ in range(50):
        browser.get("/healthz")
    return summary(browser.get("/healthz").cpu_ms for _ in range(samples))


def in_process_signups(app, reader, journeys: int, run_id: str) -> dict:
    """Signups in-process, run beside the signups through gunicorn (same minute, same load):
    the mean CPU of each request, a bare Flask request's in-process CPU beside them."""
    import time

    from bench.clients import InProcessBrowser
    from bench.signup import Signup
    hello = hello_in_process(200)
    cpu, process = {}, time.process_time()
    for number in range(journeys):
        walk = Signup(InProcessBrowser(app), reader, 20_000 + number, run_id=run_id).run()
        for label, reply in walk.timings:
            cpu.setdefault(label, []).append(reply.cpu_ms)
    return {"journeys": journeys, "hello_ms": hello["p50"], "process_ms_per_signup":
            (time.process_time() - process) * 1000 / journeys,
            "mean_ms": {label: sum(values) / len(values) for label, values in cpu.items()}}


def database_per_journey(app, new_journey, journeys: int = 5) -> dict:
    """Statements (by kind), commits, and messages queued by whole journeys (through
    eligibility, the jobs included: they run in this process's threads)."""
    from sqlalchemy import event

    from wizard.extensions import db
    from wizard.messaging.models import OutboxMessage
    with app.app_context():
        engine = db.engine
        before = dict(db.session.query(OutboxMessage.channel, db.func.count()).group_by(OutboxMessage.channel).all())
    kinds = {}

    def statement(conn, cursor, text, parameters, context, executemany):
        verb = text.lstrip().split(None, 1)[0].upper()
        rows = len(parameters) if executemany and isinstance(parameters, (list, tuple)) else 1
        kinds[verb] = kinds.get(verb, 0) + 1
        if verb in ("INSERT", "UPDATE", "DELETE"):
            kinds["rows written"] = kinds.get("rows written", 0) + rows

    def commit(conn):
        kinds["COMMIT"] = kinds.get("COMMIT", 0) + 1
    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "commit", commit)
    try:
        walks = [new_journey(number) for number in range(journeys)]
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(engine, "commit", commit)
    with app.app_context():
        after = dict(db.session.query(OutboxMessage.channel, db.func.count()).group_by(OutboxMessage.channel).all())
    done = sum(1 for walk in walks if not walk.stopped) or 1
    return {"journeys": done, "per_journey": {k: v / done for k, v in kinds.items()},
            "messages_per_journey": {c: (after.get(c, 0) - before.get(c, 0)) / done for c in after},
            "requests_per_journey": sum(len(walk.timings) for walk in walks) / done}


def model(figures) -> dict:
    """The check of the formula on this machine, then the launch."""
    beside, floor = figures.get("in_process_signups") or {}, (figures.get("floor") or {}).get(
        "server_cpu_ms_per_request")
    run = figures.get("signup_cpu") or {}
    if not (beside.get("mean_ms") and floor and run.get("server_cpu_ms_per_signup")):
        return {"not_measured": "the in-process signups, the floor or the signups through gunicorn are missing"}
    hello = beside["hello_ms"]
    own = {label: max(0.0, ms - hello) for label, ms in beside["mean_ms"].items()}
    predicted = sum(own.values()) + len(own) * floor
    measured = run["server_cpu_ms_per_signup"]
    check = {"predicted_ms_per_signup": predicted, "measured_ms_per_signup": measured,
             "error": predicted / measured - 1, "app_ms": sum(own.values()), "floor_ms": len(own) * floor,
             "requests": len(own), "hello_ms": hello}
    status = (figures.get("eligibility_status") or {})
    poll_in, poll_served = (status.get("in_process") or {}).get("cpu", {}).get("p50"), \
        (status.get("gunicorn") or {}).get("server_cpu_ms_per_request")
    if poll_in and poll_served:
        check.update(poll_predicted_ms=max(0.0, poll_in - hello) + floor, poll_measured_ms=poll_served,
                     poll_error=(max(0.0, poll_in - hello) + floor) / poll_served - 1)
    return {"check": check, "launch": launch(figures, measured)}


def launch(figures, signup_ms: float) -> dict:
    """What the launch needs, from this run's costs."""
    full = next((s for name, s in figures.get("signups", {}).items() if "memory run" in name), {})
    journey_ms = full.get("server_cpu_ms_per_signup") or signup_ms
    hash_ms = (figures.get("password_hash") or {}).get("hash_ms", {}).get("p50") or 0
    poll_ms = ((figures.get("eligibility_status") or {}).get("gunicorn") or {}).get("server_cpu_ms_per_request")
    db = figures.get("database") or {}
    per = db.get("per_journey", {})
    peak, polls_per_s = LAUNCH["peak_signups_per_s"], LAUNCH["pollers"] / LAUNCH["poll_every_s"]
    web_busy = peak * (journey_ms + hash_ms) / 1000 + polls_per_s * (poll_ms or 0) / 1000
    checks_at_once = peak * LAUNCH["insurer_s"]
    checks = figures.get("eligibility_checks", {}).get("embedded, one process", {})
    job_cpu_ms = 1000 * checks["process_cpu_s"] / checks["checks"] if checks.get("process_cpu_s") else None
    mails = (db.get("messages_per_journey") or {}).get("email", 0)
    texts = (db.get("messages_per_journey") or {}).get("sms", 0)
    return {
        "journey_ms": journey_ms, "hash_ms": hash_ms, "poll_ms": poll_ms,
        "web_cores_busy": web_busy, "web_cores": math.ceil(web_busy / LAUNCH["utilisation"]),
        "web_workers": 2 * math.ceil(web_busy / LAUNCH["utilisation"]),
        "checks_in_flight": checks_at_once,
        "job_processes": math.ceil(checks_at_once / LAUNCH["threads_per_job_process"] * 2),  # half full at peak
        "job_cpu_ms_per_check": job_cpu_ms,
        "job_cores_busy": peak * (job_cpu_ms or 0) / 1000,
        "db_statements_per_s": peak * sum(v for k, v in per.items() if k.isupper() and k != "COMMIT"),
        "db_writes_per_s": peak * sum(per.get(k, 0) for k in ("INSERT", "UPDATE", "DELETE")),
        "db_rows_written_per_s": peak * per.get("rows written", 0),
        "db_commits_per_s": peak * per.get("COMMIT", 0),
        "db_reads_per_s": peak * per.get("SELECT", 0) + polls_per_s * 2,
        "mails_per_s": peak * mails, "sms_per_s": peak * texts,
        "mails_per_day": LAUNCH["signups_per_day"] * mails, "sms_per_day": LAUNCH["signups_per_day"] * texts,
        "polls_per_s": polls_per_s, "requests_per_journey": db.get("requests_per_journey"),
    }
