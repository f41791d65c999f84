"""Who is signed in on this browser: a session kept on the server (wizard/sign_in/sessions.py),
found by the SHA-256 of the token the session cookie holds.

The only code that reads or writes the session keys of signing in: the session's token, why
the last session ended, and the notices for "Mon compte"."""

from datetime import timedelta

from flask import g, request, session

from wizard import settings
from wizard.accounts.models import Account
from wizard.core import clock
from wizard.extensions import db
from wizard.sign_in import devices, sessions
from wizard.sign_in import service as sign_in
from wizard.sign_in.models import AccountSession
from wizard.web import funnel
from wizard.web.kiosk_mode import KIOSK_KEY, KIOSK_MODE_KEY, in_kiosk_mode

SESSION_KEY = "account_session"


SIGNED_OUT_KEY = "signed_out"


NOTICE_KEY = "account_notice"


# The account whose unfinished signup this browser took up again by signing in (password
# and second factor): once the insurer confirms, it is signed in fully without asking again.
RESUMED_KEY = "resumed_signup"

# What a full sign-in keeps of the cookie: the language, the kiosk, the funnel's marks
# (a step already counted is not counted again on this browser).
KEPT = ("lang", KIOSK_KEY, KIOSK_MODE_KEY, funnel.MARKS_KEY)


_UNSET = object()


def device() -> str:
    return devices.rough(request.user_agent.string)


def current(touch: bool = True) -> AccountSession | None:
    """This browser's live session, of any kind. `touch`: the request counts as activity
    (and a session found idle is ended and said so); without, nothing is written."""
    cached = g.get("account_session", _UNSET)
    if cached is not _UNSET and not touch:
        return cached
    token = session.get(SESSION_KEY)
    if not token:
        return None
    now = clock.now()
    found = sessions.find(db.session, token, _policy, now, end=touch)
    if touch:
        if found.outcome in ("idle", "too_old"):
            # A signup session ends after the journey's idle time, and loses nothing.
            session[SIGNED_OUT_KEY] = "signup_idle" if found.kind == sessions.SIGNUP else "idle"
        if found.session is None:
            session.pop(SESSION_KEY, None)
        else:
            sessions.touch(found.session, _policy(found.session.kind), now)
    g.account_session = found.session
    return found.session


def _policy(kind: str) -> sessions.SessionPolicy:
    return settings.session_policy(kind, in_kiosk_mode())


def idle_limit(row: AccountSession) -> timedelta:
    return _policy(row.kind).idle


def signed_in_account(touch: bool = True) -> Account | None:
    """The account of a full sign-in (password and second factor), if it may still sign in."""
    row = current(touch)
    if row is None or row.kind != sessions.SIGN_IN:
        return None
    account = db.session.get(Account, row.account_id)
    return account if sign_in.can_sign_in(account) else None


def signed_in_account_id(touch: bool = True) -> str | None:
    """The account of this browser's live session, signup or full sign-in. `touch=False`
    for a polled fragment: reading is not activity, and writes nothing."""
    row = current(touch)
    return row.account_id if row is not None else None


def polling_account_id() -> str | None:
    """signed_in_account_id(touch=False) for a fragment polled every 2 s: the session's
    columns rather than its row, read again by whatever else of the request asks."""
    found = sessions.find(db.session, session.get(SESSION_KEY), _policy, clock.now(), end=False, columns=True)
    return found.session.account_id if found.session is not None else None


def begin(account_id: str, kind: str, signed_in: bool = False, franceconnect_id_token: str | None = None) -> None:
    """A new session with a new token; this browser's previous one ends. A full sign-in,
    or an unfinished signup taken up by signing in (`signed_in`), also drops everything
    else the cookie held (a journey, a sign-in half done). `franceconnect_id_token`: a
    sign-in through FranceConnect, whose session signing out ends too."""
    now = clock.now()
    sessions.end(db.session, session.get(SESSION_KEY), now)
    if kind == sessions.SIGN_IN or signed_in:
        _clear_session()
    if signed_in and kind == sessions.SIGNUP:
        session[RESUMED_KEY] = account_id
    token, row = sessions.begin(db.session, account_id, kind, device(), now)
    row.franceconnect_id_token = franceconnect_id_token
    session[SESSION_KEY] = token
    g.account_session = row


def begin_after_activation(account_id: str) -> None:
    """After activation: this browser, the one that proved the address, is signed in to
    continue the signup (phone, eligibility). Not a full sign-in: "Mon compte" asks for
    the password and the second factor."""
    begin(account_id, sessions.SIGNUP)


def resumed_and_finished() -> Account | None:
    """The account of this browser's signup session, when it was taken up by signing in
    and its signup is now over: it may have its full session without a second sign-in."""
    row = current()
    if row is None or row.kind != sessions.SIGNUP or session.get(RESUMED_KEY) != row.account_id:
        return None
    account = db.session.get(Account, row.account_id)
    return account if sign_in.can_sign_in(account) else None


def signup_account(touch: bool = True) -> Account | None:
    """The account of this browser's signup session (after activation, or taken up by
    signing in), while its signup is not over."""
    row = current(touch)
    if row is None or row.kind != sessions.SIGNUP:
        return None
    account = db.session.get(Account, row.account_id)
    return account if sign_in.can_continue_signup(account) else None


def end(reason: str = "user") -> str | None:
    """Signs this browser out: the session ends on the server, the cookie is emptied.
    Returns the FranceConnect ID token of a sign-in through FranceConnect, to end that too."""
    row = current(touch=False)
    id_token = row.franceconnect_id_token if row is not None else None
    sessions.end(db.session, session.get(SESSION_KEY), clock.now())
    _clear_session()
    session[SIGNED_OUT_KEY] = reason
    g.account_session = None
    return id_token


def end_everywhere(account_id: str) -> str | None:
    """Every session of the account ends; returns this browser's FranceConnect ID token, if any."""
    sessions.end_all(db.session, account_id, clock.now())
    return end("everywhere")


def session_token() -> str | None:
    return session.get(SESSION_KEY)


def signed_out_reason() -> str | None:
    """Why the last session ended ("user", "idle", "everywhere"), said once."""
    return session.pop(SIGNED_OUT_KEY, None)


def seconds_left() -> int:
    row = current(touch=False)
    if row is None:
        return 0
    return sessions.seconds_left(row, _policy(row.kind), clock.now())


def stay_signed_in() -> int:
    """The idle warning's button: the session counts from now again."""
    row = current(touch=False)
    if row is not None:
        row.last_seen_at = clock.now()
    return seconds_left()


def _clear_session() -> None:
    kept = {name: session[name] for name in KEPT if name in session}
    session.clear()
    session.update(kept)


def tell(notice: str) -> None:
    session[NOTICE_KEY] = notice


def told() -> str | None:
    return session.pop(NOTICE_KEY, None)
