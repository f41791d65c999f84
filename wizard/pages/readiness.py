"""Readiness, for the load balancer and the deployment (`GET /readyz`): can this process
serve people now? Liveness (`/healthz`) asks only whether it reaches its database.

- the database answers, and its schema is the one this code expects (the newest
  migration), so that a new release is not sent traffic before `flask db upgrade` ran;
- Redis, when the deployment has one (REDIS_URL), for the rate limits and the job queue.

Redis away does not make the process unready: it serves without it (each worker counts
limits in memory, a job Redis cannot take is queued again by the sweeps), and taking every
web process out of the load balancer for it would stop the service. It is reported, so
that it can be alerted on.
"""
import re
from functools import cache
from pathlib import Path

from sqlalchemy import text

OK, UNREACHABLE, NOT_USED = "ok", "unreachable", "not used"


_REVISION = re.compile(r"""^(revision|down_revision)\s*=\s*["']([^"']+)["']""", re.MULTILINE)


@cache
def expected_schema(migrations: str) -> str | None:
    """The newest migration's revision: the one no other revises (None if there are two).
    Read once (the scripts do not change while running), from the scripts' text: Alembic,
    with the Mako and Pygments it imports, would weigh about 11 MiB in every web worker
    the load balancer asks."""
    revisions, revised = set(), set()
    for script in Path(migrations, "versions").glob("*.py"):
        found = dict(_REVISION.findall(script.read_text(encoding="utf-8")))
        revisions.add(found.get("revision"))
        revised.add(found.get("down_revision"))
    heads = revisions - revised - {None}
    return heads.pop() if len(heads) == 1 else None


def database(db_session, migrations: Path) -> str:
    try:
        current = db_session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:  # no table (never migrated) or no database: either way not ready
        db_session.rollback()
        try:
            db_session.execute(text("SELECT 1"))
        except Exception:  # whatever the driver raises, the database cannot be reached
            return UNREACHABLE
        return "not migrated"
    return OK if current == expected_schema(str(migrations)) else f"schema {current}, expected " \
        f"{expected_schema(str(migrations))}"


def redis(config) -> str:
    if not config["REDIS_URL"]:
        return NOT_USED
    # Imported here: without REDIS_URL (the embedded default) a worker never loads it.
    from redis import Redis
    from redis.backoff import NoBackoff
    from redis.exceptions import RedisError
    from redis.retry import Retry
    # A client of its own, which tries once and briefly: a probe must answer within the
    # proxy's timeout, where the limits' and the queue's clients try again.
    client = Redis.from_url(config["REDIS_URL"], socket_connect_timeout=1, socket_timeout=1,
                            retry=Retry(NoBackoff(), 0))
    try:
        client.ping()
    except RedisError:
        return UNREACHABLE
    finally:
        client.close()
    return OK
