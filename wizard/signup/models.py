"""The tables of a signup in progress: the journey's answers, kept on the server, and
the CAPTCHA solutions already used. The schema is managed by Flask-Migrate (migrations/)."""
from sqlalchemy.ext.mutable import MutableDict

from wizard.core import clock
from wizard.extensions import db
from wizard.identifier_encryption import EncryptedAnswers


class Journey(db.Model):
    """A signup in progress: the answers so far, kept on the server.

    `id` is the SHA-256 of the random token held in the signed session cookie, so a
    copy of this table does not let anyone resume somebody else's journey.
    """

    __tablename__ = "journeys"

    id = db.Column(db.String(64), primary_key=True)
    answers = db.Column(MutableDict.as_mutable(EncryptedAnswers), nullable=False, default=dict)
    # The kiosk whose QR code started this journey, for the operator's funnel.
    kiosk_id = db.Column(db.String(40))
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    updated_at = db.Column(db.DateTime, nullable=False, default=clock.now, index=True)


class SpentCaptcha(db.Model):
    """Solved ALTCHA challenges and tried spoken-code tokens (SHA-256 of each), so that one
    solution opens one journey only and one token allows one try."""

    __tablename__ = "spent_captchas"

    signature = db.Column(db.String(128), primary_key=True)
    spent_at = db.Column(db.DateTime, nullable=False, default=clock.now, index=True)
