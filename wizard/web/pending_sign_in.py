"""Between the password and the code: a server-side row (an `account_sessions` row of kind
"pending", so that signing out, a new password or "sign out everywhere" ends it) keyed by
the SHA-256 of a random token in the cookie, with a fingerprint of the password hash (a
new password voids a sign-in half done) and the channel of the code. The account's id
is not in the cookie. The only code that touches that key."""
import hashlib
from datetime import timedelta

from flask import current_app, session

from wizard.accounts.models import Account
from wizard.core import clock
from wizard.extensions import db
from wizard.sign_in import service as sign_in
from wizard.sign_in import sessions
from wizard.web.account_session import device

PENDING_KEY = "sign_in"


def fingerprint(account: Account) -> str:
    return hashlib.sha256((account.password_hash or "").encode()).hexdigest()[:16]


def _policy(kind: str) -> sessions.SessionPolicy:
    limit = timedelta(minutes=current_app.config["SIGN_IN_PENDING_MINUTES"])
    return sessions.SessionPolicy(idle=limit, absolute=limit)


def start_pending(account: Account) -> None:
    end_pending()
    token, _row = sessions.begin(db.session, account.id, sessions.PENDING, device(), clock.now())
    session[PENDING_KEY] = {"t": token, "pw": fingerprint(account)}


def pending_account() -> Account | None:
    """The account whose password was typed here a moment ago, still waiting for its code."""
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    found = sessions.find(db.session, pending.get("t"), _policy, clock.now())
    row = found.session if found.session is not None and found.session.kind == sessions.PENDING else None
    account = db.session.get(Account, row.account_id) if row else None
    if account is None or not sign_in.may_sign_in(account) or pending.get("pw") != fingerprint(account):
        end_pending()
        return None
    return account


def end_pending() -> None:
    """At sign-in's end and at sign-out: a copy of this cookie opens nothing any more."""
    pending = session.pop(PENDING_KEY, None)
    if isinstance(pending, dict):
        sessions.end(db.session, pending.get("t"), clock.now())


def note_code_sent(channel: str) -> None:
    session[PENDING_KEY] = {**session[PENDING_KEY], "channel": channel}


def pending_channel() -> str | None:
    return (session.get(PENDING_KEY) or {}).get("channel")


def note_without_phone() -> None:
    """The person said their phone is out of reach (and its owner was warned): email codes."""
    session[PENDING_KEY] = {**session[PENDING_KEY], "no_phone": True}


def without_phone() -> bool:
    return bool((session.get(PENDING_KEY) or {}).get("no_phone"))
