"""Server-side sessions: a row per signed-in browser, so that any of them can be ended.

The browser's signed session cookie holds a random token; the row's id is its SHA-256,
so a copy of the table signs nobody in. A session ends when the person signs out, when
"se déconnecter partout" or a new password revokes it, after `idle` without a request,
or `absolute` after it began, whatever the activity. An ended session never comes back:
the next sign-in makes a new token (the session is renewed).
"""
import hashlib
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update

from wizard.sign_in.models import AccountSession

SIGNUP, SIGN_IN = "signup", "sign_in"
PENDING = "pending"  # between the password and the code (wizard/web/pending_sign_in.py)
# A request within this time of the last one recorded is not written again: a page that
# polls every few seconds costs one write per half-minute, not one per poll.
TOUCH_EVERY = timedelta(seconds=30)


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta
    absolute: timedelta


@dataclass(frozen=True)
class Found:
    session: AccountSession | None
    # "ok", "none" (no token, or not ours), "ended" (signed out or revoked),
    # "idle" (left too long: say so), "too_old" (past the absolute limit)
    outcome: str
    kind: str | None = None  # of the session that ended, to say what was lost


def key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def begin(db_session, account_id: str, kind: str, device: str, now: datetime) -> tuple[str, AccountSession]:
    """A new session: returns the token for the cookie, and its row."""
    token = secrets.token_urlsafe(32)
    row = AccountSession(id=key(token), account_id=account_id, kind=kind, device=device or "",
                         created_at=now, last_seen_at=now)
    db_session.add(row)
    return token, row


# A polled fragment's read of a session (`find(columns=True)`): its columns, without the
# ORM's object (0.1 ms less a poll), so nothing can be written through it.
_COLUMNS = select(AccountSession.account_id, AccountSession.kind, AccountSession.created_at,
                  AccountSession.last_seen_at, AccountSession.ended_at).where(AccountSession.id == bindparam("id"))


def find(db_session, token: str | None, policy_for: Callable[[str], SessionPolicy], now: datetime,
         end: bool = True, model=AccountSession, columns: bool = False) -> Found:
    """The live session of this token, ended on the spot if it has sat idle too long (not
    by a caller that only reads: `end=False`). `policy_for(kind)`: the limits of a session
    of that kind. `model`: the table (the console's staff have their own). `columns`: an
    account session's columns only (read-only, never ended)."""
    if not token or not isinstance(token, str):
        return Found(None, "none")
    if columns:
        row, end = db_session.execute(_COLUMNS, {"id": key(token)}).first(), False
    else:
        row = db_session.get(model, key(token))
    if row is None:
        return Found(None, "none")
    if row.ended_at is not None:
        return Found(None, "ended")
    policy = policy_for(row.kind)
    for outcome, deadline in (("too_old", row.created_at + policy.absolute), ("idle", row.last_seen_at + policy.idle)):
        if now >= deadline:
            if end:
                row.ended_at = now
            return Found(None, outcome, row.kind)
    return Found(row, "ok")


def touch(row: AccountSession, policy: SessionPolicy, now: datetime) -> bool:
    """Records activity; True when the row changed (the caller commits)."""
    if now - row.last_seen_at < min(TOUCH_EVERY, policy.idle / 10):
        return False
    row.last_seen_at = now
    return True


def seconds_left(row: AccountSession | None, policy: SessionPolicy, now: datetime) -> int:
    """Before the session ends if nothing happens: what the idle warning counts down."""
    if row is None:
        return 0
    deadline = min(row.last_seen_at + policy.idle, row.created_at + policy.absolute)
    # Rounded up: 0 only once the session has really ended, never a moment before.
    return max(0, math.ceil((deadline - now).total_seconds()))


def end(db_session, token: str | None, now: datetime) -> None:
    if token and isinstance(token, str):
        db_session.execute(update(AccountSession).where(
            AccountSession.id == key(token), AccountSession.ended_at.is_(None)).values(ended_at=now))


def end_all(db_session, account_id: str, now: datetime, keep: str | None = None) -> int:
    """Ends every session of the account, but the one of the token `keep`; returns how many."""
    query = update(AccountSession).where(AccountSession.account_id == account_id,
                                         AccountSession.ended_at.is_(None))
    if keep:
        query = query.where(AccountSession.id != key(keep))
    return db_session.execute(query.values(ended_at=now)).rowcount


def purge(db_session, before: datetime) -> int:
    """Sessions ended, or last seen, before `before`: nothing left to revoke."""
    return db_session.query(AccountSession).filter(
        (AccountSession.ended_at < before) | (AccountSession.last_seen_at < before)).delete(
        synchronize_session=False)
