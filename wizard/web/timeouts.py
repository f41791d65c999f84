"""The idle warnings the layout shows before a journey, a signup session (after activation:
the phone and eligibility pages) or a signed-in session ends (WCAG 2.2.1, RGAA 13.1): how
long is left, and what the live region says as it counts down."""

from flask import current_app, g, has_request_context, jsonify, redirect, request, session, url_for
from flask_babel import get_locale, gettext, ngettext

from wizard.core import clock
from wizard.extensions import db
from wizard.sign_in import sessions
from wizard.signup import journeys
from wizard.web import account_session, staff_session
from wizard.web.journey_state import SESSION_KEY as JOURNEY_KEY
from wizard.web.journey_state import idle_limit, journey_seconds_left
from wizard.web.kiosk_mode import in_kiosk_mode


def stayed(seconds_left: int, then: str):
    """The idle warning's "stay" answered: the seconds now left to its fetch; without
    JavaScript (a form), the page to go on with."""
    if request.accept_mimetypes.best == "application/json":
        return jsonify(seconds_left=seconds_left)
    return redirect(then, 303)


def timeout_context() -> dict:
    """What the layout needs to warn before the session ends (not on a kiosk, which has its own)."""
    if not has_request_context() or not account_session.session_token() or in_kiosk_mode():
        return {}
    row = account_session.current(touch=False)
    if row is None:
        return {}
    idle = account_session.idle_limit(row)
    # A signup session's end loses nothing: signing in takes it up again (and says so).
    kind = "session" if row.kind == sessions.SIGN_IN else "signup"
    return _warning(kind, account_session.seconds_left(), int(idle.total_seconds()))


def journey_timeout() -> dict:
    """On the steps and "check your email", the layout warns before the journey expires, as
    it does before a session ends (RGAA 13.1). Reads only; a kiosk has its own warning. A
    session's warning, when there is one, comes instead (wizard/sign_in/views.py's, later)."""
    if request.blueprint not in ("signup", "activation") or in_kiosk_mode():
        return {}
    idle, now = idle_limit(), clock.now()
    state = g.get("wizard_state")  # the journey this request loaded (WizardState.load), if it did
    journey = state.journey if state is not None else journeys.find(db.session, session.get(JOURNEY_KEY), now, idle)
    if journey is None:
        return {}
    # After the steps, the account exists: "check your email" says what happened, and takes the code.
    expired = url_for("activation.check_email" if request.blueprint == "activation" else "signup.start")
    return _warning("journey", journey_seconds_left(journey, now), int(idle.total_seconds()), expired)


def staff_timeout() -> dict:
    """On the console, the same warning before a member of staff's session ends."""
    if not staff_session.signed_in():
        return {}
    return _warning("staff", staff_session.seconds_left(), int(staff_session.policy().idle.total_seconds()))


# Where the warning asks the time left, goes when it is over, stays, signs out; by kind.
_ENDPOINTS = {
    "journey": ("signup.journey_status", "signup.start", "signup.stay", None),
    "signup": ("account.session_status", "sign_in.start", "account.stay_signed_in", None),
    "session": ("account.session_status", "sign_in.signed_out", "account.stay_signed_in", "sign_in.sign_out"),
    "staff": ("operator.session_status", "operator.sign_in", "operator.stay", "operator.sign_out"),
}


def _warning(kind: str, seconds_left: int, idle_seconds: int, expired_url: str | None = None) -> dict:
    warning = min(current_app.config["SESSION_WARNING_SECONDS"], idle_seconds // 2)
    status, expired, stay, sign_out = _urls(kind)
    return {"session_timeout": {"journey": kind == "journey", "kind": kind, "seconds_left": seconds_left,
                                "idle_seconds": idle_seconds, "warning_seconds": warning,
                                "announcements": announcements(warning, "journey" if kind == "journey" else "session"),
                                "status_url": status, "expired_url": expired_url or expired, "stay_url": stay,
                                "sign_out_url": sign_out}}


def _urls(kind: str) -> tuple:
    """The warning's four URLs, built once per app and script root (they take no argument)."""
    urls = current_app.extensions.setdefault("sesame.timeout_urls", {})
    key = (kind, request.script_root)
    if key not in urls:
        urls[key] = tuple(url_for(e) if e else None for e in _ENDPOINTS[kind])
    return urls[key]


def announcements(warning: int, kind: str) -> dict[int, str]:
    """What the live region says as the warning counts down: every 30 seconds, in words.
    `kind`: "session" (signed in, or a signup session: "signup") or "journey" (the steps).
    The same for every page in a language: made once per language and kept (a dozen
    translated sentences on each page of the journey)."""
    kind = "session" if kind == "signup" else kind
    locale = get_locale()
    key = (locale and (locale.language, locale.territory), warning, kind)
    if key not in _ANNOUNCED:
        moments = {warning} | set(range(30, warning, 30))
        _ANNOUNCED[key] = {seconds: _time_left(kind, seconds) for seconds in sorted(moments, reverse=True)
                           if seconds > 0}
    return _ANNOUNCED[key]


_ANNOUNCED: dict[tuple, dict[int, str]] = {}  # a few keys: the languages, the warning's length


_WORDS = {  # in minutes, in seconds, in both
    "session": (
        lambda n: ngettext("Vous serez déconnecté dans %(num)s minute.",
                           "Vous serez déconnecté dans %(num)s minutes.", n),
        lambda n: ngettext("Vous serez déconnecté dans %(num)s seconde.",
                           "Vous serez déconnecté dans %(num)s secondes.", n),
        lambda m, s: gettext("Vous serez déconnecté dans %(minutes)s min %(seconds)s s.", minutes=m, seconds=s)),
    "journey": (
        lambda n: ngettext("Votre inscription expirera dans %(num)s minute.",
                           "Votre inscription expirera dans %(num)s minutes.", n),
        lambda n: ngettext("Votre inscription expirera dans %(num)s seconde.",
                           "Votre inscription expirera dans %(num)s secondes.", n),
        lambda m, s: gettext("Votre inscription expirera dans %(minutes)s min %(seconds)s s.", minutes=m, seconds=s)),
}


def _time_left(kind: str, seconds: int) -> str:
    in_minutes, in_seconds, in_both = _WORDS[kind]
    minutes, rest = divmod(seconds, 60)
    if not rest:
        return in_minutes(minutes)
    if not minutes:
        return in_seconds(rest)
    return in_both(minutes, rest)
