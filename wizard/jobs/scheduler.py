"""The app's own scheduler: the purges and sweeps of wizard/commands.py run by themselves
on the embedded default, with no cron to set up.

Every web process that has served a request runs a ticker thread (SCHEDULER,
SCHEDULER_TICK_SECONDS). A task's run is claimed first, by one conditional UPDATE of its
row in `scheduled_runs` (due, and no live lease): however many workers or processes tick,
one only runs it, on SQLite as on PostgreSQL. The run is its own unit of work; a run that
fails is logged and tried again at its next time. Cron can still run the same commands
(`flask --app app purge-incomplete`, ...): the work is the same, and doing it twice does
no harm."""
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError

from wizard.core import clock
from wizard.database import unit_of_work
from wizard.extensions import db
from wizard.jobs import job_context
from wizard.jobs.models import ScheduledRun

log = logging.getLogger(__name__)
EXTENSION = "sesame.scheduler"
# Longer than any run: past it, a run whose process died is taken up by another.
LEASE = timedelta(minutes=10)


@dataclass(frozen=True)
class Task:
    name: str
    every: timedelta
    run: Callable[[], object]


def claim(db_session, task: Task, now: datetime) -> bool:
    """True for the one caller that may run `task` now; its next run is set at once."""
    if db_session.get(ScheduledRun, task.name) is None:
        try:
            with db_session.begin_nested():
                db_session.add(ScheduledRun(name=task.name, next_run_at=now))
        except IntegrityError:  # another worker wrote it a moment before
            pass
    claimed = db_session.execute(
        update(ScheduledRun)
        .where(ScheduledRun.name == task.name, ScheduledRun.next_run_at <= now,
               or_(ScheduledRun.lease_until.is_(None), ScheduledRun.lease_until < now))
        .values(lease_until=now + LEASE, next_run_at=now + task.every)
        .execution_options(synchronize_session=False)
    ).rowcount
    return claimed == 1


def release(db_session, task: Task, now: datetime) -> None:
    db_session.execute(update(ScheduledRun).where(ScheduledRun.name == task.name)
                       .values(lease_until=None, last_run_at=now).execution_options(synchronize_session=False))


def tick(app, tasks: tuple[Task, ...]) -> list[str]:
    """Runs each task that is due and claimed here; returns the names of those run."""
    ran = []
    for task in tasks:
        with job_context(app):
            try:
                with unit_of_work():
                    claimed = claim(db.session, task, clock.now())
                if not claimed:
                    continue
                try:
                    with unit_of_work():
                        task.run()
                    ran.append(task.name)
                except Exception:  # logged; the task runs again at its next time
                    log.exception("scheduled task %s failed", task.name)
                with unit_of_work():
                    release(db.session, task, clock.now())
            finally:
                db.session.remove()
    return ran


def init_app(app, tasks: tuple[Task, ...]) -> None:
    """Starts the ticker with the first request served (never for a `flask` command)."""
    app.extensions[EXTENSION] = tasks
    if not app.config["SCHEDULER"]:
        return
    started = threading.Event()
    lock = threading.Lock()

    @app.before_request
    def _start_ticker():
        if started.is_set():
            return
        with lock:
            if not started.is_set():
                started.set()
                threading.Thread(target=_tick_forever, args=(app, tasks), name="sesame-scheduler",
                                 daemon=True).start()


def _tick_forever(app, tasks: tuple[Task, ...]) -> None:
    pause = app.config["SCHEDULER_TICK_SECONDS"]
    while not threading.Event().wait(pause):
        try:
            tick(app, tasks)
        except Exception:  # the database away for a while: the next tick tries again
            log.exception("scheduler tick failed")
