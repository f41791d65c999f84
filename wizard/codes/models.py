"""One-time codes sent by SMS or email."""

from wizard.extensions import db


class OneTimeCode(db.Model):
    """A 6-digit code sent by SMS or email; only its HMAC is kept.

    `attempts` belongs to this code: a new code starts again from zero, and the old one
    can no longer be used (`superseded_at`).
    """

    __tablename__ = "one_time_codes"

    id = db.Column(db.Integer, primary_key=True)
    purpose = db.Column(db.String(16), nullable=False)  # phone | sign_in
    owner = db.Column(db.String(32), nullable=False)  # the account
    destination = db.Column(db.String(254), nullable=False)  # the number or address it went to
    channel = db.Column(db.String(5), nullable=False)  # sms | email
    code_hmac = db.Column(db.String(64), nullable=False)
    attempts = db.Column(db.Integer, nullable=False, default=0)
    created_at = db.Column(db.DateTime, nullable=False)
    expires_at = db.Column(db.DateTime, nullable=False)
    used_at = db.Column(db.DateTime)
    superseded_at = db.Column(db.DateTime)

    __table_args__ = (
        db.Index("ix_one_time_codes_owner", "purpose", "owner", "created_at"),
        db.Index("ix_one_time_codes_destination", "purpose", "destination", "created_at"),
    )
