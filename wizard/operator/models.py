"""The console's tables: counts without personal data, and the operator's staff.

A count row is a combination of dimensions that no person can be picked out from: a day
(or a minute), what happened, and coarse facts about the browser. Every column is part of
the key and never NULL ("" when it does not apply), so that one upsert finds its row.
"""
from wizard.extensions import db

_SHORT = 40


def _key(length: int = _SHORT):
    return db.Column(db.String(length), primary_key=True, default="")


class EventCount(db.Model):
    """How many times something happened on a day, by dimension. Kept 13 months."""

    __tablename__ = "event_counts"

    day = db.Column(db.Date, primary_key=True)
    event = _key()  # step_reached, message_delivered... (wizard/operator/events.py)
    step = _key()  # the funnel's step
    channel = _key(8)  # email, sms
    detail = _key()  # an outcome, a reason, a limit: a word from our code, never typed text
    # A time (a step, a delivery, a check), rounded up to one of events.BUCKETS seconds; 0: none.
    bucket = db.Column(db.Integer, primary_key=True, default=0)
    language = _key(8)
    js = _key(4)  # on, off
    device = _key(8)  # mobile, desktop
    kiosk = _key(64)  # the operator's own kiosk ids
    provider = _key(16)  # franceconnect, sesame
    count = db.Column(db.Integer, nullable=False, default=0)


class EventMinute(db.Model):
    """The same counts by minute, without the browser's dimensions, for the alerts and
    /metrics (an error rate over the last 15 minutes). Kept two days."""

    __tablename__ = "event_minutes"

    minute = db.Column(db.DateTime, primary_key=True)
    event = _key()
    detail = _key()
    count = db.Column(db.Integer, nullable=False, default=0)


class StaffMember(db.Model):
    """One of the operator's staff, who reads the console: no citizen's account, and made
    only by `flask staff create`. A password (Argon2id) and a TOTP second factor, whose
    seed is kept sealed (wizard/operator/staff.py): a copy of the table makes no codes."""

    __tablename__ = "staff_members"

    id = db.Column(db.String(32), primary_key=True)
    email = db.Column(db.String(254), nullable=False, unique=True)
    password_hash = db.Column(db.String(255), nullable=False)
    totp_sealed = db.Column(db.String(64), nullable=False)  # hex: the seed XOR a pad from SECRET_KEY
    totp_nonce = db.Column(db.String(32), nullable=False)
    enrolled_at = db.Column(db.DateTime)  # the first code typed: the authenticator app has the seed
    # The TOTP time step of the last code accepted: a code is never accepted twice.
    last_code_step = db.Column(db.Integer, nullable=False, default=0)
    failures = db.Column(db.Integer, nullable=False, default=0)  # in a row, password or code
    locked_until = db.Column(db.DateTime)
    created_at = db.Column(db.DateTime, nullable=False)


class StaffSession(db.Model):
    """A browser signed in to the console; found by the SHA-256 of its cookie's token."""

    __tablename__ = "staff_sessions"

    id = db.Column(db.String(64), primary_key=True)
    staff_id = db.Column(db.String(32), db.ForeignKey("staff_members.id", ondelete="CASCADE"), nullable=False,
                         index=True)
    kind = db.Column(db.String(8), nullable=False, default="staff")
    created_at = db.Column(db.DateTime, nullable=False)
    last_seen_at = db.Column(db.DateTime, nullable=False)
    ended_at = db.Column(db.DateTime)
