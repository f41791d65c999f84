"""The database engine's settings that do not fit in a URL.

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
from flask import Flask
from sqlalchemy import event

from wizard.extensions import db

SQLITE_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA busy_timeout=5000")


def init_app(app: Flask) -> None:
    with app.app_context():
        engines = list(db.engines.values())
    for engine in engines:
        if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
            event.listen(engine, "connect", _sqlite_pragmas)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    for pragma in SQLITE_PRAGMAS:
        dbapi_connection.execute(pragma)
