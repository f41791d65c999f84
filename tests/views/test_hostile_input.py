"""Hostile input never gives a 5xx: every route, in the states a person can be in, gets a
battery of malformed values in every field (form, query string, file parts, the URL)."""
import base64
import io

import pytest

from tests.conftest import Page, activated_account, at_step
from tests.views.sign_in_support import make_account, sign_in, type_password
from wizard.extensions import limiter
from wizard.signup import steps

FIELDS = ("accept_terms birth_date birth_date-day birth_date-month birth_date-year channel code current_password "
          "email email_confirmation first_name identifier last_name marketing_email marketing_phone marketing_sms "
          "password password_confirmation phone remember remember_email renew role subscriber_birth_date-day "
          "subscriber_birth_date-month subscriber_birth_date-year subscriber_first_name subscriber_last_name "
          "altcha h-captcha-response lang next kiosque code actuel verification vu new_code start").split()

_NESTED = base64.b64encode(b"[" * 3000 + b"]" * 3000).decode()  # past the recursion limit
HOSTILE = [
    "é", "\x00", "١٢٣٤٥٦", "a" * 1000, "<script>", "../../etc/passwd",
    _NESTED, base64.b64encode(b'{"challenge": {"a": 1}, "number": "x", "algorithm": [], "salt": {}}').decode(),
    base64.b64encode(b"\xff\xfe").decode(), "-1", "99999999999999999999", "ＡＢＣ", "\u202e", "",
]
OTHER = "autre@exemple.fr"
PATH_VALUES = ["x", "é", "%00", "a" * 300, "..%2F..%2Fetc", "%ff"]


def routes(app, prefixes):
    """The URLs of the app under these prefixes; a URL with a variable once per PATH_VALUES
    (and per step slug), with a harmless query, since the variable is the hostile part."""
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(prefixes):
            continue
        methods = rule.methods - {"HEAD", "OPTIONS"}
        if not rule.arguments:
            yield rule.rule, methods, HOSTILE
            continue
        values = [step.slug for step in steps.STEPS] if "slug" in rule.arguments else []
        for value in values + PATH_VALUES:
            yield rule.rule.split("<", 1)[0] + value + rule.rule.split(">", 1)[1], methods, ["x"]


def _fire(client, path, methods, values, seen):
    for value in values:
        data = dict.fromkeys(FIELDS, value)
        if "GET" in methods:
            seen.append((client.get(path, query_string=data).status_code, "GET", path, value[:20]))
        if "POST" in methods:
            seen.append((client.post(path, data=data).status_code, "POST", path, value[:20]))
    if "POST" in methods:  # a file part where a text field is expected
        files = {name: (io.BytesIO(b"file"), "a.txt") for name in FIELDS}
        seen.append((client.post(path, data=files, content_type="multipart/form-data").status_code,
                     "POST", path, "file part"))


def _states():
    """(who, how they got there, the routes they try): a new visitor tries everything; a
    journey at each step, its step and the CAPTCHA's; a person signed in during signup, the
    rest of the signup; a pending sign-in and a signed-in person, theirs."""
    yield lambda client: None, ("/",)
    for step in steps.STEPS:
        yield lambda client, slug=step.slug: at_step(client, slug), (f"/inscription/{step.slug}",)
    yield lambda client: activated_account(client, email="hostile@exemple.fr"), ("/inscription", "/code", "/k/")
    yield type_password, ("/connexion", "/mot-de-passe-oublie")
    # Another account: the pending sign-in's hostile passwords pause the first one's sign-in.
    yield lambda client: sign_in(client, email=OTHER), ("/compte", "/connexion", "/deconnexion")


@pytest.mark.timeout(600)
def test_no_hostile_value_gives_a_server_error(app, monkeypatch):
    monkeypatch.setattr(limiter, "enabled", False)  # a 429 would hide what comes after the limit
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a server error is counted, as in production
    make_account(app)
    make_account(app, email=OTHER, phone=None)
    seen = []
    for enter, prefixes in _states():
        client = app.test_client()
        enter(client)
        for path, methods, values in routes(app, prefixes):
            _fire(client, path, methods, values, seen)
    errors = sorted({entry for entry in seen if entry[0] >= 500})
    assert not errors, errors[:40]
    assert {status for status, *_ in seen} >= {200, 303, 400, 404}


# The four findings of the hostile review, each on its own (the battery above is slow to read).

def test_a_non_ascii_captcha_code_is_refused_with_the_fields_message(client, client_request):
    client.get("/inscription/verification")
    page = client_request.post("/inscription/verification", {"code": "é"})
    assert len(page.errors()) == 1


def test_a_nested_altcha_payload_is_refused(client, client_request):
    client.get("/inscription/verification")
    for payload in (_NESTED, base64.b64encode(b"[" * 600 + b"]" * 600).decode()):
        assert len(client_request.post("/inscription/verification", {"altcha": payload}).errors()) == 1


def test_a_file_part_in_a_text_field_is_an_empty_field(client_request):
    data = {"email": (io.BytesIO(b"x"), "a.txt"), "password": (io.BytesIO(b"x"), "b.txt")}
    response = client_request.client.post("/connexion", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    assert len(Page(response.get_data(as_text=True), "html.parser").errors()) == 2


def test_a_nul_byte_in_a_static_path_is_not_found(client):
    assert client.get("/static/%00").status_code == 404
    assert client.get("/static/css/%00.css").status_code == 404


def test_a_body_over_the_limit_is_refused_with_a_page(client_request):
    big = {"email": "a" * (1024 * 1024 + 10), "password": "x"}
    page = client_request.post("/connexion", big, status=413)
    assert page.text_of("h1") == "Envoi trop volumineux"
    assert "trop long" in page.text_of("#wizard-step")


def test_a_multipart_text_part_over_its_limit_is_refused(client):
    response = client.post("/connexion", data={"email": "a" * (70 * 1024)}, content_type="multipart/form-data")
    assert response.status_code == 413
    assert Page(response.get_data(as_text=True), "html.parser").text_of("h1") == "Envoi trop volumineux"
