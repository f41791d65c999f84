"""WizardState: the journey of the person making this request.

The only code that reads or writes the journey key of the session cookie.
"""
from datetime import timedelta

from flask import current_app, session, url_for

from wizard import steps
from wizard.extensions import db
from wizard.services import clock, journeys

SESSION_KEY = "journey"


class WizardState:
    def __init__(self, journey, expired: bool):
        self.journey = journey
        # The person had a journey, left idle too long: tell them why they start again.
        self.expired = expired

    @classmethod
    def load(cls) -> "WizardState":
        now = clock.now()
        idle = timedelta(minutes=current_app.config["JOURNEY_IDLE_MINUTES"])
        token = session.get(SESSION_KEY)
        journey = journeys.find(db.session, token, now, idle)
        if journey is None:
            new_token, journey = journeys.start(db.session, now)
            db.session.commit()
            session[SESSION_KEY] = new_token
            return cls(journey, expired=token is not None)
        return cls(journey, expired=False)

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
        return url_for("signup.step", slug=step.slug) if step else url_for("signup.done")

    def reset(self) -> None:
        session.pop(SESSION_KEY, None)
