"""Database tables. The schema is managed by Flask-Migrate (see migrations/)."""
from sqlalchemy import JSON
from sqlalchemy.ext.mutable import MutableDict

from wizard.extensions import db
from wizard.services import clock


class Journey(db.Model):
    """A signup in progress: the answers so far, kept on the server.

    `id` is the SHA-256 of the random token held in the signed session cookie, so a
    copy of this table does not let anyone resume somebody else's journey.
    """

    __tablename__ = "journeys"

    id = db.Column(db.String(64), primary_key=True)
    answers = db.Column(MutableDict.as_mutable(JSON), nullable=False, default=dict)
    # The no-JavaScript CAPTCHA: a short-lived challenge shown as an image and read aloud.
    # It is not a credential: it must be rendered, so it is kept in clear until used.
    captcha_code = db.Column(db.String(12))
    captcha_code_expires_at = db.Column(db.DateTime)
    # The kiosk whose QR code started this journey, for the operator's funnel.
    kiosk_id = db.Column(db.String(40))
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    updated_at = db.Column(db.DateTime, nullable=False, default=clock.now, index=True)


class SpentCaptcha(db.Model):
    """Solved ALTCHA challenges, so that one solution opens one journey only."""

    __tablename__ = "spent_captchas"

    signature = db.Column(db.String(128), primary_key=True)
    spent_at = db.Column(db.DateTime, nullable=False, default=clock.now, index=True)


class StartCode(db.Model):
    """A short-lived, single-use code that starts or hands over a journey.

    `kiosk` codes are shown as a QR code on a kiosk's screen and start a fresh journey;
    `handoff` codes carry a journey in progress to another device. Neither holds
    personal data: a hand-off names the journey by its key only.
    """

    __tablename__ = "start_codes"

    code = db.Column(db.String(6), primary_key=True)
    purpose = db.Column(db.String(10), nullable=False)
    kiosk_id = db.Column(db.String(40))
    journey_id = db.Column(db.String(64), index=True)
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    expires_at = db.Column(db.DateTime, nullable=False, index=True)
    used_at = db.Column(db.DateTime)
