"""The database: the unit of work, and the engine's settings that do not fit in a URL.

One unit of work per request and per job. Services add and flush, never commit; the
request commits once, after its view (after_request), unless the response is a server
error, in which case nothing it did is kept; a job commits once when it returns. The
exceptions commit on their own, each named where it does: a worker's lease claim and the
stages of an eligibility check (wizard/eligibility/service.py, so the waiting screen sees
them), the delivery of each outbox message (wizard/messaging/outbox.py, so a message is
never sent twice), and the `flask` commands (wizard/commands.py, each its own unit).
Work that must see what the request wrote (a job) is started by `after_commit`.

SQLite, the embedded default, is set up for a web server with several workers:
- `journal_mode=WAL`: readers do not wait for a writer, nor a writer for readers. With
  the default rollback journal, two gunicorn workers queue behind each other's commits.
- `synchronous=NORMAL`: in WAL mode a commit no longer waits for the disk (fsync); the
  database stays consistent, and a power cut can lose the last commits, not corrupt the
  file. Each step's POST commits once or twice: this took a step POST from about 5 ms to
  2 ms (p50) and 25 ms to 8 ms (p95) on the 2-core reference machine (BENCHMARKS.md).
- `busy_timeout`: a writer waits up to 5 s for another instead of failing at once.
PostgreSQL, the production database, keeps its own settings.
"""
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import flask_sqlalchemy.session
from flask import Flask
from sqlalchemy import event

from wizard.extensions import db

_AFTER_COMMIT = "sesame.after_commit"
SQLITE_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA busy_timeout=5000")


def engine_options(config) -> None:
    """Before the engines are made: a SQLite file has no server to drop a pooled
    connection, so no ping (a `SELECT 1`) at each request's checkout: 0.05 ms a request."""
    if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        options = config["SQLALCHEMY_ENGINE_OPTIONS"]
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {name: v for name, v in options.items() if name != "pool_pre_ping"}


def init_app(app: Flask) -> None:
    app.after_request(_end_of_request)
    with app.app_context():
        engines = list(db.engines.values())
    for engine in engines:
        if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
            event.listen(engine, "connect", _sqlite_pragmas)


def init_migrations(app: Flask) -> None:
    """`flask db ...` (Flask-Migrate, on Alembic). Bound only when a `flask` command runs
    (and in the tests, which upgrade and downgrade in-process): Alembic and Mako weigh
    11 MiB, which a web worker would carry for nothing."""
    from flask_migrate import Migrate

    Migrate(app, db, directory=str(Path(app.root_path) / "migrations"))


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    for pragma in SQLITE_PRAGMAS:
        dbapi_connection.execute(pragma)


def _end_of_request(response):
    if response.status_code >= 500:
        db.session.rollback()
    else:
        db.session.commit()
    return response


@contextmanager
def unit_of_work():
    """For a job or a command: commits once at the end, or rolls back if it raises."""
    try:
        yield db.session
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def after_commit(session, callback: Callable[[], None]) -> None:
    """Runs `callback` once the session's transaction is committed (never if rolled back)."""
    session.info.setdefault(_AFTER_COMMIT, []).append(callback)


@event.listens_for(flask_sqlalchemy.session.Session, "after_commit")
def _run_after_commit(session) -> None:
    for callback in session.info.pop(_AFTER_COMMIT, []):
        callback()


@event.listens_for(flask_sqlalchemy.session.Session, "after_rollback")
def _drop_after_rollback(session) -> None:
    session.info.pop(_AFTER_COMMIT, None)
