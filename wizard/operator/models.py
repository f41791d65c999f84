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
