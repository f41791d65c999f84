"""Who is signed in on this browser, and what it remembers.

The only code that reads or writes the sign-in keys of the session cookie, and the two
cookies of its own:
- `account_session`: the token of the server-side session (wizard/sign_in/sessions.py);
- `sign_in`: between the password and the code: the account, since when, and a
  fingerprint of its password hash (a new password voids a sign-in half done);
- `password_reset`: the request this browser follows, and whether this browser proved
  the mailbox (typed the code or opened the link);
- `signed_out`: why the last session ended, for the next page to say so;
- cookie `sesame_navigateur`: a remembered browser (signed; 90 days);
- cookie `sesame_email`: the remembered address (signed; 13 months).

On a kiosk (wizard/web/journey_state.py::in_kiosk_mode) neither cookie is read or written.
"""
import hashlib
from datetime import datetime, timedelta

from flask import current_app, g, has_request_context, request, session
from flask_babel import gettext, ngettext
from itsdangerous import BadData, URLSafeSerializer

from wizard import settings
from wizard.accounts.models import Account
from wizard.core import clock
from wizard.extensions import db
from wizard.sign_in import devices, remembered_browsers, sessions
from wizard.sign_in import service as sign_in
from wizard.sign_in.models import AccountSession
from wizard.web.journey_state import KIOSK_KEY, KIOSK_MODE_KEY, in_kiosk_mode

SESSION_KEY = "account_session"
PENDING_KEY = "sign_in"
RESET_KEY = "password_reset"
SIGNED_OUT_KEY = "signed_out"
NOTICE_KEY = "account_notice"
# What survives the renewal of the session at sign-in and sign-out.
KEPT = ("lang", KIOSK_KEY, KIOSK_MODE_KEY)
BROWSER_COOKIE = "sesame_navigateur"
EMAIL_COOKIE = "sesame_email"
EMAIL_COOKIE_SALT = "sesame.remembered-email.v1"
_UNSET = object()


def device() -> str:
    return devices.rough(request.user_agent.string)


# --- the server-side session -------------------------------------------------------------------

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
    found = sessions.find(db.session, token, _policy, now)
    if touch:
        if found.outcome in ("idle", "too_old"):
            db.session.commit()
            session[SIGNED_OUT_KEY] = "idle"
        if found.session is None:
            session.pop(SESSION_KEY, None)
        elif sessions.touch(found.session, _policy(found.session.kind), now):
            db.session.commit()
    g.account_session = found.session
    return found.session


def _policy(kind: str) -> sessions.SessionPolicy:
    return settings.session_policy(kind, in_kiosk_mode())


def signed_in_account(touch: bool = True) -> Account | None:
    """The account of a full sign-in (password and second factor), if it may still sign in."""
    row = current(touch)
    if row is None or row.kind != sessions.SIGN_IN:
        return None
    account = db.session.get(Account, row.account_id)
    return account if sign_in.can_sign_in(account) else None


def begin(account_id: str, kind: str) -> None:
    """A new session with a new token; this browser's previous one ends. A full sign-in
    also drops everything else the cookie held (a journey, a sign-in half done)."""
    now = clock.now()
    sessions.end(db.session, session.get(SESSION_KEY), now)
    if kind == sessions.SIGN_IN:
        _clear_session()
    token, row = sessions.begin(db.session, account_id, kind, device(), now)
    db.session.commit()
    session[SESSION_KEY] = token
    g.account_session = row


def end(reason: str = "user") -> None:
    """Signs this browser out: the session ends on the server, the cookie is emptied."""
    sessions.end(db.session, session.get(SESSION_KEY), clock.now())
    db.session.commit()
    _clear_session()
    session[SIGNED_OUT_KEY] = reason
    g.account_session = None


def end_everywhere(account_id: str) -> None:
    sessions.end_all(db.session, account_id, clock.now())
    end("everywhere")


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
        db.session.commit()
    return seconds_left()


def _clear_session() -> None:
    kept = {name: session[name] for name in KEPT if name in session}
    session.clear()
    session.update(kept)


# --- between the password and the code ------------------------------------------------------

def _fingerprint(account: Account) -> str:
    return hashlib.sha256(account.password_hash.encode()).hexdigest()[:16]


def start_pending(account: Account) -> None:
    session[PENDING_KEY] = {"a": account.id, "at": clock.now().isoformat(), "pw": _fingerprint(account)}


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
    if account is None or clock.now() - started > limit or not sign_in.can_sign_in(account) \
            or pending.get("pw") != _fingerprint(account):
        session.pop(PENDING_KEY, None)
        return None
    return account


def note_code_sent(channel: str) -> None:
    session[PENDING_KEY] = {**session[PENDING_KEY], "channel": channel}


def pending_channel() -> str | None:
    return (session.get(PENDING_KEY) or {}).get("channel")


# --- the forgotten password ------------------------------------------------------------------

def follow_reset(reset_id: int, email: str, proven: bool = False) -> None:
    session[RESET_KEY] = {"id": reset_id, "email": email, "proven": proven}


def reset_followed() -> dict:
    """{"id", "email", "proven"} of the request this browser follows, or {}."""
    followed = session.get(RESET_KEY)
    return followed if isinstance(followed, dict) and isinstance(followed.get("id"), int) else {}


def reset_proven() -> None:
    session[RESET_KEY] = {**session[RESET_KEY], "proven": True}


def forget_reset() -> None:
    session.pop(RESET_KEY, None)


# --- notices for "Mon compte" ------------------------------------------------------------------

def tell(notice: str) -> None:
    session[NOTICE_KEY] = notice


def told() -> str | None:
    return session.pop(NOTICE_KEY, None)


# --- the two cookies --------------------------------------------------------------------------

def _queue_cookie(name: str, value: str | None, max_age: timedelta | None = None) -> None:
    g.setdefault("sign_in_cookies", {})[name] = (value, max_age)


def apply_cookies(response):
    """after_request: writes the cookies the request decided on."""
    secure = current_app.config["SESSION_COOKIE_SECURE"]
    for name, (value, max_age) in g.get("sign_in_cookies", {}).items():
        if value is None:
            response.delete_cookie(name, httponly=True, samesite="Lax", secure=secure)
        else:
            response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="Lax", secure=secure)
    return response


def browser_cookie() -> str | None:
    return None if in_kiosk_mode() else request.cookies.get(BROWSER_COOKIE)


def remember_browser(account_id: str) -> remembered_browsers.RememberedBrowser | None:
    """"Se souvenir de moi", never on a kiosk. The row is in the caller's transaction."""
    if in_kiosk_mode():
        return None
    value, row = remembered_browsers.remember(db.session, current_app.config["SECRET_KEY"], account_id, device(),
                                              settings.remember_browser_lifetime(), clock.now())
    _queue_cookie(BROWSER_COOKIE, value, settings.remember_browser_lifetime())
    return row


def recognised_browser(account_id: str) -> remembered_browsers.RememberedBrowser | None:
    return remembered_browsers.recognise(db.session, current_app.config["SECRET_KEY"], browser_cookie(),
                                         account_id, clock.now())


def forget_this_browser() -> None:
    _queue_cookie(BROWSER_COOKIE, None)


def this_browser_id() -> str | None:
    row = remembered_browsers.find(db.session, current_app.config["SECRET_KEY"], browser_cookie(), clock.now())
    return row.id if row else None


def _email_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=EMAIL_COOKIE_SALT)


def remembered_email() -> str:
    cookie = None if in_kiosk_mode() else request.cookies.get(EMAIL_COOKIE)
    if not cookie or len(cookie) > 600:
        return ""
    try:
        email = _email_serializer().loads(cookie)
    except BadData:
        return ""
    return email if isinstance(email, str) else ""


def remember_email(email: str | None) -> None:
    """Keeps the address for the next visit, or forgets it (None)."""
    if in_kiosk_mode():
        return
    if email:
        _queue_cookie(EMAIL_COOKIE, _email_serializer().dumps(email),
                      timedelta(days=current_app.config["REMEMBER_EMAIL_DAYS"]))
    elif EMAIL_COOKIE in request.cookies:
        _queue_cookie(EMAIL_COOKIE, None)


# --- the idle warning, for the layout -----------------------------------------------------------

def timeout_context() -> dict:
    """What the layout needs to warn before the session ends (not on a kiosk, which has its own)."""
    if not has_request_context() or not session.get(SESSION_KEY) or in_kiosk_mode():
        return {}
    row = current(touch=False)
    if row is None or row.kind != sessions.SIGN_IN:
        return {}
    idle = int(_policy(row.kind).idle.total_seconds())
    warning = min(current_app.config["SESSION_WARNING_SECONDS"], idle // 2)
    return {"session_timeout": {"seconds_left": seconds_left(), "idle_seconds": idle, "warning_seconds": warning,
                                "announcements": announcements(warning, _time_left)}}


def announcements(warning: int, words) -> dict[int, str]:
    """What the live region says as the warning counts down: every 30 seconds, in words."""
    moments = {warning} | set(range(30, warning, 30))
    return {seconds: words(seconds) for seconds in sorted(moments, reverse=True) if seconds > 0}


def _time_left(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    if not rest:
        return ngettext("Vous serez déconnecté dans %(num)s minute.", "Vous serez déconnecté dans %(num)s minutes.",
                        minutes)
    if not minutes:
        return ngettext("Vous serez déconnecté dans %(num)s seconde.", "Vous serez déconnecté dans %(num)s secondes.",
                        rest)
    return gettext("Vous serez déconnecté dans %(minutes)s min %(seconds)s s.", minutes=minutes, seconds=rest)
