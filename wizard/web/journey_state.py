"""WizardState: the journey of the person making this request.

The only code that reads or writes the journey keys of the session cookie.
"""
from datetime import timedelta

from flask import abort, current_app, g, session, url_for

from wizard.core import clock
from wizard.core.applicant import Applicant
from wizard.extensions import db
from wizard.kiosk import start_codes
from wizard.signup import journeys, steps
from wizard.web import limits
from wizard.web.kiosk_mode import KIOSK_KEY, KIOSK_MODE_KEY

SESSION_KEY = "journey"
# The journey's answers key for what FranceConnect said (sub and the claims asked for).
FRANCECONNECT = "franceconnect"


class WizardState:
    def __init__(self, journey, expired: bool = False, moved: bool = False, new_token: str | None = None):
        self.journey = journey
        # The person had a journey, left idle too long: tell them why they start again.
        self.expired = expired
        # The journey was handed over to another device: tell them where it went.
        self.moved = moved
        # A journey not kept yet (no row, nothing in the cookie): the token it will have.
        self._new_token = new_token

    @classmethod
    def load(cls) -> "WizardState":
        """This browser's journey, loaded once per request (a rate limit's key may ask too)."""
        if "wizard_state" not in g:
            g.wizard_state = cls._load()
        return g.wizard_state

    @classmethod
    def _load(cls) -> "WizardState":
        now = clock.now()
        token = session.get(SESSION_KEY)
        idle = idle_limit()
        journey = journeys.find(db.session, token, now, idle)
        if journey is not None:
            # Reading a step is activity too; one write a little while at most.
            if now - journey.updated_at > min(idle / 4, timedelta(minutes=1)):
                journeys.touch(journey, now)
            return cls(journey)
        moved = bool(token) and start_codes.was_handed_over(db.session, journeys.key(token))
        if token:
            session.pop(SESSION_KEY)  # its journey is gone: said once, on this page
        # Opening a page writes nothing: the journey is kept when the person saves an answer.
        state = cls._new(kiosk_id=session.get(KIOSK_KEY))
        state.expired, state.moved = bool(token) and not moved, moved
        return state

    @classmethod
    def _new(cls, kiosk_id: str | None) -> "WizardState":
        new_token, journey = journeys.new(clock.now(), kiosk_id=kiosk_id)
        g.wizard_state = cls(journey, new_token=new_token)
        return g.wizard_state

    @classmethod
    def start(cls, kiosk_id: str | None = None) -> "WizardState":
        """A new journey kept at once: the person asked for it (a kiosk, FranceConnect)."""
        state = cls._new(kiosk_id)
        state.keep()
        return state

    @property
    def kept(self) -> bool:
        return self._new_token is None

    def keep(self) -> None:
        """Writes a journey not kept yet, and gives the cookie its token. Journeys are
        made only here, at most RATELIMIT_NEW_JOURNEY per IP."""
        if self.kept:
            return
        if not limits.new_journey_allowed():
            abort(429)
        journeys.keep(db.session, self.journey)
        session[SESSION_KEY], self._new_token = self._new_token, None

    @classmethod
    def start_with_franceconnect(cls, sub: str, claims: dict) -> "WizardState":
        """A new journey (this browser's previous one is deleted) opened by FranceConnect: no
        CAPTCHA (FranceConnect proved a person is there), and its identity for the steps."""
        journeys.delete(db.session, session.get(SESSION_KEY))
        state = cls.start(kiosk_id=session.get(KIOSK_KEY))
        state.journey.answers = {"captcha": {"passed_at": clock.now().isoformat(timespec="seconds"),
                                             "by": "franceconnect"},
                                 FRANCECONNECT: {**claims, "sub": sub}}
        return state

    @property
    def franceconnect(self) -> dict | None:
        """What FranceConnect said, for a journey it opened."""
        return self.journey.answers.get(FRANCECONNECT)

    @classmethod
    def adopt(cls, journey_id: str) -> bool:
        """Takes over a journey handed over from another device; False if it is gone."""
        new_token = journeys.hand_over(db.session, journey_id, clock.now(), idle_limit())
        if new_token:
            session[SESSION_KEY] = new_token
            g.pop("wizard_state", None)
        return new_token is not None

    @property
    def answers(self) -> dict:
        return dict(self.journey.answers)

    @property
    def applicant(self) -> Applicant | None:
        return Applicant.from_answers(self.journey.answers)

    def forget(self, step) -> None:
        """Drops a step's answer (and those that depend on it): the person gives it again."""
        self.journey.answers = steps.forget(self.answers, step)
        journeys.touch(self.journey, clock.now())

    def data_for(self, step) -> dict | None:
        return self.journey.answers.get(step.name)

    def save(self, step, values: dict) -> None:
        self.keep()
        self.journey.answers = steps.record(self.answers, step, values)
        journeys.touch(self.journey, clock.now())

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


def seconds_left() -> int:
    """Of this browser's journey, without touching it (reading it is not activity)."""
    now = clock.now()
    journey = journeys.find(db.session, session.get(SESSION_KEY), now, idle_limit())
    return journey_seconds_left(journey, now) if journey else 0


def has_answers() -> bool:
    """Whether this browser has a journey with answers in it, without starting one."""
    journey = journeys.find(db.session, session.get(SESSION_KEY), clock.now(), idle_limit())
    return bool(journey and journey.answers)


def journey_seconds_left(journey, now) -> int:
    return max(0, int((idle_limit() - (now - journey.updated_at)).total_seconds()))


def leave_kiosk(db_session) -> str | None:
    """Wipes this browser's journey and session; returns the kiosk to show again."""
    kiosk_id = session.get(KIOSK_MODE_KEY)
    journeys.delete(db_session, session.get(SESSION_KEY))
    session.clear()
    g.pop("wizard_state", None)
    return kiosk_id
