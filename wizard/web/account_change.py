"""A change under way in "Mon compte" (the phone): which proof the person has given, for
which account, since when. The only code that touches that key; a change half done is
forgotten after CHANGE_MINUTES, and with a new password."""
from datetime import datetime, timedelta

from flask import session

from wizard.core import clock
from wizard.web.pending_sign_in import fingerprint

KEY, CHANGE_MINUTES = "account_change", 10
PASSWORD, CODE = "password", "code"  # the password typed; then the code to the current phone or email too
# An account without a password proves the person through FranceConnect instead: AWAY while
# the browser is there, FRANCECONNECT once a fresh sign-in as the linked identity came back.
AWAY, FRANCECONNECT = "away:", "franceconnect"


def note(account, what: str, proven: str, **details) -> None:
    session[KEY] = {"a": account.id, "what": what, "proven": proven, "pw": fingerprint(account),
                    "at": clock.now().isoformat(), **details}


def proven(account, what: str) -> dict | None:
    """The change's state, if it is this account's, of this kind, recent, and the password unchanged."""
    state = session.get(KEY)
    if not isinstance(state, dict) or state.get("a") != account.id or state.get("what") != what \
            or state.get("pw") != fingerprint(account):
        return None
    try:
        started = datetime.fromisoformat(state["at"])
    except (KeyError, TypeError, ValueError):
        return None
    return state if clock.now() - started <= timedelta(minutes=CHANGE_MINUTES) else None


def leave_for_franceconnect(account, what: str) -> None:
    """Off to FranceConnect to prove the person for `what`: nothing is proven meanwhile."""
    note(account, AWAY + what, AWAY)


def back_from_franceconnect(account) -> str | None:
    """The action a fresh FranceConnect sign-in came back for, now proven; None if none was asked."""
    state = session.get(KEY)
    what = state.get("what") if isinstance(state, dict) else None
    if not isinstance(what, str) or not what.startswith(AWAY) or proven(account, what) is None:
        return None
    note(account, what.removeprefix(AWAY), FRANCECONNECT)
    return what.removeprefix(AWAY)


def forget() -> None:
    session.pop(KEY, None)
