"""One-time codes sent by SMS or email: to prove a phone number, and as a second factor.

- 6 digits from `secrets`; only an HMAC of the code is stored.
- A code lives `lifetime`; a wrong guess counts against that code only (`max_attempts`),
  so the counter lives exactly as long as the code. A new code kills the older ones.
- Sending is limited per destination and per account: a cool-down between two sends,
  and caps per hour and per day. `SendLimited.until` says when the next send is possible.
"""
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_

from wizard.codes.models import OneTimeCode
from wizard.core import security_events
from wizard.operator import events


@dataclass(frozen=True)
class CodePolicy:
    lifetime: timedelta = timedelta(minutes=5)
    max_attempts: int = 5
    cooldown: timedelta = timedelta(seconds=60)
    per_hour: int = 5
    per_day: int = 20


class SendLimited(Exception):
    def __init__(self, until: datetime, reason: str):
        super().__init__(reason)
        self.until = until
        self.reason = reason  # "cooldown", "hour" or "day"


@dataclass(frozen=True)
class Check:
    outcome: str  # "ok", "wrong", "expired", "locked" or "missing"
    attempts_left: int = 0


def normalise(typed: str) -> str:
    """People type spaces and hyphens ("123 456", "123-456"): only digits count."""
    return "".join(c for c in (typed or "") if c.isdigit())


def _digest(secret: str, purpose: str, owner: str, code: str) -> str:
    message = f"{purpose}:{owner}:{code}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def send_limit(db_session, policy: CodePolicy, purpose: str, owner: str, destination: str,
               now: datetime) -> SendLimited | None:
    """None when a code may be sent now; otherwise which limit holds, and until when.

    Counted per account and per destination together: changing number does not reset
    the caps, and one number cannot be flooded from several accounts.
    """
    times = [row.created_at for row in db_session.query(OneTimeCode.created_at).filter(
        OneTimeCode.purpose == purpose, OneTimeCode.created_at > now - timedelta(days=1),
        or_(OneTimeCode.owner == owner, OneTimeCode.destination == destination),
    ).order_by(OneTimeCode.created_at.desc())]
    if len(times) >= policy.per_day:
        return SendLimited(times[policy.per_day - 1] + timedelta(days=1), "day")
    last_hour = [t for t in times if t > now - timedelta(hours=1)]
    if len(last_hour) >= policy.per_hour:
        return SendLimited(last_hour[policy.per_hour - 1] + timedelta(hours=1), "hour")
    if times and times[0] + policy.cooldown > now:
        return SendLimited(times[0] + policy.cooldown, "cooldown")
    return None


def issue(db_session, policy: CodePolicy, secret: str, purpose: str, owner: str, destination: str,
          channel: str, now: datetime) -> tuple[str, OneTimeCode]:
    """A new code for `owner` (an account id), to be sent to `destination` by `channel`."""
    limited = send_limit(db_session, policy, purpose, owner, destination, now)
    if limited is not None:
        raise limited
    db_session.query(OneTimeCode).filter(
        OneTimeCode.purpose == purpose, OneTimeCode.owner == owner, OneTimeCode.used_at.is_(None),
        OneTimeCode.superseded_at.is_(None),
    ).update({OneTimeCode.superseded_at: now})
    code = f"{secrets.randbelow(10**6):06d}"
    row = OneTimeCode(purpose=purpose, owner=owner, destination=destination, channel=channel,
                      code_hmac=_digest(secret, purpose, owner, code), created_at=now,
                      expires_at=now + policy.lifetime, attempts=0)
    db_session.add(row)
    return code, row


def current(db_session, purpose: str, owner: str) -> OneTimeCode | None:
    return db_session.query(OneTimeCode).filter(
        OneTimeCode.purpose == purpose, OneTimeCode.owner == owner, OneTimeCode.superseded_at.is_(None),
    ).order_by(OneTimeCode.created_at.desc()).first()


def use(db_session, row: OneTimeCode, now: datetime) -> bool:
    """Marks an unused code used, in one UPDATE: of two requests at once, one wins."""
    used = db_session.query(OneTimeCode).filter(OneTimeCode.id == row.id, OneTimeCode.used_at.is_(None)).update(
        {OneTimeCode.used_at: now}, synchronize_session=False)
    db_session.refresh(row)
    return used == 1


def check(db_session, policy: CodePolicy, secret: str, purpose: str, owner: str, typed: str,
          now: datetime) -> Check:
    """Checks a typed code against the newest one; the caller commits."""
    row = current(db_session, purpose, owner)
    if row is None or row.used_at is not None:
        return Check("missing")
    if row.attempts >= policy.max_attempts:
        return Check("locked")
    if row.expires_at <= now:
        return Check("expired")
    # Counted before comparing, in one UPDATE: parallel guesses cannot share an attempt.
    db_session.query(OneTimeCode).filter(OneTimeCode.id == row.id).update(
        {OneTimeCode.attempts: OneTimeCode.attempts + 1})
    db_session.refresh(row)
    if row.attempts > policy.max_attempts:
        return Check("locked")
    if hmac.compare_digest(row.code_hmac, _digest(secret, purpose, owner, normalise(typed))):
        row.used_at = now
        return Check("ok")
    left = policy.max_attempts - row.attempts
    if left <= 0:
        events.count(db_session, events.LOCKED, now, detail=f"code_{purpose}")
        security_events.record("code_locked", purpose=purpose)
        return Check("locked")
    return Check("wrong", left)


def purge(db_session, before: datetime) -> int:
    """Codes sent before `before` (the caps count a day of them): how many deleted."""
    return db_session.query(OneTimeCode).filter(OneTimeCode.created_at < before).delete(synchronize_session=False)
