"""The app's logs: JSON lines with a request id, paths without tokens, security events,
and, after whole journeys, nothing in any line that names or identifies the person."""
import io
import json
import logging
import re
from datetime import timedelta

import pytest

from tests.conftest import IDENTITY, PHONE, SUBSCRIBER, newest_message, walk_to
from tests.views.sign_in_support import later, reset_link, sms_code, type_password
from wizard.kiosk import start_codes
from wizard.web.request_log import JsonFormatter

EMAIL = "jean.martin@exemple.fr"
PASSWORD = "Tr3s-Sûr-Bateau"
NEW_PASSWORD = "Autre-Chemin-77!"


@pytest.fixture
def log_lines():
    """Every line the `wizard` loggers write, formatted as in production when written."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("wizard")
    logger.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)


def _whole_journeys(app, client, monkeypatch) -> list[str]:
    """A signup to "eligible", a wrong password, a sign-in by SMS code, a sign-out, a
    forgotten password by its link, a scanned kiosk code: returns every secret they used."""
    secrets_seen = []
    walk_to(client, "identifiants")
    assert client.post("/inscription/identifiants", data={
        "email": EMAIL, "email_confirmation": EMAIL, "password": PASSWORD,
        "password_confirmation": PASSWORD}).status_code == 303
    mail = newest_message(app, EMAIL).body_text
    link = re.search(r"https?://[^/\s]+(/inscription/activation/\S+)", mail).group(1)
    secrets_seen += [link.rsplit("/", 1)[1], re.search(r"\b(\d{6})\b", mail).group(1)]
    client.get(link)
    assert client.post(link).status_code == 303
    assert client.post("/inscription/telephone", data={"phone": PHONE, "channel": "sms"}).status_code == 303
    code = sms_code(app)
    secrets_seen.append(code)
    assert client.post("/inscription/telephone/code", data={"code": code}).status_code == 303
    client.post("/inscription/eligibilite")
    client.get("/inscription/verification-en-cours")
    client.post("/deconnexion")

    type_password(client, EMAIL, "Pas-Le-Bon-1!")  # a failed sign-in
    later(monkeypatch, seconds=61)
    type_password(client, EMAIL, PASSWORD)
    client.post("/connexion/verification", data={"channel": "sms"})
    code = sms_code(app)
    secrets_seen.append(code)
    assert client.post("/connexion/code", data={"code": code}).headers["Location"] == "/compte"
    client.get("/compte")
    client.post("/deconnexion")

    client.post("/mot-de-passe-oublie", data={"email": EMAIL})
    link = reset_link(app)
    secrets_seen.append(link.rsplit("/", 1)[1])
    client.get(link)
    assert client.post("/mot-de-passe-oublie/nouveau", data={
        "password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD}).status_code == 303

    with app.app_context():
        from wizard.core import clock
        from wizard.extensions import db
        code = start_codes.issue(db.session, "kiosk", clock.now(), timedelta(minutes=5), kiosk_id="agence-1")
        db.session.commit()
        token = start_codes.sign(code.code, app.config["SECRET_KEY"])
        secrets_seen += [code.code, token]
    app.test_client().get(f"/k/{token}")
    secrets_seen.append(client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value)
    return secrets_seen


def test_no_log_line_names_or_identifies_the_person(app, client, log_lines, monkeypatch):
    secrets_seen = _whole_journeys(app, client, monkeypatch)
    lines = log_lines()
    text = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines).lower()
    personal = [IDENTITY["first_name"], IDENTITY["last_name"], SUBSCRIBER["subscriber_first_name"], EMAIL,
                EMAIL.split("@")[0], PHONE, PHONE.replace("+33", "0"), IDENTITY["identifier"], PASSWORD,
                NEW_PASSWORD]
    for value in personal + secrets_seen:
        assert value.lower() not in text, value
    # ... and yet the logs say what happened.
    events = [line.get("event") for line in lines]
    for event in ("sign_in_failed", "sign_in", "phone_changed", "password_reset_requested", "password_changed"):
        assert event in events, event
    assert any(line.get("path") == "/inscription/activation/<token>" for line in lines)
    assert any(line.get("path") == "/mot-de-passe-oublie/lien/<token>" for line in lines)
    assert any(line.get("path") == "/k/<token>" for line in lines)


def test_each_line_is_json_with_the_request_id(client, log_lines):
    response = client.get("/inscription/verification", headers={"X-Request-Id": "proxy-id-1234"})
    assert response.headers["X-Request-Id"] == "proxy-id-1234"
    [line] = [line for line in log_lines() if line.get("path") == "/inscription/verification"]
    assert line["request_id"] == "proxy-id-1234" and line["status"] == 200 and line["method"] == "GET"
    client.get("/", headers={"X-Request-Id": "bad id, with spaces"})
    other = [line for line in log_lines() if line.get("path") == "/"][0]
    assert re.fullmatch(r"[0-9a-f]{16}", other["request_id"])


def test_a_polls_code_is_not_logged(client, log_lines):
    client.get("/inscription/continuer-sur-mon-telephone/etat?code=ABC123&v=1")
    [line] = [line for line in log_lines() if line.get("path", "").startswith("/inscription/continuer")]
    assert line["path"] == "/inscription/continuer-sur-mon-telephone/etat?code=…&v=1"


def test_a_locked_code_is_a_security_event(app, client, log_lines):
    from tests.views.sign_in_support import make_account, wrong
    make_account(app)
    type_password(client)
    client.post("/connexion/verification", data={"channel": "sms"})
    code = sms_code(app)
    for _ in range(app.config["CODE_MAX_ATTEMPTS"]):
        client.post("/connexion/code", data={"code": wrong(code)})
    [event] = [line for line in log_lines() if line.get("event") == "code_locked"]
    assert event["level"] == "WARNING" and event["purpose"] and event["request_id"]
