"""Kiosks and hand-offs: QR codes that start a journey on a phone, or carry one there."""
from flask import Blueprint

bp = Blueprint("kiosk", __name__)

from wizard.kiosk import views  # noqa: E402,F401
