"""WizardState: the journey of the person making this request.

The only code that reads or writes the journey keys of the session cookie.
"""
from datetime import timedelta

from flask import current_app, request, session, url_for
from flask_babel import gettext, ngettext

from wizard.core import clock
from wizard.extensions import db
from wizard.kiosk import start_codes
from wizard.signup import journeys, steps

SESSION_KEY = "journey"
KIOSK_KEY = "kiosk"  # the kiosk whose QR code or poster brought this person
KIOSK_MODE_KEY = "kiosk_mode"  # this browser is the kiosk's own


class WizardState:
    def __init__(self, journey, expired: bool = False, moved: bool = False):
        self.journey = journey
        # The person had a journey, left idle too long: tell them why they start again.
        self.expired = expired
        # The journey was handed over to another device: tell them where it went.
        self.moved = moved

    @classmethod
    def load(cls) -> "WizardState":
        now = clock.now()
        token = session.get(SESSION_KEY)
        idle = idle_limit()
        journey = journeys.find(db.session, token, now, idle)
        if journey is not None:
            # Reading a step is activity too; one write a little while at most.
            if now - journey.updated_at > min(idle / 4, timedelta(minutes=1)):
                journeys.touch(journey, now)
                db.session.commit()
            return cls(journey)
        moved = bool(token) and start_codes.was_handed_over(db.session, journeys.key(token))
        state = cls.start(kiosk_id=session.get(KIOSK_KEY))
        state.expired, state.moved = bool(token) and not moved, moved
        return state

    @classmethod
    def start(cls, kiosk_id: str | None = None) -> "WizardState":
        new_token, journey = journeys.start(db.session, clock.now(), kiosk_id=kiosk_id)
        db.session.commit()
        session[SESSION_KEY] = new_token
        return cls(journey)

    @classmethod
    def adopt(cls, journey_id: str) -> bool:
        """Takes over a journey handed over from another device; False if it is gone."""
        new_token = journeys.hand_over(db.session, journey_id, clock.now(), idle_limit())
        db.session.commit()
        if new_token:
            session[SESSION_KEY] = new_token
        return new_token is not None

    @property
    def answers(self) -> dict:
        return dict(self.journey.answers)

    def data_for(self, step) -> dict | None:
        return self.journey.answers.get(step.name)

    def save(self, step, values: dict) -> None:
        self.journey.answers = steps.record(self.answers, step, values)
        journeys.touch(self.journey, clock.now())
        db.session.commit()

    def current_url(self) -> str:
        step = steps.current_step(self.answers)
        return url_for("signup.step", slug=step.slug) if step else url_for("activation.check_email")

    @property
    def account_id(self) -> str | None:
        """The account this journey created (the credentials step), if it did."""
        return (self.journey.answers.get("credentials") or {}).get("account_id")


def idle_limit() -> timedelta:
    config = current_app.config
    if session.get(KIOSK_MODE_KEY):
        # A kiosk is shared: the next person must never find the previous one's answers.
        return timedelta(seconds=config["KIOSK_IDLE_SECONDS"] + config["KIOSK_WARNING_SECONDS"])
    return timedelta(minutes=config["JOURNEY_IDLE_MINUTES"])


def note_kiosk(kiosk_id: str | None) -> None:
    if kiosk_id:
        session[KIOSK_KEY] = kiosk_id


def enter_kiosk_mode(kiosk_id: str) -> None:
    language = session.get("lang")  # the language chosen on the kiosk's screen stays
    session.clear()
    session[KIOSK_KEY] = session[KIOSK_MODE_KEY] = kiosk_id
    if language:
        session["lang"] = language


def leave_kiosk(db_session) -> str | None:
    """Wipes this browser's journey and session; returns the kiosk to show again."""
    kiosk_id = session.get(KIOSK_MODE_KEY)
    journeys.delete(db_session, session.get(SESSION_KEY))
    session.clear()
    return kiosk_id


def in_kiosk_mode() -> bool:
    return bool(session.get(KIOSK_MODE_KEY))


# The account signed in on this browser: a session kept on the server, which
# wizard/web/sign_in_state.py owns (imported late: it imports this module).

def sign_in(account_id: str) -> None:
    """After activation: this browser, the one that proved the address, is signed in to
    continue the signup (phone, eligibility). Not a full sign-in: "Mon compte" asks for
    the password and the second factor."""
    from wizard.web import sign_in_state as state
    state.begin(account_id, "signup")


def signed_in_account_id(touch: bool = True) -> str | None:
    """The account of this browser's live session, signup or full sign-in. `touch=False`
    for a polled fragment: reading is not activity, and writes nothing."""
    from wizard.web import sign_in_state as state
    row = state.current(touch)
    return row.account_id if row is not None else None


def journey_timeout() -> dict:
    """On the steps, the layout warns before the journey expires, as it does before a
    signed-in session ends (RGAA 13.1). Reads only; a kiosk has its own warning."""
    from wizard.web.sign_in_state import announcements
    if request.blueprint != "signup" or in_kiosk_mode():
        return {}
    idle, now = idle_limit(), clock.now()
    journey = journeys.find(db.session, session.get(SESSION_KEY), now, idle)
    if journey is None:
        return {}
    idle_seconds = int(idle.total_seconds())
    warning = min(current_app.config["SESSION_WARNING_SECONDS"], idle_seconds // 2)
    return {"session_timeout": {
        "journey": True, "seconds_left": journey_seconds_left(journey, now), "idle_seconds": idle_seconds,
        "warning_seconds": warning, "announcements": announcements(warning, _journey_time_left)}}


def journey_seconds_left(journey, now) -> int:
    return max(0, int((idle_limit() - (now - journey.updated_at)).total_seconds()))


def _journey_time_left(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    if not rest:
        return ngettext("Votre inscription expirera dans %(num)s minute.",
                        "Votre inscription expirera dans %(num)s minutes.", minutes)
    if not minutes:
        return ngettext("Votre inscription expirera dans %(num)s seconde.",
                        "Votre inscription expirera dans %(num)s secondes.", rest)
    return gettext("Votre inscription expirera dans %(minutes)s min %(seconds)s s.", minutes=minutes, seconds=rest)
