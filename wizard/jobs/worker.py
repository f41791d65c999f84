"""What an RQ worker runs: `run(name, *args)`, enqueued by name (wizard.jobs.WORKER_ENTRY).

The app is built once per worker process, from the environment, and a job runs in its
own app context with its own database session, as on the thread pool.
"""
import os

from wizard import create_app
from wizard.database import unit_of_work
from wizard.extensions import db
from wizard.jobs import EXTENSION, job_context

_worker_app = None


def run(name: str, *args) -> None:
    global _worker_app
    if _worker_app is None:
        _worker_app = create_app(os.environ.get("APP_ENV"))
    with job_context(_worker_app):
        try:
            with unit_of_work():
                _worker_app.extensions[EXTENSION].run(name, *args)
        finally:
            db.session.remove()
