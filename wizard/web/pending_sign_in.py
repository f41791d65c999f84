"""Between the password and the code: the account, since when, and a fingerprint of its
password hash (a new password voids a sign-in half done). The only code that touches that key."""
import hashlib
from datetime import datetime, timedelta

from flask import current_app, session

from wizard.accounts.models import Account
from wizard.core import clock
from wizard.extensions import db
from wizard.sign_in import service as sign_in

PENDING_KEY = "sign_in"


def fingerprint(account: Account) -> str:
    return hashlib.sha256((account.password_hash or "").encode()).hexdigest()[:16]


def start_pending(account: Account) -> None:
    session[PENDING_KEY] = {"a": account.id, "at": clock.now().isoformat(), "pw": fingerprint(account)}


def pending_account() -> Account | None:
    """The account whose password was typed here a moment ago, still waiting for its code."""
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    try:
        started = datetime.fromisoformat(pending["at"])
    except (KeyError, TypeError, ValueError):
        started = datetime.min
    account = db.session.get(Account, str(pending.get("a", "")))
    limit = timedelta(minutes=current_app.config["SIGN_IN_PENDING_MINUTES"])
    if account is None or clock.now() - started > limit or not sign_in.may_sign_in(account) \
            or pending.get("pw") != fingerprint(account):
        session.pop(PENDING_KEY, None)
        return None
    return account


def note_code_sent(channel: str) -> None:
    session[PENDING_KEY] = {**session[PENDING_KEY], "channel": channel}


def pending_channel() -> str | None:
    return (session.get(PENDING_KEY) or {}).get("channel")


def note_without_phone() -> None:
    """The person said their phone is out of reach (and its owner was warned): email codes."""
    session[PENDING_KEY] = {**session[PENDING_KEY], "no_phone": True}


def without_phone() -> bool:
    return bool((session.get(PENDING_KEY) or {}).get("no_phone"))
