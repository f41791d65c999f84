"""The kiosks' table: short-lived start codes (QR codes and typed codes)."""

from wizard.core import clock
from wizard.extensions import db


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
