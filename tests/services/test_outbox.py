"""The outbox: written with the change, delivered after the commit over real SMTP, retried
with back-off while SMTP is down, delivered once when it is back."""
import socket
import threading
from datetime import timedelta

import pytest

from tests.conftest import reconfigure
from wizard.core import clock
from wizard.extensions import db
from wizard.messaging import delivery, outbox
from wizard.messaging.models import OutboxMessage
from wizard.messaging.outbox import Email

pytest_plugins = ["tests.smtp_server"]  # its fixtures: smtp_server, smtp_down, mail_app
EMAIL = Email("jean@exemple.fr", "Activez votre compte", "Bonjour,\nle texte", "<p>Bonjour, le HTML</p>")


def queue(app, email=EMAIL, commit=True):
    with app.app_context():
        outbox.queue_email(db.session, email, "activation", None, clock.now())
        if commit:
            db.session.commit()
        else:
            db.session.rollback()


def rows(database):
    return database(lambda session: [
        {"status": m.status, "attempts": m.attempts, "next_attempt_at": m.next_attempt_at,
         "last_error": m.last_error, "sent_at": m.sent_at}
        for m in session.query(OutboxMessage).order_by(OutboxMessage.id)])


def runner(app):
    return app.extensions[delivery.EXTENSION].runner


def test_a_queued_email_is_delivered_over_smtp_after_the_commit(mail_app, smtp_server, database):
    queue(mail_app)
    [message] = smtp_server.messages
    assert message["To"] == "jean@exemple.fr" and message["Subject"] == "Activez votre compte"
    assert message["From"] == "Sésame <ne-pas-repondre@sesame.test>"
    assert smtp_server.text_of(message).strip() == "Bonjour,\nle texte"
    assert message.get_body(("html",)).get_content().strip() == "<p>Bonjour, le HTML</p>"
    assert message["Message-ID"].startswith("<outbox-1-") and message["Message-ID"].endswith("@sesame.test>")
    [row] = rows(database)
    assert row["status"] == "sent" and row["attempts"] == 1 and row["sent_at"] is not None


def test_a_delivered_message_keeps_what_it_was_not_what_it_said(mail_app, smtp_server, database):
    queue(mail_app)
    kept = database(lambda session: session.query(OutboxMessage).one())
    assert (kept.body_text, kept.body_html) == ("", None)  # the link and the code are gone
    assert (kept.kind, kept.recipient, kept.subject, kept.status) == (
        "activation", "jean@exemple.fr", "Activez votre compte", "sent")


def test_a_rolled_back_change_sends_nothing(mail_app, smtp_server, database):
    queue(mail_app, commit=False)
    assert smtp_server.messages == [] and rows(database) == []


def test_smtp_down_then_up_delivers_exactly_once(app, smtp_down, database, monkeypatch):
    smtp_down.serve(app)
    queue(app)
    [row] = rows(database)
    assert row["status"] == "pending" and row["attempts"] == 1 and "Connection" in row["last_error"]
    assert row["next_attempt_at"] - clock.now() <= timedelta(seconds=10)
    assert len(runner(app).scheduled) == 1  # the sender comes back when the message is due

    smtp_down.start()
    assert runner(app).run_scheduled() == 1
    assert smtp_down.messages == [], "not before it is due"
    later = clock.now() + timedelta(seconds=11)
    monkeypatch.setattr(clock, "now", lambda: later)
    runner(app).run_scheduled()
    assert len(smtp_down.messages) == 1
    [row] = rows(database)
    assert row["status"] == "sent" and row["attempts"] == 2 and row["last_error"] is None

    # Any later run, by the job runner or by cron, sends nothing again.
    runner(app).run_scheduled()
    result = app.test_cli_runner().invoke(args=["deliver-outbox"])
    assert result.output.startswith("0 sent, 0 failed")
    assert len(smtp_down.messages) == 1


def test_the_delays_grow_then_stay_at_an_hour():
    delays = [outbox.retry_delay(n).total_seconds() for n in range(1, 12)]
    assert delays == [10, 20, 30, 60, 120, 300, 600, 1200, 2400, 3600, 3600]


class Refusing:
    sent = 0

    def send(self, message):
        raise ConnectionRefusedError("SMTP is down")


class Counting:
    def __init__(self):
        self.sent = []

    def send(self, message):
        self.sent.append(message.id)


def test_a_message_is_given_up_after_the_last_attempt(app, database):
    queue(app)  # no MAIL_SERVER in tests: it stays in the outbox

    def attempt_all(session):
        now = clock.now()
        for _ in range(outbox.MAX_ATTEMPTS + 3):
            outbox.deliver_due(session, Refusing(), now)
            now += timedelta(hours=2)
    database(attempt_all)
    [row] = rows(database)
    assert row["status"] == "failed" and row["attempts"] == outbox.MAX_ATTEMPTS
    assert database(lambda session: session.query(OutboxMessage.body_text).scalar()) == ""


def test_two_senders_never_hold_the_same_message(app, database):
    queue(app)
    now = clock.now()
    first = database(lambda session: outbox._claim(session, 1, now) is not None)
    second = database(lambda session: outbox._claim(session, 1, now) is not None)
    assert (first, second) == (True, False)
    # A sender that died lets the message go when its lease runs out.
    after_lease = now + outbox.LEASE + timedelta(seconds=1)
    assert database(lambda session: outbox._claim(session, 1, after_lease) is not None)


class Slow:
    """Each send takes longer than its lease is long: only a lease counted from the row's
    own claim, not from the batch's start, still holds the rows after the first."""
    lease = timedelta(seconds=0.2)

    def __init__(self):
        self.held_while_sending = []

    def send(self, message):
        threading.Event().wait(0.1)
        # What another sender's claim would see now: the row still leased, or free to take.
        self.held_while_sending.append(message.locked_until > clock.now())
        threading.Event().wait(0.2)


def test_a_row_claimed_after_slow_sends_is_still_held_while_it_is_sent(app, database):
    for n in range(3):
        queue(app, Email(f"personne{n}@exemple.fr", "Sujet", "Texte", "<p>HTML</p>"))
    transport = Slow()
    report = database(lambda session: outbox.deliver_due(session, transport, clock.now()))
    assert report.sent == 3
    assert transport.held_while_sending == [True, True, True]


def test_concurrent_deliveries_send_once(app):
    """Three senders on three connections of PostgreSQL (tests/services run there)."""
    for n in range(5):
        queue(app, Email(f"personne{n}@exemple.fr", "Sujet", "Texte", "<p>HTML</p>"))
    transport, barrier = Counting(), threading.Barrier(3)

    def deliver():
        with app.app_context():
            barrier.wait()
            outbox.deliver_due(db.session, transport, clock.now())
            db.session.remove()
    threads = [threading.Thread(target=deliver) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(transport.sent) == [1, 2, 3, 4, 5]


def test_without_a_mail_server_messages_stay_in_the_outbox(app, database):
    queue(app)
    assert rows(database)[0]["status"] == "pending"
    assert app.extensions[delivery.EXTENSION].transport is None
    result = app.test_cli_runner().invoke(args=["deliver-outbox"])
    assert result.output.startswith("0 sent, 0 failed")


@pytest.fixture
def silent_server():
    """Accepts connections and never answers, like a stuck SMTP server."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted = []
    thread = threading.Thread(target=lambda: accepted.append(listener.accept()), daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    listener.close()
    for connection, _address in accepted:
        connection.close()


def test_a_silent_smtp_server_times_out_instead_of_holding_the_worker(app, database, silent_server):
    reconfigure(app, MAIL_SERVER="127.0.0.1", MAIL_PORT=silent_server, MAIL_USE_TLS=False,
                      MAIL_TIMEOUT_SECONDS=1)
    delivery.init_app(app)
    started = clock.now()
    queue(app)
    assert (clock.now() - started).total_seconds() < 10
    [row] = rows(database)
    assert row["status"] == "pending" and "timed out" in row["last_error"]
