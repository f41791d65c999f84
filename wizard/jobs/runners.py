"""Background jobs: a small interface, so that the web process never waits for SMTP.

- ThreadJobRunner, the embedded default: a bounded thread pool in the web process. Jobs
  die with the process, so whatever they do must be safe to do again: the outbox is (its
  rows are the state), and `flask deliver-outbox` from cron picks up what a restart left.
- InlineJobRunner, for tests: `submit` runs the job at once; `submit_later` keeps it until
  the test calls `run_scheduled`, so that tests decide when time has passed.

A Redis-backed runner (rq) can take the same two methods when there are several machines.
"""
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

log = logging.getLogger(__name__)

Job = Callable[[], None]


class JobRunner(Protocol):
    def submit(self, job: Job) -> None: ...

    def submit_later(self, delay_seconds: float, job: Job) -> None: ...


def _run_logged(job: Job) -> None:
    try:
        job()
    except Exception:  # a job's failure must not take the runner down; it is logged
        log.exception("background job %r failed", job)


class InlineJobRunner:
    def __init__(self, wrap: Callable[[Job], Job] = lambda job: job):
        self._wrap = wrap
        self.scheduled: list[tuple[float, Job]] = []

    def submit(self, job: Job) -> None:
        _run_logged(self._wrap(job))

    def submit_later(self, delay_seconds: float, job: Job) -> None:
        self.scheduled.append((delay_seconds, job))

    def depth(self) -> int:
        """Jobs waiting (here: the delayed ones, until the test runs them)."""
        return len(self.scheduled)

    def run_scheduled(self) -> int:
        due, self.scheduled = self.scheduled, []
        for _delay, job in due:
            self.submit(job)
        return len(due)


class ThreadJobRunner:
    """`wrap` runs around every job (the app pushes its context there)."""

    def __init__(self, wrap: Callable[[Job], Job] = lambda job: job, workers: int = 2):
        self._wrap = wrap
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sesame-job")
        self._timers: list[threading.Timer] = []
        self._lock = threading.Lock()

    def submit(self, job: Job) -> None:
        self._pool.submit(_run_logged, self._wrap(job))

    def depth(self) -> int:
        """Jobs waiting for a free thread (not the delayed ones, which are not due)."""
        return self._pool._work_queue.qsize()  # no public counter; a queue.Queue

    def submit_later(self, delay_seconds: float, job: Job) -> None:
        timer = threading.Timer(delay_seconds, self.submit, args=(job,))
        timer.daemon = True  # a pending retry must not keep a stopping server alive
        with self._lock:
            self._timers = [t for t in self._timers if t.is_alive()] + [timer]
        timer.start()

    def shutdown(self) -> None:
        with self._lock:
            for timer in self._timers:
                timer.cancel()
        self._pool.shutdown(wait=True)
