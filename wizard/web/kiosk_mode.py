"""Kiosk mode: this browser is a kiosk's own (a shared screen), or a kiosk brought this person.

The only code that reads or writes the kiosk keys of the session cookie."""

from flask import session

KIOSK_KEY = "kiosk"  # the kiosk whose QR code or poster brought this person


KIOSK_MODE_KEY = "kiosk_mode"  # this browser is the kiosk's own


def note_kiosk(kiosk_id: str | None) -> None:
    if kiosk_id:
        session[KIOSK_KEY] = kiosk_id


def enter_kiosk_mode(kiosk_id: str) -> None:
    language = session.get("lang")  # the language chosen on the kiosk's screen stays
    session.clear()
    session[KIOSK_KEY] = session[KIOSK_MODE_KEY] = kiosk_id
    if language:
        session["lang"] = language


def in_kiosk_mode() -> bool:
    return bool(session.get(KIOSK_MODE_KEY))
