"""SMS through the HTTP gateway (a real server on 127.0.0.1): the request's shape, retries
when it answers 5xx or times out, and delivery exactly once when it is back: the gateway,
as real ones do, texts the person once per idempotency key."""
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import activated_account
from wizard.core import clock
from wizard.extensions import db
from wizard.messaging import delivery, outbox
from wizard.messaging.models import OutboxMessage


class Gateway(BaseHTTPRequestHandler):
    answers = []  # status codes to answer in turn; the last one repeats
    delay = 0.0
    received = []  # every request
    delivered = []  # the texts the person got: one per idempotency key

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        key = self.headers["Idempotency-Key"]
        Gateway.received.append({"body": body, "authorization": self.headers["Authorization"],
                                 "type": self.headers["Content-Type"], "key": key})
        if key is None or key not in {text["key"] for text in Gateway.delivered}:
            Gateway.delivered.append({"key": key, "to": body["to"], "text": body["text"]})
        threading.Event().wait(Gateway.delay)  # the text is taken: a timeout now comes too late
        status = Gateway.answers.pop(0) if len(Gateway.answers) > 1 else Gateway.answers[0]
        self.send_response(status)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Gateway.answers, Gateway.delay, Gateway.received, Gateway.delivered = [202], 0.0, [], []
    Gateway.url = f"http://127.0.0.1:{server.server_port}/sms"
    yield Gateway.url
    server.shutdown()


@pytest.fixture
def sms_app(new_app, gateway):
    return new_app(SMS_GATEWAY_URL=gateway, SMS_GATEWAY_TOKEN="gw-token", SMS_GATEWAY_TIMEOUT_SECONDS=1)


def give_number(app):
    client = app.test_client()
    activated_account(client)
    client.post("/inscription/telephone", data={"phone": "06 12 34 56 78", "channel": "sms"})


def sms_rows(app):
    with app.app_context():
        return [(m.status, m.attempts) for m in db.session.query(OutboxMessage).filter_by(channel="sms")]


def deliver_at(app, moment):
    with app.app_context():
        original = clock.now
        clock.now = lambda: moment
        try:
            return delivery.current().deliver_once()
        finally:
            clock.now = original


def test_the_request_follows_the_gateway_contract(sms_app):
    give_number(sms_app)
    [request] = Gateway.received
    assert request["authorization"] == "Bearer gw-token" and request["type"] == "application/json"
    assert request["body"]["to"] == "+33612345678"
    assert request["body"]["text"].endswith(f"@127.0.0.1 #{request['body']['text'][:6]}")
    assert sms_rows(sms_app) == [("sent", 1)]


@pytest.mark.parametrize("failure", ["5xx", "timeout"])
def test_a_failing_gateway_gets_the_sms_later_exactly_once(sms_app, failure):
    if failure == "5xx":
        Gateway.answers = [503, 202]
    else:
        Gateway.delay = 1.5
    give_number(sms_app)
    assert sms_rows(sms_app) == [("pending", 1)]
    Gateway.delay = 0.0
    report = deliver_at(sms_app, clock.now() + timedelta(seconds=31))
    assert (report.sent, report.failed) == (1, 0)
    assert sms_rows(sms_app) == [("sent", 2)]
    deliver_at(sms_app, clock.now() + timedelta(hours=2))
    assert len(Gateway.received) == 2  # the failed try and the one that went through; no more
    first, retry = Gateway.received
    assert first["key"] == retry["key"] == first["body"]["reference"] == retry["body"]["reference"]
    assert len(Gateway.delivered) == 1  # a timeout after the gateway took it: the retry is recognised


def test_each_message_has_its_own_key(sms_app):
    give_number(sms_app)
    with sms_app.app_context():
        outbox.queue_sms(db.session, "+33698765432", "Un autre texte", "sign_in_code", None, clock.now())
        db.session.commit()
        references = [m.reference for m in
                      db.session.query(OutboxMessage).filter_by(channel="sms").order_by(OutboxMessage.id)]
    assert [request["key"] for request in Gateway.received] == references
    assert len(set(references)) == 2
    assert [text["to"] for text in Gateway.delivered] == ["+33612345678", "+33698765432"]


def test_a_gateway_without_keys_still_gets_the_contract_it_knows(sms_app):
    """The key is an extra header and field: {"to", "text"} and the bearer token are unchanged."""
    give_number(sms_app)
    [request] = Gateway.received
    assert set(request["body"]) == {"to", "text", "reference"}


def test_an_unreachable_gateway_keeps_the_sms(sms_app):
    sms_app.extensions["sesame.delivery"].sms_transport.url = "http://127.0.0.1:9/sms"
    give_number(sms_app)
    assert sms_rows(sms_app) == [("pending", 1)]


def test_without_a_gateway_texts_stay_in_the_outbox(client, database):
    activated_account(client)
    client.post("/inscription/telephone", data={"phone": "06 12 34 56 78", "channel": "sms"})
    rows = database(lambda s: [(m.status, m.recipient) for m in s.query(OutboxMessage).filter_by(channel="sms")])
    assert rows == [("pending", "+33612345678")]


def test_a_worker_killed_after_the_gateway_took_the_sms_leaves_one_text(sms_app):
    """Claimed and sent by a worker that died before marking it sent: taken over after the
    lease, sent again with the same key, and the person still gets one text."""
    sms_app.extensions["sesame.delivery"].sms_transport.url = "http://127.0.0.1:9/sms"  # queued, not sent
    give_number(sms_app)
    transport = sms_app.extensions["sesame.delivery"].sms_transport
    transport.url = Gateway.url
    now = clock.now() + timedelta(seconds=31)
    with sms_app.app_context():
        [row_id] = [m.id for m in db.session.query(OutboxMessage).filter_by(channel="sms")]
        transport.send(outbox._claim(db.session, row_id, now, transport.lease))  # then the worker dies
    assert deliver_at(sms_app, now + timedelta(seconds=1)).sent == 0  # still leased
    assert deliver_at(sms_app, now + transport.lease + timedelta(seconds=1)).sent == 1
    assert sms_rows(sms_app) == [("sent", 3)]
    assert len(Gateway.received) == 2 and len(Gateway.delivered) == 1
