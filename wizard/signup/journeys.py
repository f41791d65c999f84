"""Journeys in progress, kept in the database and found by the token in the cookie."""
import hashlib
import secrets
from datetime import datetime, timedelta

from wizard.signup.models import Journey


def key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new(now: datetime, kiosk_id: str | None = None) -> tuple[str, Journey]:
    """A journey and its token, not in the database yet (see keep)."""
    token = secrets.token_urlsafe(32)
    return token, Journey(id=key(token), answers={}, kiosk_id=kiosk_id, created_at=now, updated_at=now)


def keep(db_session, journey: Journey) -> None:
    db_session.add(journey)


def find(db_session, token: str | None, now: datetime, idle: timedelta) -> Journey | None:
    """The journey held by this token, unless it was left idle too long."""
    if not isinstance(token, str) or not token:
        return None
    journey = db_session.get(Journey, key(token))
    if journey is None or now - journey.updated_at > idle:
        return None
    return journey


def touch(journey: Journey, now: datetime) -> None:
    journey.updated_at = now


def hand_over(db_session, journey_id: str, now: datetime, idle: timedelta) -> str | None:
    """Gives the journey a new token for another device; the old token stops working.

    The key changes, so the first device's cookie no longer finds the journey: answers
    are never open in two places at once.
    """
    journey = db_session.get(Journey, journey_id)
    if journey is None or now - journey.updated_at > idle:
        return None
    token = secrets.token_urlsafe(32)
    journey.id = key(token)
    journey.updated_at = now
    return token


def delete(db_session, token: str | None) -> None:
    if token:
        db_session.query(Journey).filter(Journey.id == key(token)).delete()


def purge_idle(db_session, now: datetime, idle: timedelta) -> int:
    """Deletes journeys left idle longer than `idle`; returns how many."""
    deleted = db_session.query(Journey).filter(Journey.updated_at < now - idle).delete()
    return deleted
