"""The no-JavaScript CAPTCHA's code, held by the session cookie: a random token and its
expiry, never the code itself (the cookie is signed, not secret). The code is derived from
the token (wizard/signup/captcha.py), so nothing is written to show it; the token is spent
on its one try, so a replayed cookie passes no more than once.

The only code that reads or writes the spoken code's key of the session cookie."""
from datetime import datetime, timedelta

from flask import current_app, session

from wizard.signup import captcha

SESSION_KEY = "spoken_code"


def code_in(cookie, secret_key: str) -> str | None:
    """The code a session's token stands for (the tests and the benchmark read it so too)."""
    held = _held(cookie)
    return captcha.spoken_code(held[0], "spoken-code:" + secret_key) if held else None


def current() -> str | None:
    return code_in(session, current_app.config["SECRET_KEY"])


def expires_at() -> datetime | None:
    held = _held(session)
    return held[1] if held else None


def expired(now: datetime) -> bool:
    expiry = expires_at()
    return expiry is None or expiry <= now


def draw(now: datetime, minutes: int) -> None:
    expiry = now + timedelta(minutes=minutes)
    session[SESSION_KEY] = {"token": captcha.new_spoken_token(), "expires": expiry.isoformat(timespec="seconds")}


def tried(typed: str, db_session, now: datetime) -> bool:
    """The token's one try, spent whatever the outcome: True if `typed` is its code, in time."""
    held = _held(session)
    if held is None or not captcha.spend_spoken_token(db_session, held[0]):
        return False
    return held[1] > now and captcha.spoken_code_matches(typed, current())


def forget() -> None:
    session.pop(SESSION_KEY, None)


def _held(cookie) -> tuple[str, datetime] | None:
    held = cookie.get(SESSION_KEY)
    try:
        return held["token"], datetime.fromisoformat(held["expires"])
    except (TypeError, KeyError, ValueError):
        return None
