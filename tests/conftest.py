"""Fixtures shared by every test. Browser fixtures live in tests/browser/conftest.py."""
import os
import re

import pytest
from bs4 import BeautifulSoup

from app import create_app
from wizard import settings
from wizard.extensions import db, limiter
from wizard.signup.models import Journey

IN_CI = os.environ.get("CI", "").lower() == "true"
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def reconfigure(app, **values):
    """Changes settings of an app already built: its settings objects are rebuilt on next use."""
    app.config.update(values)
    app.extensions.pop(settings.CACHE, None)


def unavailable(reason: str):
    """On a laptop a missing service skips its tests; in CI it fails them."""
    if IN_CI:
        pytest.fail(f"{reason} (CI must run these tests)")
    pytest.skip(reason)


def postgres_reachable() -> bool:
    try:
        import psycopg
        psycopg.connect(POSTGRES_URL, connect_timeout=2).close()
        return True
    except Exception:  # any failure to connect means "not here"
        return False


@pytest.fixture(scope="session")
def postgres_url():
    """A database of this test run's own, so that concurrent runs never meet."""
    if not postgres_reachable():
        unavailable(f"PostgreSQL not reachable at {POSTGRES_URL}")
    import psycopg
    name = f"sesame_test_{os.getpid()}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {name}")
    yield POSTGRES_URL.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request):
    """The app on in-memory SQLite, and again on the real PostgreSQL."""
    overrides = {}
    if request.param == "postgresql":
        overrides["SQLALCHEMY_DATABASE_URI"] = request.getfixturevalue("postgres_url")
    app = create_app("test", **overrides)
    limiter.reset()  # in-memory limits are kept by the shared extension object
    # No app context stays pushed during the test: each request must get its own, as in
    # production (a shared one would share `g`, the database session and the locale).
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()


@pytest.fixture
def database(app):
    """Runs a function against the database, outside any request: database(lambda s: ...)."""
    def run(function):
        with app.app_context():
            return function(db.session)
    return run


@pytest.fixture
def client(app):
    return app.test_client()


def normalize_spaces(text: str) -> str:
    return " ".join(text.split())


class Page(BeautifulSoup):
    """A response read like a user reads it: with CSS selectors only."""

    def find(self, *args, **kwargs):
        raise AssertionError("use select_one")

    def find_all(self, *args, **kwargs):
        raise AssertionError("use select")

    def text_of(self, selector: str) -> str:
        element = self.select_one(selector)
        assert element is not None, f"nothing matches {selector}"
        return normalize_spaces(element.get_text())

    def errors(self) -> list[str]:
        return [normalize_spaces(a.get_text()) for a in self.select(".error-summary a")]


def check_page(page: Page, partial: bool) -> None:
    """What every screen must have: one h1, a title that starts with it, real forms, unique ids.

    A polled fragment (a kiosk's code, a hand-off's status) is not a screen: it has no h1.
    """
    if partial and page.select_one("section#wizard-step") is None:
        return
    headings = page.select("h1")
    assert len(headings) == 1, "one <h1> per screen"
    title = normalize_spaces(page.select_one("title").get_text())
    heading = normalize_spaces(headings[0].get_text())
    assert re.sub(r"^(Erreur :|Error:) ", "", title).startswith(heading), (title, heading)
    for form in page.select("form"):
        assert form.get("action") and form.get("method") == "post"
        assert form.select_one("input[name=csrf_token]") is not None
    ids = [element["id"] for element in page.select("[id]")]
    assert len(ids) == len(set(ids)), "duplicate ids"
    # What takes focus (autofocus, honoured by the browser on a load and by HTMX after a
    # swap): the error summary when there are errors; else, once swapped in, the heading.
    focused = page.select("[autofocus]")
    if page.select_one("#error-summary"):
        assert focused == page.select("#error-summary"), "the error summary takes focus"
    elif partial:
        assert focused == headings, "the new heading takes focus after a swap"
    else:
        assert focused == [], "a page load starts at the top"
    if not partial:
        assert page.select_one("html[lang]") is not None


class ClientRequest:
    def __init__(self, client):
        self.client = client

    def get(self, url, status=200, htmx=False, **kwargs):
        return self._page(self.client.get(url, headers=self._headers(htmx), **kwargs), status, htmx)

    def post(self, url, data=None, status=200, htmx=False, expect_redirect=None):
        response = self.client.post(url, data=data or {}, headers=self._headers(htmx))
        if expect_redirect:
            assert response.status_code == 303, response.get_data(as_text=True)[:2000]
            assert response.headers["Location"] == expect_redirect
            return response
        return self._page(response, status, htmx)

    @staticmethod
    def _headers(htmx):
        return {"HX-Request": "true"} if htmx else {}

    @staticmethod
    def _page(response, status, htmx):
        assert response.status_code == status, (response.status_code, response.headers.get("Location"))
        page = Page(response.get_data(as_text=True), "html.parser")
        page.response = response
        if response.mimetype == "text/html" and status != 303:
            check_page(page, partial=htmx)
        return page


@pytest.fixture
def client_request(client):
    return ClientRequest(client)


IDENTITY = {"last_name": "Dupont", "first_name": "Jean", "birth_date-day": "6",
            "birth_date-month": "3", "birth_date-year": "1977", "identifier": "10203050"}
SUBSCRIBER = {"subscriber_last_name": "Dupont", "subscriber_first_name": "Isabelle",
              "subscriber_birth_date-day": "21", "subscriber_birth_date-month": "12",
              "subscriber_birth_date-year": "1980"}


def current_captcha_code(app) -> str:
    with app.app_context():
        journey = db.session.query(Journey).filter(Journey.captcha_code.isnot(None)) \
            .order_by(Journey.updated_at.desc()).first()
        return journey.captcha_code


def pass_captcha(client):
    client.get("/inscription/verification")
    response = client.post("/inscription/verification", data={"code": current_captcha_code(client.application)})
    assert response.headers["Location"] == "/inscription/identite"


def walk_to(client, slug: str, role: str = "beneficiary"):
    """Answers every step before `slug` as a person would."""
    answers = [("identite", IDENTITY), ("qualite", {"role": role}), ("souscripteur", SUBSCRIBER),
               ("recapitulatif", {"accept_terms": "y"})]
    pass_captcha(client)
    for step_slug, data in answers:
        if step_slug == slug:
            return
        if step_slug == "souscripteur" and role != "beneficiary":
            continue
        response = client.post(f"/inscription/{step_slug}", data=data)
        assert response.status_code == 303, response.get_data(as_text=True)[:3000]


@pytest.fixture
def journey_answers(database):
    return lambda: database(lambda session: session.query(Journey).one().answers)


PASSWORD = "Tournesol-Bleu-2026!"


def newest_message(app, recipient: str, channel: str = "email"):
    from wizard.messaging.models import OutboxMessage
    with app.app_context():
        message = db.session.query(OutboxMessage).filter_by(recipient=recipient, channel=channel) \
            .order_by(OutboxMessage.id.desc()).first()
        db.session.expunge_all()
        return message


def code_in(message) -> str:
    return re.search(r"\b(\d{6})\b", message.body_text).group(1)


def sign_up_and_activate(client, email: str = "jean.martin@exemple.fr", role: str = "subscriber"):
    """A person who has gone through the steps and typed the code from the activation email."""
    walk_to(client, "identifiants", role=role)
    response = client.post("/inscription/identifiants", data={
        "email": email, "email_confirmation": email, "password": PASSWORD, "password_confirmation": PASSWORD})
    assert response.headers["Location"] == "/inscription/verifiez-vos-emails"
    code = code_in(newest_message(client.application, email))
    response = client.post("/inscription/verifiez-vos-emails", data={"code": code})
    assert response.headers["Location"] == "/inscription/compte-active", response.get_data(as_text=True)[:500]


def confirm_phone(client, email: str = "jean.martin@exemple.fr", role: str = "beneficiary"):
    """An activated account whose phone is confirmed: ready for the eligibility check."""
    sign_up_and_activate(client, email, role=role)
    client.post("/inscription/telephone", data={"phone": "06 12 34 56 78", "channel": "sms"})
    code = newest_message(client.application, "+33612345678", "sms").body_text[:6]
    response = client.post("/inscription/telephone/code", data={"code": code})
    assert response.headers["Location"] == "/inscription/telephone/confirme"
