"""/metrics, parsed by the Prometheus client's own parser, and the alerts of the
console's first page, which say the same."""
from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import activated_account, reconfigure
from tests.views.operator_support import signed_in_staff
from wizard.core import clock
from wizard.eligibility.models import EligibilityCheck
from wizard.extensions import db
from wizard.messaging.models import OutboxMessage
from wizard.operator import events

TOKEN = "jeton-de-supervision-0123456789"


def scrape(client, token=TOKEN) -> dict:
    """{(name, labels as a frozenset): value} of every sample."""
    response = client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.mimetype == "text/plain"
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(response.get_data(as_text=True)) for sample in family.samples}


def value(samples, name, **labels):
    return samples[(name, frozenset(labels.items()))]


@pytest.fixture
def metrics_app(app):
    reconfigure(app, METRICS_TOKEN=TOKEN)
    return app


def test_metrics_are_not_found_without_a_token_set(client):
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


@pytest.mark.parametrize("header", [None, "Bearer", f"Bearer {TOKEN}x", f"Basic {TOKEN}", f"bearer  {TOKEN}",
                                    "Bearer " + "é" * 100])
def test_metrics_want_the_right_bearer_token(metrics_app, header):
    response = metrics_app.test_client().get("/metrics", headers={"Authorization": header} if header else {})
    assert response.status_code == 401 and response.headers["WWW-Authenticate"] == 'Bearer realm="metrics"'


def test_requests_are_counted_by_route_and_status_and_timed(metrics_app, client):
    client.get("/inscription/qualite")  # no journey yet: 303
    client.get("/inscription/verification")
    client.get("/inscription/etape-inconnue")
    client.get("/k/un-jeton-signe-quelconque")
    client.open("/inscription/verification", method="BREW")
    client.get("/aleatoire-1"), client.get("/aleatoire-2")
    samples = scrape(client)
    count = "sesame_http_requests_total"
    assert value(samples, count, route="/inscription/<slug>", method="GET", status="303") == 1
    assert value(samples, count, route="/inscription/<slug>", method="GET", status="404") == 1
    assert value(samples, count, route="/inscription/verification", method="GET", status="200") == 1
    assert value(samples, count, route="/k/<token>", method="GET", status="303") == 1  # never the token itself
    assert value(samples, count, route="unmatched", method="other", status="405") == 1  # never a made-up method
    assert value(samples, count, route="unmatched", method="GET", status="404") == 2  # nor a made-up path
    buckets = {dict(labels)["le"]: v for (name, labels), v in samples.items()
               if name == "sesame_http_request_duration_seconds_bucket" and ("route", "/inscription/<slug>") in labels}
    assert buckets["+Inf"] == 2 and set(buckets) >= {"0.005", "0.1", "1.0", "10.0"}


def test_the_readings_and_the_alerts(new_app):
    app = new_app(MAIL_SERVER="smtp.exemple.invalid", METRICS_TOKEN=TOKEN)
    now = clock.now()
    account_id = activated_account(app.test_client(), "pour.la.supervision@exemple.fr")  # queues its email
    with app.app_context():
        db.session.query(OutboxMessage).delete()
        for age in (25, 3):
            db.session.add(OutboxMessage(channel="email", kind="activation", recipient="x@exemple.fr", body_text="t",
                                         status="pending", attempts=1, next_attempt_at=now + timedelta(minutes=1),
                                         created_at=now - timedelta(minutes=age)))
        db.session.add(OutboxMessage(channel="sms", kind="phone_code", recipient="+33600000000", body_text="t",
                                     status="pending", attempts=0, next_attempt_at=now, created_at=now))
        db.session.add(EligibilityCheck(id="c1", account_id=account_id, status="queued", stage=0, unreachable=0,
                                        runs=0, created_at=now - timedelta(minutes=3),
                                        updated_at=now - timedelta(minutes=3)))
        for outcome, amount in (("ok", 8), ("error", 2), ("timeout", 1)):
            for _ in range(amount):
                events.count(db.session, events.INSURER_CALL, now - timedelta(minutes=5), detail=outcome)
        events.count(db.session, events.INSURER_CALL, now - timedelta(minutes=20), detail="error")  # too old
        db.session.commit()
    samples = scrape(app.test_client())
    assert value(samples, "sesame_outbox_backlog", channel="email") == 2
    assert value(samples, "sesame_outbox_backlog", channel="sms") == 1
    assert 25 * 60 - 5 < value(samples, "sesame_outbox_oldest_undelivered_seconds", channel="email") < 25 * 60 + 60
    assert value(samples, "sesame_eligibility_checks_in_flight") == 1
    assert value(samples, "sesame_insurer_calls_15m", outcome="error") == 2
    assert value(samples, "sesame_insurer_error_rate_15m") == pytest.approx(3 / 11)
    # The activation email's delivery failed (no such server): its retry waits.
    assert value(samples, "sesame_job_queue_depth") == 1
    # Work waits, but a job (that delivery) finished within 5 minutes: the worker is not silent.
    alerts = {name: value(samples, "sesame_alert", alert=name) for name in
              ("outbox_backlog", "insurer_errors", "worker_silent")}
    assert alerts == {"outbox_backlog": 1, "insurer_errors": 1, "worker_silent": 0}

    console = signed_in_staff(app, app.test_client())
    page = console.get("/operateur/").get_data(as_text=True)
    assert "le plus ancien depuis 25 minutes (2 en attente)" in page  # the SMS has no gateway: not counted
    assert "27 % des 11 appels des 15 dernières minutes" in page
    assert "Aucun travail en arrière-plan" not in page


def test_a_silent_worker_and_a_quiet_insurer(app, metrics_app, client_request, monkeypatch):
    account_id = activated_account(app.test_client(), "silence@exemple.fr")
    later = clock.now() + timedelta(minutes=10)
    monkeypatch.setattr(clock, "now", lambda: later)
    with app.app_context():
        db.session.add(EligibilityCheck(id="c2", account_id=account_id, status="queued", stage=0, unreachable=0,
                                        runs=0, created_at=later - timedelta(minutes=3),
                                        updated_at=later - timedelta(minutes=3)))
        for outcome in ("error", "error", "timeout", "ok"):  # 75 % of 4 calls: too few to say
            events.count(db.session, events.INSURER_CALL, later, detail=outcome)
        db.session.commit()
    samples = scrape(client_request.client)
    assert value(samples, "sesame_alert", alert="worker_silent") == 1
    assert value(samples, "sesame_alert", alert="insurer_errors") == 0
    signed_in_staff(app, client_request.client)
    page = client_request.get("/operateur/")
    assert page.select(".alert")[0].get_text().strip().startswith("Aucun travail en arrière-plan n’a abouti depuis "
                                                                  "plus de 5 minutes alors que 1 attendent")


def test_nothing_wrong_says_so(app, client_request):
    signed_in_staff(app, client_request.client)
    assert client_request.get("/operateur/").text_of(".alert--ok").startswith("Rien à signaler")
