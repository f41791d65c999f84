"""Time per request: each step's GET and POST, the CAPTCHA's two ways, the password hash,
and the polled fragments (with the database writes each poll makes)."""
import json
import re
import statistics
import time
from collections import defaultdict
from contextlib import contextmanager

from bench.clients import HTMX_HEADERS
from bench.journey import Journey, csrf_token
from bench.stats import not_measured, summary


def step_times(new_browser, reader, journeys: int, warmup: int, run_id: str) -> dict:
    """Walks `journeys` journeys one after the other (half of them as htmx swaps) and
    returns each request's times, by label, in the order of the journey."""
    wall, cpu = defaultdict(list), defaultdict(list)
    stops = defaultdict(int)
    reached, end = [], None
    for number in range(warmup + journeys):
        walk = Journey(new_browser(), reader, number, swaps=number % 2 == 1, run_id=run_id).run()
        if walk.stopped:
            stops[walk.stopped] += 1
        reached, end = (walk.reached, walk.end) if len(walk.reached) >= len(reached) else (reached, end)
        if number < warmup:
            continue
        for label, reply in walk.timings:
            wall[label].append(reply.ms)
            if reply.cpu_ms is not None:
                cpu[label].append(reply.cpu_ms)
    figures = {}
    for label, values in wall.items():
        figures[label] = summary(values)
        if cpu.get(label):
            figures[label]["cpu"] = summary(cpu[label])
    return {"requests": figures, "reached": reached, "end": end,
            "stopped": max(stops, key=stops.get) if stops else None, "journeys": journeys}


def altcha_captcha(new_browser, samples: int) -> dict:
    """The CAPTCHA passed the way most people pass it: the browser solves ALTCHA's proof of
    work (not timed here), the server checks it (timed)."""
    import altcha
    challenge_ms, post_ms, post_cpu, solve_s = [], [], [], []
    for _ in range(samples):
        browser = new_browser()
        browser.get("/inscription/")
        page = browser.get("/inscription/verification")
        reply = browser.get("/inscription/verification/defi.json")
        challenge_ms.append(reply.ms)
        start = time.perf_counter()
        challenge = altcha.Challenge.from_dict(json.loads(reply.text))
        payload = altcha.Payload(challenge, altcha.solve_challenge(challenge)).to_base64()
        solve_s.append(time.perf_counter() - start)
        reply = browser.post("/inscription/verification", {"altcha": payload, "csrf_token": csrf_token(page.text)})
        if reply.status != 303:
            return not_measured(f"an ALTCHA solution was refused ({reply.status})")
        post_ms.append(reply.ms)
        post_cpu.append(reply.cpu_ms)
    post = summary(post_ms)
    if None not in post_cpu:
        post["cpu"] = summary(post_cpu)
    return {"GET altcha challenge": summary(challenge_ms), "POST captcha (ALTCHA)": post,
            "solve_s_in_python": statistics.median(solve_s)}


def password_hash(config, samples: int = 8) -> dict:
    """The Argon2id hash of wizard/core/passwords.py, with the app's settings."""
    try:
        from wizard.core import passwords
        hashing = passwords.Hashing(time_cost=config["PASSWORD_HASH_TIME_COST"],
                                    memory_kib=config["PASSWORD_HASH_MEMORY_KIB"],
                                    parallelism=config["PASSWORD_HASH_PARALLELISM"])
        hasher = hashing.hasher()
    except (ImportError, AttributeError, KeyError, TypeError) as error:
        return not_measured(f"no Argon2 hasher in wizard/core/passwords.py ({error})")
    hash_ms, verify_ms = [], []
    hashed = hasher.hash("Violette-Tortue-42!")
    for _ in range(samples):
        start = time.perf_counter()
        hasher.hash("Violette-Tortue-42!")
        hash_ms.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        hasher.verify(hashed, "Violette-Tortue-42!")
        verify_ms.append((time.perf_counter() - start) * 1000)
    return {"algorithm": "argon2id", "time_cost": hashing.time_cost, "memory_kib": hashing.memory_kib,
            "parallelism": hashing.parallelism, "hash_ms": summary(hash_ms), "verify_ms": summary(verify_ms)}


# --- polls -------------------------------------------------------------------------------

WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


@contextmanager
def counting_writes(engine):
    """Counts the statements that change the database while the block runs."""
    from sqlalchemy import event
    count = [0]

    def listen(conn, cursor, statement, parameters, context, executemany):
        if WRITES.match(statement):
            count[0] += 1
    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield count
    finally:
        event.remove(engine, "before_cursor_execute", listen)


def handoff_poll_path(browser) -> str | None:
    """Starts a hand-off (a journey past the CAPTCHA) and returns the URL its page polls."""
    page = browser.get("/inscription/continuer-sur-mon-telephone")
    found = re.search(r'data-hx-get="([^"]*/etat[^"]*)"', page.text)
    return found.group(1).replace("&amp;", "&") if found else None


def poll_in_process(app, path: str, browser, samples: int) -> dict:
    """Each poll's time and the database writes it makes (must be none)."""
    from wizard.extensions import db
    with app.app_context():
        engine = db.engine
    wall, cpu = [], []
    with counting_writes(engine) as writes:
        for _ in range(samples):
            reply = browser.get(path, headers=HTMX_HEADERS)
            if reply.status != 200:
                return not_measured(f"GET {path} answered {reply.status}")
            wall.append(reply.ms)
            cpu.append(reply.cpu_ms)
    return {**summary(wall), "cpu": summary(cpu), "writes_per_poll": writes[0] / samples, "path": path}
