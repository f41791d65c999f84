"""What an RQ worker runs: `run(name, *args)`, enqueued by name (wizard.jobs.WORKER_ENTRY),
and the worker that runs many of them at once: `ThreadPoolWorker`.

The app is built once per worker process, from the environment, and a job runs in its
own app context with its own database session, as on the thread pool.

Why a thread pool inside each RQ worker: an eligibility check is a wait (the insurer takes
a second), not work, and an RQ worker runs one job at a time: 500 checks took about 580 s
on two workers. A ThreadPoolWorker takes a job from Redis only when one of its JOB_THREADS
threads is free, and runs it in that thread with RQ's own bookkeeping (an execution per
job, its heartbeat, the started, finished and failed registries; RQ 3 keeps several
executions per worker). Jobs stay in Redis until a thread takes them, so several workers
share the queue; a worker killed with its jobs leaves their checks' leases to run out,
and the sweeper gives them to another worker; the run count fences each run's last write
(wizard/eligibility/service.py), so none is done twice. asyncio jobs would need an async
insurer client, SMTP and database driver; threads reuse the code the embedded pool runs.
"""
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import redis
from rq.defaults import DEFAULT_MAINTENANCE_TASK_INTERVAL
from rq.timeouts import TimerDeathPenalty
from rq.worker import SimpleWorker

from wizard import create_app
from wizard.database import unit_of_work
from wizard.extensions import db
from wizard.jobs import EXTENSION, job_context

REDIS_AWAY = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
_worker_app = None
_building = threading.Lock()


def _app():
    global _worker_app
    with _building:  # the first jobs arrive together, on many threads
        if _worker_app is None:
            _worker_app = create_app(os.environ.get("APP_ENV"))
    return _worker_app


def run(name: str, *args) -> None:
    app = _app()
    with job_context(app):
        try:
            with unit_of_work():
                app.extensions[EXTENSION].run(name, *args)
        finally:
            db.session.remove()


class ThreadPoolWorker(SimpleWorker):
    """`rq worker --worker-class wizard.jobs.worker.ThreadPoolWorker sesame`: up to
    JOB_THREADS jobs at once in one process."""

    # A job's time limit by a timer, per thread: the default one is a signal, main thread only.
    death_penalty_class = TimerDeathPenalty

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.maintenance_interval == DEFAULT_MAINTENANCE_TASK_INTERVAL:
            # The maintenance also restarts a scheduler that died (Redis restarted) or takes
            # over the lock of one killed with its worker: within 30 s, not RQ's 10 min, so
            # that delayed jobs (the retries) are not held that long (bench/faults.py).
            self.maintenance_interval = 30
        self.threads = int(os.environ.get("JOB_THREADS", "64"))
        self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="sesame-rq")
        self._free = threading.BoundedSemaphore(self.threads)

    def dequeue_job_and_maintain_ttl(self, timeout, max_idle_time=None):
        # A job is taken only when a thread is free: the others stay in Redis, for any worker.
        while not self._free.acquire(timeout=1):
            if self._stop_requested:
                return None
            self.heartbeat()
        result = super().dequeue_job_and_maintain_ttl(timeout, max_idle_time)
        if result is None:
            self._free.release()
        return result

    # RQ's work loop quits on any Redis error outside its wait for a job: a Redis restart
    # took a worker down under load (bench/faults.py). These ride it out instead; the wait
    # for a job then retries with RQ's own back-off.
    def heartbeat(self, *args, **kwargs):
        try:
            return super().heartbeat(*args, **kwargs)
        except REDIS_AWAY as error:
            self.log.warning("Worker %s: heartbeat not sent, Redis away (%s)", self.name, type(error).__name__)

    def check_for_suspension(self, burst):
        try:
            return super().check_for_suspension(burst)
        except REDIS_AWAY:
            return None  # asked again at the next turn

    def run_maintenance_tasks(self):
        try:
            return super().run_maintenance_tasks()
        except REDIS_AWAY as error:
            self.log.warning("Worker %s: maintenance put off, Redis away (%s)", self.name, type(error).__name__)

    def execute_job(self, job, queue):
        try:
            execution = self.prepare_execution(job)
        except REDIS_AWAY as error:
            # Taken from the queue but not started: its state is in our tables, and a
            # sweep queues it again.
            self._free.release()
            self.log.warning("Worker %s: job %s put back to the sweeps, Redis away (%s)", self.name, job.id,
                             type(error).__name__)
            return
        self._pool.submit(self._perform, job, queue, execution)

    def _perform(self, job, queue, execution):
        try:
            self.perform_job(job, queue, execution)
        finally:
            self._free.release()

    def teardown(self):
        self._pool.shutdown(wait=True)  # a warm shutdown (SIGTERM) lets running jobs finish
        super().teardown()
