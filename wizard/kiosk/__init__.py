"""Kiosks and hand-offs: QR codes that start a journey on a phone, or carry one there."""
