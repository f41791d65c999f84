"""A change under way in "Mon compte" (the phone): which proof the person has given, for
which account, since when. The only code that touches that key; a change half done is
forgotten after CHANGE_MINUTES, and with a new password."""
from datetime import datetime, timedelta

from flask import session

from wizard.core import clock
from wizard.web.pending_sign_in import fingerprint

KEY, CHANGE_MINUTES = "account_change", 10
PASSWORD, CODE = "password", "code"  # the password typed; then the code to the current phone or email too


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


def forget() -> None:
    session.pop(KEY, None)
