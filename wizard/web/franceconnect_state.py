"""This browser's FranceConnect flow and sign-out: the only code that touches their session
keys. The cookie holds a random token of the flow (its row holds `state` and `nonce`), and
the `state` of a sign-out sent to FranceConnect's end-session endpoint."""
import hmac
import secrets
from datetime import timedelta

from flask import current_app, session

from wizard import settings
from wizard.core import clock
from wizard.extensions import db
from wizard.franceconnect import client
from wizard.franceconnect import service as franceconnect

FLOW_KEY = "franceconnect_flow"
LOGOUT_KEY = "franceconnect_logout"


def authorization_url(purpose: str, account_id: str | None = None) -> str:
    """Starts a flow (this browser's previous one is dropped); where to send the browser.
    A re-authentication asks FranceConnect for a fresh sign-in. Raises client.Refused when
    FranceConnect cannot be reached."""
    started = franceconnect.start(db.session, purpose, clock.now(), account_id)
    max_age = franceconnect.REAUTH_SECONDS if purpose == franceconnect.REAUTH else None
    url = client.authorization_url(settings.franceconnect(), started.state, started.nonce, max_age)
    session[FLOW_KEY] = started.token
    return url


def take_flow(state: str | None):
    """The flow of this browser, used up: (flow, None), or (None, why it is refused)."""
    lifetime = timedelta(minutes=current_app.config["FRANCECONNECT_FLOW_MINUTES"])
    return franceconnect.take(db.session, session.pop(FLOW_KEY, None), state or "", clock.now(), lifetime)


def logout_url(id_token: str) -> str | None:
    """FranceConnect's end-session address for this ID token, or None if unreachable."""
    state = secrets.token_urlsafe(32)
    try:
        url = client.logout_url(settings.franceconnect(), id_token, state)
    except client.Refused:
        return None
    session[LOGOUT_KEY] = state
    return url


def logout_came_back(state: str | None) -> bool:
    """Whether FranceConnect sent back the state of the sign-out this browser asked for."""
    expected = session.pop(LOGOUT_KEY, None)
    return isinstance(expected, str) and hmac.compare_digest(expected.encode(), (state or "").encode())
