"""Counting what happens, without personal data.

`count` adds one to a combination of dimensions in the caller's session; just before that
session commits, each combination becomes one upsert row (INSERT ... ON CONFLICT DO UPDATE,
the same statement on SQLite and PostgreSQL), sent as one executemany per table. What is
rolled back is never counted, and a count costs no query until the commit. Nothing here
knows a person: the dimensions are
words from our code (a step, an outcome, a reason), coarse facts about the browser, the
operator's kiosk ids, and times rounded up to a bucket.
"""
import bisect
from collections import Counter
from dataclasses import astuple, dataclass
from datetime import datetime, timedelta
from functools import cache

import flask_sqlalchemy.session
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import scoped_session

from wizard.operator.models import EventCount, EventMinute

STEP_REACHED, STEP_COMPLETED = "step_reached", "step_completed"
# The time a step took, by step and bucket only: with the browser's dimensions too, every
# bucket would multiply the rows of a day by 16, for a median nobody splits.
STEP_TIME = "step_time"
MESSAGE_QUEUED, MESSAGE_DELIVERED = "message_queued", "message_delivered"
MESSAGE_RETRIED, MESSAGE_FAILED = "message_retried", "message_failed"
ELIGIBILITY_OUTCOME, INSURER_CALL = "eligibility_outcome", "insurer_call"
LIMIT_HIT, LOCKED = "limit_hit", "locked"
KIOSK_SCAN, KIOSK_HANDOFF = "kiosk_scan", "kiosk_handoff"
JOB_DONE = "job_done"
FRANCECONNECT = "franceconnect"  # detail: signed_in, signed_up, linked, or why a flow failed
# Also counted by minute, for the alerts and /metrics.
BY_MINUTE = {INSURER_CALL, JOB_DONE}

# Times are kept as the first of these (seconds) they do not exceed; past the last, MORE.
BUCKETS = (1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 21600, 86400)
MORE = 10 ** 9
KEPT_DAYS, KEPT_MINUTES = 396, timedelta(days=2)  # 13 months; two days

_PENDING = "operator.pending_counts"


@dataclass(frozen=True)
class Context:
    """What the operator may know of the browser that did it: nothing finer."""
    language: str = ""
    js: str = ""  # on, off
    device: str = ""  # mobile, desktop
    kiosk: str = ""
    provider: str = ""  # franceconnect, sesame


NONE = Context()


def bucket(duration: timedelta | float | None) -> int:
    if duration is None:
        return 0
    seconds = duration.total_seconds() if isinstance(duration, timedelta) else duration
    index = bisect.bisect_left(BUCKETS, max(seconds, 0))
    return BUCKETS[index] if index < len(BUCKETS) else MORE


def count(db_session, event: str, now: datetime, *, step: str = "", channel: str = "", detail: str = "",
          duration: timedelta | float | None = None, context: Context = NONE, amount: int = 1) -> None:
    """One more `event` (or `amount`: -1 takes one back), written with the caller's next
    commit (or forgotten with its rollback)."""
    if isinstance(db_session, scoped_session):
        db_session = db_session()
    if not db_session.in_transaction():
        db_session.begin()  # so that a rollback, even with nothing else done, forgets it
    pending = db_session.info.setdefault(_PENDING, Counter())
    pending[(now.date(), event, step, channel, detail[:40], bucket(duration), *astuple(context))] += amount
    if event in BY_MINUTE:
        pending[(now.replace(second=0, microsecond=0), event, detail[:40])] += amount


_DAY_KEYS = ("day", "event", "step", "channel", "detail", "bucket", *Context.__dataclass_fields__)
_MINUTE_KEYS = ("minute", "event", "detail")


@cache
def _upsert(dialect: str, table):
    """One upsert statement per dialect and table, built once: SQLAlchemy then finds its
    compiled form in its cache, and a commit sends each table's rows in one executemany."""
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    keys = _MINUTE_KEYS if table is EventMinute.__table__ else _DAY_KEYS
    statement = insert(table)
    return statement.on_conflict_do_update(index_elements=list(keys),
                                           set_={"count": table.c.count + statement.excluded["count"]})


@sqlalchemy_event.listens_for(flask_sqlalchemy.session.Session, "before_commit")
def _write_counts(db_session) -> None:
    pending = db_session.info.pop(_PENDING, None)
    if not pending:
        return
    rows = {EventCount.__table__: [], EventMinute.__table__: []}
    # Sorted: two transactions that upsert the same rows take their locks in the same order.
    for key, amount in sorted(pending.items(), key=lambda item: repr(item[0])):
        table, names = (EventMinute.__table__, _MINUTE_KEYS) if len(key) == len(_MINUTE_KEYS) else \
            (EventCount.__table__, _DAY_KEYS)
        rows[table].append({**dict(zip(names, key, strict=True)), "count": amount})
    connection = db_session.connection()
    for table, values in rows.items():
        if values:
            connection.execute(_upsert(connection.dialect.name, table), values)


@sqlalchemy_event.listens_for(flask_sqlalchemy.session.Session, "after_soft_rollback")
def _forget_counts(db_session, _transaction) -> None:
    db_session.info.pop(_PENDING, None)


def error_reason(error: BaseException | str | None) -> str:
    """The kind of a failure ("TimeoutError", "SMTPRecipientsRefused"), never its text,
    which may quote an address."""
    if isinstance(error, BaseException):
        return type(error).__name__
    return (error or "").partition(":")[0][:40]


def purge(db_session, now: datetime) -> tuple[int, int]:
    """Daily counts older than 13 months, minute counts older than two days."""
    days = db_session.query(EventCount).filter(EventCount.day < now.date() - timedelta(days=KEPT_DAYS)) \
        .delete(synchronize_session=False)
    minutes = db_session.query(EventMinute).filter(EventMinute.minute < now - KEPT_MINUTES) \
        .delete(synchronize_session=False)
    return days, minutes
