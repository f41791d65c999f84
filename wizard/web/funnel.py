"""The funnel, counted by one after_request hook: a step is reached when its screen is
shown, completed when its form is accepted (or, after the signup's steps, when the screen
that follows it is shown). Each once per journey and browser, from marks in the session
cookie: a reload, a Back or a wrong answer counts nothing more. The time between reaching
and completing a step is counted in a bucket (wizard/operator/events.py), never kept.

The dimensions are read here, from the request: the language, JavaScript (on once this
browser has made an HTMX request: the screens it loaded whole before, counted off, are
then moved to on), the device
class (the Sec-CH-UA-Mobile hint, else the User-Agent's family), the kiosk that brought
the person, and the identity provider (PROVIDER_KEY, "franceconnect" when it signed the
person in; "sesame" otherwise).
"""
import hashlib
from datetime import datetime

from flask import g, request, session
from flask_babel import get_locale

from wizard.core import clock
from wizard.extensions import db
from wizard.operator import events, reports
from wizard.sign_in import devices
from wizard.signup import steps
from wizard.web import journey_state, limits
from wizard.web.kiosk_mode import KIOSK_KEY
from wizard.web.rendering import from_htmx

MARKS_KEY = "funnel"
PROVIDER_KEY = "identity_provider"
# After the signup's steps: the screen that shows the step, and the one that shows it done.
LATER_STEPS = (("email", "activation.check_email", "activation.activated"),
               ("phone", "phone.number", "phone.confirmed"),
               ("eligibility", "eligibility.confirm", "eligibility.waiting"))
STEP_NAMES = reports.STEP_NAMES
assert STEP_NAMES == (*steps.BY_NAME, *(name for name, _, _ in LATER_STEPS)), "the console's steps are these"
_SIGNUP_ENDPOINTS = {"signup.captcha_step": "captcha", "signup.credentials_step": "credentials"}


def init_app(app) -> None:
    # Registered after the unit of work's hook, so it runs before the commit (Flask runs
    # after_request functions last registered first).
    app.after_request(_count)


def _shown_step(endpoint: str | None, view_args: dict) -> str | None:
    if endpoint == "signup.step":
        step = steps.BY_SLUG.get(view_args.get("slug", ""))
        return step.name if step else None
    return _SIGNUP_ENDPOINTS.get(endpoint) or next((n for n, shown, _ in LATER_STEPS if shown == endpoint), None)


def _completed_step(endpoint: str | None, view_args: dict, status: int) -> str | None:
    """The step this request completed: its answer accepted (a signup step), or the screen
    that follows it shown (the later steps)."""
    if request.method == "POST" and status == 303:
        name = _shown_step(endpoint, view_args)
        state = g.get("wizard_state")
        if name in steps.BY_NAME and state is not None and name in state.journey.answers:
            return name
    if request.method == "GET" and status == 200:
        return next((name for name, _, done in LATER_STEPS if done == endpoint), None)
    return None


def _count(response):
    if response.status_code == 429:
        events.count(db.session, events.LIMIT_HIT, clock.now(), detail=request.endpoint or "")
        return response
    endpoint, view_args = request.endpoint, request.view_args or {}
    reached = _shown_step(endpoint, view_args) if request.method == "GET" and response.status_code == 200 else None
    completed = _completed_step(endpoint, view_args, response.status_code)
    if reached or completed:
        _record(reached, completed)
    return response


def _record(reached: str | None, completed: str | None) -> None:
    marks, now = _marks(), clock.now()
    if marks == session.get(MARKS_KEY) and reached in (None, *marks["reached"]) \
            and completed in (None, *marks["completed"]) and (marks["js"] or not from_htmx()):
        return  # counted already (a reload, Back): the cookie is not signed and sent again
    if not marks["js"] and from_htmx():
        _javascript_after_all(marks)
    context = _context(marks)
    if reached and reached not in marks["reached"] and _countable(reached):
        marks["reached"][reached] = int(now.timestamp())
        events.count(db.session, events.STEP_REACHED, now, step=reached, context=context)
    if completed and completed not in marks["completed"]:
        marks["completed"].append(completed)
        started = marks["reached"].get(completed)
        duration = now.timestamp() - started if started is not None else None
        events.count(db.session, events.STEP_COMPLETED, now, step=completed, context=context)
        if duration is not None:
            events.count(db.session, events.STEP_TIME, now, step=completed, duration=duration)
    session[MARKS_KEY] = marks


def _countable(reached: str) -> bool:
    """A screen shown to a journey not kept yet (the CAPTCHA step opened without a cookie) is
    a write on GET: counted within RATELIMIT_NEW_JOURNEY per IP, so that a script opening it
    again and again does not inflate the funnel."""
    state = g.get("wizard_state")
    return state is None or state.kept or limits.unkept_journey_counted()


def _javascript_after_all(marks: dict) -> None:
    """A screen loaded whole says nothing of JavaScript, and was counted "off"; the first
    HTMX request of this browser shows it was on: those screens are counted again as on
    (one taken back from "off", on the day each was counted)."""
    off, on = _context({**marks, "js": False}), _context({**marks, "js": True})
    for step, at in marks["reached"].items():
        day = datetime.fromtimestamp(at)  # naive, as clock.now() was when `at` was taken
        events.count(db.session, events.STEP_REACHED, day, step=step, context=off, amount=-1)
        events.count(db.session, events.STEP_REACHED, day, step=step, context=on)
    marks["js"] = True


def _marks() -> dict:
    """This journey's marks. A new journey (another token) starts with none; the steps
    after the signup keep them when the journey is gone (signed in, the cookie keeps them).
    A journey not kept yet (no token: the CAPTCHA step) has fresh ones, its own once kept."""
    token = session.get(journey_state.SESSION_KEY)
    journey = hashlib.sha256(token.encode()).hexdigest()[:12] if isinstance(token, str) else None
    marks, state = session.get(MARKS_KEY), g.get("wizard_state")
    pending = state is not None and not state.kept
    if not isinstance(marks, dict) or _another_journeys(marks.get("journey"), journey, pending):
        marks = {"journey": journey, "reached": {}, "completed": [], "js": False}
    marks["journey"] = journey or marks["journey"]
    marks["js"] = bool(marks.get("js"))
    return marks


def _another_journeys(theirs: str | None, journey: str | None, pending: bool) -> bool:
    if theirs is None:  # made before a journey was kept: the next one's
        return False
    return pending or (journey is not None and theirs != journey)


def _context(marks: dict) -> events.Context:
    state = g.get("wizard_state")
    kiosk = (state.journey.kiosk_id if state is not None else None) or session.get(KIOSK_KEY) or ""
    return events.Context(language=get_locale().language, js="on" if marks["js"] else "off",
                          device=devices.device_class(request.user_agent.string,
                                                      request.headers.get("Sec-CH-UA-Mobile")),
                          kiosk=kiosk, provider=_provider(state))


def _provider(state) -> str:
    """A journey FranceConnect opened is FranceConnect's, whatever the cookie says."""
    if state is not None and state.franceconnect:
        return "franceconnect"
    return session.get(PROVIDER_KEY) or "sesame"
