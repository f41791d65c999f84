"""Load through gunicorn: whole signups by a bounded number of people at once, and many
people polling a status fragment. Every loop is bounded in count and in time."""
import itertools
import os
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from bench.clients import HTMX_HEADERS, HttpBrowser, new_address
from bench.journey import Journey
from bench.stats import summary


def signups(base_url: str, reader, concurrency: int, run_id: str, journeys: int | None = None,
            seconds: float | None = None, server_cpu=None, journey=Journey) -> dict:
    """`concurrency` people each walk whole journeys, one after another, until `journeys`
    are done or `seconds` have passed. A signup is complete when its walk reached the end.
    `journey`: the walk (bench.journey.Journey, through eligibility; bench.signup.Signup,
    to the activated account). `server_cpu`: a function giving the server's CPU seconds so
    far (bench.server.Gunicorn)."""
    numbers = itertools.count()
    lock = threading.Lock()
    done, stops, journey_s, request_ms = [], Counter(), [], []
    start = time.perf_counter()
    deadline = start + (seconds if seconds is not None else 600)
    cpu_start = time.process_time()
    server_start = server_cpu() if server_cpu else None
    load_start = os.getloadavg()[0]

    def person():
        while time.perf_counter() < deadline:
            with lock:
                number = next(numbers)
            if journeys is not None and number >= journeys:
                return
            began = time.perf_counter()
            walk = journey(HttpBrowser(base_url), reader, number, run_id=run_id).run()
            with lock:
                request_ms.extend(reply.ms for _label, reply in walk.timings)
                if walk.stopped:
                    stops[walk.stopped] += 1
                else:
                    done.append(time.perf_counter())
                    journey_s.append(time.perf_counter() - began)

    with ThreadPoolExecutor(concurrency) as pool:
        for future in [pool.submit(person) for _ in range(concurrency)]:
            future.result()
    elapsed = time.perf_counter() - start
    server_s = server_cpu() - server_start if server_cpu else None
    return {"concurrency": concurrency, "seconds": elapsed, "completed": len(done),
            "server_cpu_s": server_s, "load_average": (load_start, os.getloadavg()[0]),
            "server_cpu_ms_per_signup": server_s * 1000 / len(done) if server_s is not None and done else None,
            "per_second": len(done) / elapsed if elapsed else 0.0, "stopped": dict(stops),
            "journey_s": summary(journey_s), "request_ms": summary(request_ms),
            "requests": len(request_ms), "requests_per_signup": len(request_ms) / len(done) if done else None,
            # The benchmark's own CPU (HTTP client, reading codes and mails): it shares the
            # two cores with gunicorn, so the server gets less than two whole cores.
            "client_cpu_s": time.process_time() - cpu_start}


def polling(base_url: str, path, people: int, every_s: float, seconds: float, threads: int = 32,
            server_cpu=None) -> dict:
    """`people` browsers each polling every `every_s` seconds, for `seconds`: requests go
    out on a fixed schedule (people / every_s per second) whatever the answers' speed, and
    each one's lateness says whether the server keeps up. `path`: one URL for all, or a
    list of (URL, cookies), one per person (each their own status, their own session)."""
    targets = [(path, {})] if isinstance(path, str) else path
    addresses = [new_address() for _ in range(people)]
    rate = people / every_s
    total = int(rate * seconds)
    start = time.perf_counter() + 0.2
    schedule = iter(range(total))
    lock = threading.Lock()
    latencies, late_ms, failures = [], [], Counter()

    def poller():
        while True:
            with lock:
                index = next(schedule, None)
            if index is None:
                return
            due = start + index / rate
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            target, cookies = targets[index % len(targets)]
            browser = HttpBrowser(base_url, timeout=10, cookies=dict(cookies),
                                  address=addresses[index % people])
            began = time.perf_counter()
            try:
                reply = browser.get(target, headers=HTMX_HEADERS)
                status = reply.status
            except OSError as error:
                status = type(error).__name__
            with lock:
                late_ms.append(max(0.0, (began - due) * 1000))
                if status == 200:
                    latencies.append(reply.ms)
                else:
                    failures[str(status)] += 1

    server_start, load_start = server_cpu() if server_cpu else None, os.getloadavg()[0]
    with ThreadPoolExecutor(threads) as pool:
        for future in [pool.submit(poller) for _ in range(threads)]:
            future.result()
    server_s = server_cpu() - server_start if server_cpu else None
    return {"people": people, "every_s": every_s, "rate_per_s": rate, "requests": total,
            "latency_ms": summary(latencies), "late_ms": summary(late_ms), "failures": dict(failures),
            "load_average": (load_start, os.getloadavg()[0]),
            # The workers' CPU per poll, HTTP included: what the app costs, whatever the load.
            "server_cpu_ms_per_request": server_s * 1000 / total if server_s is not None and total else None}


def floor(base_url: str, path: str, requests: int, concurrency: int, server_cpu) -> dict:
    """`requests` GETs of `path` by `concurrency` clients at once, each on a new connection
    (HttpBrowser, as the signups): the workers' CPU per request, and its wall-clock time."""
    count = itertools.count()
    lock = threading.Lock()
    latencies, failures = [], Counter()

    def client():
        while next(count) < requests:
            reply = HttpBrowser(base_url).get(path)
            with lock:
                latencies.append(reply.ms)
                if reply.status != 200:
                    failures[reply.status] += 1

    server_start, start = server_cpu(), time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        for future in [pool.submit(client) for _ in range(concurrency)]:
            future.result()
    server_s = server_cpu() - server_start
    return {"requests": requests, "seconds": time.perf_counter() - start, "latency_ms": summary(latencies),
            "failures": dict(failures), "server_cpu_ms_per_request": server_s * 1000 / requests}
