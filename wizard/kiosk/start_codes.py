"""Start codes: what a kiosk's QR code, or a "continue on my phone" QR code, carries.

A code is 6 characters from an alphabet without look-alikes (no 0/O, 1/I/L, 2/Z, 5/S,
8/B), so that it can be typed by someone who cannot scan and read aloud without doubt.
The QR code holds the code signed with itsdangerous, so that a scanned link cannot be
forged or guessed; the database row makes it single use and short-lived.
"""
import re
import secrets
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import update

from wizard.kiosk.models import StartCode
from wizard.operator import events

ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
SALT = "start-code"
_KIOSK_ID = re.compile(r"[a-z0-9][a-z0-9\-]{0,39}")


def is_kiosk(kiosk_id: str | None, known: tuple[str, ...], any_id: bool = True) -> bool:
    """A kiosk id is a short slug; one of `known` when the operator lists its kiosks, or
    when any other id is refused (`any_id` false: production)."""
    listed = kiosk_id in known if (known or not any_id) else True
    return bool(kiosk_id and _KIOSK_ID.fullmatch(kiosk_id) and listed)


class CodeRefused(Exception):
    def __init__(self, reason: str, kiosk_id: str | None = None):
        super().__init__(reason)
        self.reason = reason  # "invalid", "expired" or "used"
        self.kiosk_id = kiosk_id


def issue(db_session, purpose: str, now: datetime, lifetime: timedelta,
          kiosk_id: str | None = None, journey_id: str | None = None) -> StartCode:
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(6))
        existing = db_session.get(StartCode, code)
        if existing is None:
            break
        if existing.expires_at < now - timedelta(days=1):
            db_session.delete(existing)
            db_session.flush()
            break
    start_code = StartCode(code=code, purpose=purpose, kiosk_id=kiosk_id, journey_id=journey_id,
                           created_at=now, expires_at=now + lifetime)
    if purpose == "handoff":
        events.count(db_session, events.KIOSK_HANDOFF, now, detail="offered")
    db_session.add(start_code)
    db_session.flush()
    return start_code


def current_kiosk_code(db_session, kiosk_id: str, shown: str | None, now: datetime,
                       lifetime: timedelta, renew_before: timedelta) -> StartCode:
    """The code a kiosk shows: the same until it is used or about to expire. Without the
    code it showed (a reload), its newest unused one: a reload writes no new row."""
    start_code = db_session.get(StartCode, shown) if shown else db_session.query(StartCode).filter(
        StartCode.purpose == "kiosk", StartCode.kiosk_id == kiosk_id, StartCode.used_at.is_(None),
        StartCode.expires_at > now).order_by(StartCode.expires_at.desc()).first()
    if (start_code is None or start_code.purpose != "kiosk" or start_code.kiosk_id != kiosk_id
            or start_code.used_at or start_code.expires_at - now <= renew_before):
        start_code = issue(db_session, "kiosk", now, lifetime, kiosk_id=kiosk_id)
    return start_code


def sign(code: str, secret: str) -> str:
    return URLSafeSerializer(secret, salt=SALT).dumps(code)


def unsign(token: str, secret: str) -> str:
    """The code in a scanned link; its expiry and single use are the database row's."""
    try:
        return URLSafeSerializer(secret, salt=SALT).loads(token)
    except BadSignature:
        raise CodeRefused("invalid") from None


def normalise(typed: str) -> str:
    return "".join(c for c in (typed or "").upper() if c.isalnum())[:12]


def consume(db_session, code: str, now: datetime) -> StartCode:
    """Marks the code used, once: two phones scanning at the same moment cannot both win."""
    start_code = db_session.get(StartCode, code) if code else None
    if start_code is None:
        raise CodeRefused("invalid")
    if start_code.used_at is not None:
        raise CodeRefused("used", start_code.kiosk_id)
    if start_code.expires_at <= now:
        raise CodeRefused("expired", start_code.kiosk_id)
    claimed = db_session.execute(
        update(StartCode).where(StartCode.code == code, StartCode.used_at.is_(None)).values(used_at=now)
    ).rowcount
    if claimed != 1:
        raise CodeRefused("used", start_code.kiosk_id)
    db_session.refresh(start_code)
    if start_code.purpose == "handoff":
        events.count(db_session, events.KIOSK_HANDOFF, now, detail="taken")
    else:
        events.count(db_session, events.KIOSK_SCAN, now, context=events.Context(kiosk=start_code.kiosk_id or ""))
    return start_code


def was_used(db_session, code: str) -> bool:
    start_code = db_session.get(StartCode, code) if code else None
    return start_code is not None and start_code.used_at is not None


def was_handed_over(db_session, journey_id: str) -> bool:
    return db_session.query(StartCode).filter(
        StartCode.purpose == "handoff", StartCode.journey_id == journey_id, StartCode.used_at.isnot(None)
    ).first() is not None


def purge(db_session, now: datetime) -> int:
    deleted = db_session.query(StartCode).filter(StartCode.expires_at < now - timedelta(days=1)).delete()
    return deleted
