"""Background jobs, called by name, so that any backend can run them.

- `thread` (the embedded default): a bounded thread pool in the web process. Jobs die with
  the process; each job's state is in our tables, and sweepers (cron) pick up what a
  restart left behind.
- `rq` (JOB_RUNNER=rq and REDIS_URL): RQ workers, `rq worker --with-scheduler sesame`.
  A worker runs `wizard.jobs.worker.run(name, *args)`, which builds the app once per process.
- `inline`, for tests: a job runs at once; a delayed one waits for `run_scheduled()`.

A job is a plain function, registered under its name by `create_app` (explicitly: the list
of jobs is in one place); its arguments are plain values (ids), never objects, so that
they cross a Redis queue unchanged.
"""
import logging
from collections.abc import Callable
from contextlib import contextmanager
from datetime import timedelta

from flask import current_app

from wizard.core import clock
from wizard.database import unit_of_work
from wizard.extensions import db
from wizard.jobs.runners import InlineJobRunner, ThreadJobRunner
from wizard.operator import events

log = logging.getLogger(__name__)
EXTENSION = "sesame.jobs"
WORKER_ENTRY = "wizard.jobs.worker.run"  # by name: RQ imports it in the worker


class JobQueue:
    def __init__(self, app, registry: dict[str, Callable]):
        self.app = app
        self.registry = dict(registry)
        self.backend = app.config["JOB_RUNNER"]
        if self.backend == "rq":
            import rq
            from redis import Redis
            from redis.backoff import ConstantBackoff
            from redis.retry import Retry
            # Short timeouts and one quick retry: a request that queues a job never waits
            # long for a Redis away (the job is left to the sweeps, see _enqueue_rq).
            connection = Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=5,
                                        retry=Retry(ConstantBackoff(0.2), 1))
            self.rq = rq.Queue(app.config["JOB_QUEUE"], connection=connection)
        else:
            runner = InlineJobRunner if self.backend == "inline" else ThreadJobRunner
            self.runner = runner(self._in_app_context, **({"workers": app.config["JOB_THREADS"]}
                                                          if self.backend == "thread" else {}))

    def enqueue(self, name: str, *args, delay: float = 0) -> None:
        if name not in self.registry:
            raise KeyError(f"no job named {name}")
        if self.backend == "rq":
            self._enqueue_rq(name, args, delay)
            return
        work = _bound(self.run, name, args)
        if delay > 0:
            self.runner.submit_later(delay, work)
        else:
            self.runner.submit(work)

    def _enqueue_rq(self, name: str, args: tuple, delay: float) -> None:
        """A job that Redis cannot take now is not lost: its state is in our tables, and the
        scheduled sweeps (deliver-outbox, sweep-eligibility) queue it again. So the request
        that committed the work answers as usual, rather than 500 after its commit."""
        from redis.exceptions import RedisError
        try:
            if delay > 0:
                self.rq.enqueue_in(timedelta(seconds=delay), WORKER_ENTRY, name, *args, job_timeout=120)
            else:
                self.rq.enqueue(WORKER_ENTRY, name, *args, job_timeout=120)
        except RedisError as error:
            log.warning("job %s not queued (%s): a sweep will queue it again", name, type(error).__name__)

    def depth(self) -> int:
        """Jobs waiting to run: for /metrics and the "job worker silent" alert."""
        return self.rq.count if self.backend == "rq" else self.runner.depth()

    def run(self, name: str, *args) -> None:
        """Runs a job in the unit of work of the caller; a job done is counted (the
        console's "a job worker silent" alert reads these counts)."""
        self.registry[name](*args)
        events.count(db.session, events.JOB_DONE, clock.now(), detail=name)

    def _in_app_context(self, work):
        def run_in_context():
            with job_context(self.app):
                try:
                    with unit_of_work():
                        work()
                finally:
                    db.session.remove()
        return run_in_context


@contextmanager
def job_context(app):
    """A job gets an app context of its own (its own database session, even when the
    inline runner runs it inside a request), and, since it builds links for emails but
    has no request, a request context on PUBLIC_BASE_URL."""
    with app.app_context(), app.test_request_context("/", base_url=app.config["PUBLIC_BASE_URL"]):
        yield


def _bound(run: Callable, name: str, args: tuple) -> Callable[[], None]:
    def work():
        run(name, *args)
    work.__qualname__ = f"job {name}{args}"
    return work


def init_app(app, registry: dict[str, Callable]) -> None:
    app.extensions[EXTENSION] = JobQueue(app, registry)


def enqueue(name: str, *args, delay: float = 0) -> None:
    current_app.extensions[EXTENSION].enqueue(name, *args, delay=delay)


def queue() -> JobQueue:
    return current_app.extensions[EXTENSION]


def function(name: str) -> Callable:
    """The function registered under `name`, to call it directly (commands, tests)."""
    return queue().registry[name]
