"""Delivery of the outbox: which transport, which job runner, and when deliveries run.

- After every commit that queued a message, a delivery job goes to the job runner, so a
  person waiting for an activation email does not wait for cron.
- A delivery that leaves messages for later (SMTP down) runs again when the earliest is due.
- `flask deliver-outbox`, from cron every minute, catches what a restart left behind.

Embedded default, no MAIL_SERVER: no transport, so messages stay in the outbox, where the
development page (/dev/courriels) shows them.
"""
import threading
from datetime import datetime, timedelta

import flask_sqlalchemy.session
from flask import current_app
from sqlalchemy import event

from wizard import jobs
from wizard.core import clock
from wizard.extensions import db
from wizard.messaging import outbox
from wizard.messaging.mail import SmtpTransport
from wizard.messaging.sms import SmsGatewayTransport

EXTENSION = "sesame.delivery"
# While another sender holds a due row, look again this much later, not at once.
_SHORTEST_WAIT = timedelta(seconds=5)


class Delivery:
    def __init__(self, app):
        self.app = app
        self.transport = SmtpTransport(app.config) if app.config["MAIL_SERVER"] else None
        if self.transport is not None:
            app.extensions["mail"] = self.transport.state  # Flask-Mail reads it while building a message
        self.sms_transport = SmsGatewayTransport(app.config["SMS_GATEWAY_URL"], app.config["SMS_GATEWAY_TOKEN"],
                                                 app.config["SMS_GATEWAY_TIMEOUT_SECONDS"]) \
            if app.config["SMS_GATEWAY_URL"] else None
        self._next_run: datetime | None = None
        self._lock = threading.Lock()

    @property
    def runner(self):
        """The in-process runner (tests drive the inline one)."""
        return self.app.extensions[jobs.EXTENSION].runner

    def _transports(self) -> dict:
        """Each channel with somewhere to go; a channel without stays in the outbox."""
        return {channel: transport for channel, transport in
                (("email", self.transport), ("sms", self.sms_transport)) if transport is not None}

    @property
    def channels(self) -> tuple[str, ...]:
        """The channels whose messages leave the outbox (the others stay on purpose)."""
        return tuple(self._transports())

    def start(self) -> None:
        if self._transports():
            jobs.enqueue("deliver_outbox")

    def deliver(self) -> None:
        """The job: deliver what is due, then come back when the next message is due."""
        with self._lock:
            self._next_run = None  # this run is the wake-up that was planned, if any
        report = self.deliver_once()
        if report.next_due is not None:
            self._schedule(max(report.next_due, clock.now() + _SHORTEST_WAIT))

    def deliver_once(self) -> outbox.DeliveryReport:
        reports = [outbox.deliver_due(db.session, transport, clock.now(), channel)
                   for channel, transport in self._transports().items()]
        due = [report.next_due for report in reports if report.next_due is not None]
        return outbox.DeliveryReport(sum(r.sent for r in reports), sum(r.failed for r in reports),
                                     min(due) if due else None)

    def _schedule(self, when: datetime) -> None:
        with self._lock:
            # One wake-up is enough for every message due at or after it.
            if self._next_run is not None and clock.now() < self._next_run <= when:
                return
            self._next_run = when
        jobs.enqueue("deliver_outbox", delay=(when - clock.now()).total_seconds())


def init_app(app) -> None:
    app.extensions[EXTENSION] = Delivery(app)


def deliver_outbox() -> None:
    current().deliver()


def current() -> Delivery:
    return current_app.extensions[EXTENSION]


@event.listens_for(flask_sqlalchemy.session.Session, "after_commit")
def _deliver_after_commit(session) -> None:
    delivery = current_app.extensions.get(EXTENSION) if current_app else None
    if session.info.pop(outbox.QUEUED_FLAG, False) and delivery is not None:
        delivery.start()


@event.listens_for(flask_sqlalchemy.session.Session, "after_rollback")
def _forget_after_rollback(session) -> None:
    session.info.pop(outbox.QUEUED_FLAG, None)
