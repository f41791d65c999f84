"""Fixtures shared by every test. Browser fixtures live in tests/browser/conftest.py."""
import os
import re
import sqlite3
from contextlib import contextmanager
from pathlib import Path

import flask
import jinja2
import pytest
import sqlalchemy
from bs4 import BeautifulSoup
from flask_babel import get_locale
from sqlalchemy.pool import StaticPool
from werkzeug.datastructures import MultiDict
from werkzeug.routing import Rule

from app import create_app
from bench.journey import IDENTITY, SUBSCRIBER  # noqa: F401 (the demo's beneficiary, as typed; for tests)
from wizard import settings
from wizard.accounts import activity
from wizard.accounts import service as accounts
from wizard.accounts.models import Account
from wizard.codes import delivery as code_delivery
from wizard.core import clock
from wizard.extensions import db, limiter
from wizard.pages import readiness
from wizard.signup import steps
from wizard.signup.models import Journey
from wizard.web import account_session, spoken_code
from wizard.web.journey_state import WizardState

IN_CI = os.environ.get("CI", "").lower() == "true"
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")

def _worker_redis_url(url: str) -> str:
    """Under pytest-xdist, each worker has a Redis database of its own (15, 14, ...): the
    tests that use Redis empty theirs."""
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    base, number = url.rsplit("/", 1)
    return f"{base}/{(int(number) - worker) % 16}"


REDIS_URL = _worker_redis_url(os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))
SERVICES = Path(__file__).resolve().parent / "services"


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups (`./dev test`: --dist loadgroup)
def pytest_collection_modifyitems(items):
    """The services' tests that use the database run on PostgreSQL (see the `app` fixture).
    A file's tests stay in one process (its browser, live server and databases made once);
    the checks made on every screen of a walk (several files) stay in the process that makes
    that walk, so each walk is made once (tests/browser/conftest.py orders them)."""
    for item in items:
        if SERVICES in Path(item.path).resolve().parents and {"app", "new_app"} & set(item.fixturenames):
            item.add_marker(pytest.mark.postgres)
        item.add_marker(pytest.mark.xdist_group(_process_group(item)))


def _process_group(item) -> str:
    params = getattr(getattr(item, "callspec", None), "params", {})
    if {"mode", "walker", "screen"} <= params.keys():  # one walk: a walker, a language, JavaScript or not
        mode = params["mode"]
        return f"walk-{params['walker'].__name__}-{mode.lang}-{'js' if mode.js else 'no-js'}"
    return item.nodeid.partition("::")[0]


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


def _postgres_database(name: str, create: bool) -> str:
    """Creates (or drops) the database `name` on the server of POSTGRES_URL; its URL."""
    import psycopg
    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        if create:
            connection.execute(f"CREATE DATABASE {name}")
    return POSTGRES_URL.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="session")
def postgres_server():
    if not postgres_reachable():
        unavailable(f"PostgreSQL not reachable at {POSTGRES_URL}")


@pytest.fixture(scope="session")
def postgres_url(postgres_server):
    """A database of this test process's own (each xdist worker has one: its pid is in the
    name), so that concurrent runs never meet. Its tables are made once; each test empties them."""
    name = f"sesame_test_{os.getpid()}"
    url = _postgres_database(name, create=True)
    app = create_app("test", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        create_schema(app)
        db.engine.dispose()
    yield url
    _postgres_database(name, create=False)


@pytest.fixture
def empty_postgres_url(postgres_server):
    """A database without a table, for the migrations; dropped after the test."""
    name = f"sesame_test_{os.getpid()}_empty"
    yield _postgres_database(name, create=True)
    _postgres_database(name, create=False)


def on_postgres(request) -> bool:
    """A test marked `postgres` (services, migrations, races) runs on PostgreSQL."""
    return request.node.get_closest_marker("postgres") is not None


class _CompiledTemplates(jinja2.BytecodeCache):
    """Each test builds an app, and each app's Jinja compiled every template it rendered
    again: a third of the time of a view test. The compiled code is kept for the whole run
    instead, keyed by the template and checked against its source (a change recompiles)."""

    def __init__(self):
        self.code = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket):
        self.code[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = _CompiledTemplates()


def _builders_compiled_once():
    """Each test builds an app, and Werkzeug compiles each of its hundred routes' URL
    builders from an AST (25 ms an app, most of what an app costs to build). A builder
    depends only on its rule (the converters are reached through the rule it is bound to):
    the suite compiles each once."""
    compile_builder, compiled = Rule._compile_builder, {}

    def once(rule, append_unknown=True):
        key = (rule.rule, tuple(rule._trace), repr(sorted((rule.defaults or {}).items())), append_unknown)
        if key not in compiled:
            compiled[key] = compile_builder(rule, append_unknown)
        return compiled[key]

    Rule._compile_builder = once


_builders_compiled_once()


def build_app(**config):
    """create_app("test", ...) with the templates compiled once for the whole run."""
    app = create_app("test", **config)
    app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    return app


def create_schema(app) -> None:
    """The tables, from the models, and the newest migration's stamp, as `flask db upgrade`
    leaves a database (GET /readyz reads it). An in-memory SQLite database (a view test's) is
    copied from one made so once per process, which costs a tenth of making it."""
    if db.engine.url.get_backend_name() == "sqlite" and db.engine.url.database in (None, "", ":memory:"):
        with db.engine.connect() as connection:
            _sqlite_schema(app).backup(connection.connection.driver_connection)
        return
    _create_schema(db.engine, app)


def _create_schema(engine, app) -> None:
    db.metadata.create_all(engine)
    head = readiness.expected_schema(os.path.join(app.root_path, "migrations"))
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE IF NOT EXISTS alembic_version (version_num VARCHAR(32) NOT NULL)")
        connection.exec_driver_sql("DELETE FROM alembic_version")
        connection.exec_driver_sql(f"INSERT INTO alembic_version VALUES ('{head}')")


_SQLITE_SCHEMA = []


def _sqlite_schema(app) -> sqlite3.Connection:
    if not _SQLITE_SCHEMA:
        made = sqlite3.connect(":memory:", check_same_thread=False)
        _create_schema(sqlalchemy.create_engine("sqlite://", creator=lambda: made, poolclass=StaticPool), app)
        _SQLITE_SCHEMA.append(made)
    return _SQLITE_SCHEMA[0]


def empty_tables(app) -> None:
    """Every row deleted and every sequence restarted: as new, without the cost of DDL."""
    with app.app_context(), db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())
        if connection.dialect.name == "postgresql":
            for sequence in connection.exec_driver_sql(
                    "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()").scalars():
                connection.exec_driver_sql(f'ALTER SEQUENCE "{sequence}" RESTART')


@pytest.fixture
def new_app(request):
    """new_app(**config) -> an app on this test's database (see `app`), its tables empty."""
    apps = []

    def make(**config):
        postgres = on_postgres(request) and "SQLALCHEMY_DATABASE_URI" not in config
        if postgres:
            config["SQLALCHEMY_DATABASE_URI"] = request.getfixturevalue("postgres_url")
        app = build_app(**config)
        limiter.reset()  # in-memory limits are kept by the shared extension object
        if postgres:
            empty_tables(app)
        else:
            with app.app_context():
                create_schema(app)
        apps.append(app)
        return app

    yield make
    for app in apps:
        with app.app_context():
            db.session.remove()
            for engine in db.engines.values():
                engine.dispose()


@pytest.fixture
def app(new_app):
    """The app on in-memory SQLite, or on the real PostgreSQL for a test marked `postgres`.

    Views run on SQLite; what depends on the database itself (services, migrations, and
    every race between two requests or two workers) on PostgreSQL, as in production."""
    # No app context stays pushed during the test: each request must get its own, as in
    # production (a shared one would share `g`, the database session and the locale).
    return new_app()


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


PASSWORD = "Tournesol-Bleu-2026!"
PHONE = "+33612345678"


def current_captcha_code(client) -> str:
    """The spoken code this client's browser is shown: derived from its session cookie's token."""
    app = client.application
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    code = spoken_code.code_in(app.session_interface.get_signing_serializer(app).loads(cookie.value),
                               app.config["SECRET_KEY"])
    assert code, "no spoken code in this browser's cookie"
    return code


def pass_captcha(client):
    client.get("/inscription/verification")
    response = client.post("/inscription/verification", data={"code": current_captcha_code(client)})
    assert response.headers["Location"] == "/inscription/identite"


def typed_answers(role: str) -> dict:
    """What the person types at each step (by step name), as the forms receive it."""
    return {"identity": IDENTITY, "role": {"role": role}, "subscriber": SUBSCRIBER, "summary": {"accept_terms": "y"}}


def walk_to(client, slug: str, role: str = "beneficiary"):
    """Answers every step before `slug` as a person would: the CAPTCHA and each step over
    HTTP. Slow; tests/views/test_journey.py walks once this way, the others use at_step."""
    typed = typed_answers(role)
    pass_captcha(client)
    for step in steps.STEPS[1:]:
        if step.slug == slug or step.name not in typed:
            return
        if step.name == "subscriber" and role != "beneficiary":
            continue
        response = client.post(f"/inscription/{step.slug}", data=typed[step.name])
        assert response.status_code == 303, response.get_data(as_text=True)[:3000]


@contextmanager
def in_browser(client):
    """Runs code as in a request of this client's browser, without HTTP: the code reads and
    writes its session cookie (flask.session) and the database, both kept at the end."""
    app = client.application
    with client.session_transaction() as cookie, app.test_request_context():
        flask.session.update(cookie)
        yield
        db.session.commit()
        cookie.clear()
        cookie.update(flask.session)


def at_step(client, slug: str, role: str = "beneficiary"):
    """The journey of this client's browser answered up to the step `slug` (as walk_to
    leaves it), written directly: the journeys row (keyed by the SHA-256 of the cookie's
    token) gets the answers the step forms make of `typed_answers`, the cookie the token."""
    typed = typed_answers(role)
    with in_browser(client):
        state = WizardState.load()
        while (step := steps.current_step(state.answers)) is not None and step.slug != slug:
            if step.name == "captcha":
                state.save(step, {"passed_at": clock.now().isoformat(timespec="seconds")})
                continue
            assert step.name in typed, f"{slug} comes after {step.slug}: nothing typed for it"
            form = step.form(formdata=MultiDict(typed[step.name]))
            assert form.validate(), form.errors
            state.save(step, form.answers())


@pytest.fixture
def journey_answers(database):
    return lambda: database(lambda session: session.query(Journey).one().answers)


def newest_message(app, recipient: str, channel: str = "email"):
    from wizard.messaging.models import OutboxMessage
    with app.app_context():
        message = db.session.query(OutboxMessage).filter_by(recipient=recipient, channel=channel) \
            .order_by(OutboxMessage.id.desc()).first()
        db.session.expunge_all()
        return message


def code_in(message) -> str:
    return first_code(message.body_text)


def first_code(text: str) -> str:
    return re.search(r"(?<![\w./-])(\d{6})(?![\w/-]|\.\w)", text).group(1)  # never six digits of a link


def _newest_text(recipient: str, channel: str) -> str:
    from wizard.messaging.models import OutboxMessage
    return db.session.query(OutboxMessage).filter_by(recipient=recipient, channel=channel) \
        .order_by(OutboxMessage.id.desc()).first().body_text


def activated_account(client, email: str = "jean.martin@exemple.fr", role: str = "subscriber") -> str:
    """A person who has gone through the steps, given this address and PASSWORD, and typed
    the code of the activation email: this browser is signed in to go on with the signup.
    Made through the services (as the credentials and activation views call them), not
    over HTTP. Returns the account's id."""
    at_step(client, "identifiants", role=role)
    with in_browser(client):
        state = WizardState.load()
        signup = accounts.Signup(
            email=accounts.normalise_email(email), password=PASSWORD, language=get_locale().language,
            answers=state.answers, marketing=dict.fromkeys(accounts.MARKETING_PURPOSES, False),
            marketing_version=flask.current_app.config["MARKETING_CONSENT_VERSION"])
        account = accounts.register(db.session, signup, settings.password_hashing(), settings.activation(),
                                    clock.now())
        state.save(steps.BY_NAME["credentials"], {"account_id": account.id})
        db.session.flush()
        code = first_code(_newest_text(account.email, "email"))
        outcome = accounts.activate_with_code(db.session, account, code, settings.activation(), clock.now())
        assert outcome == accounts.ACTIVATED, outcome
        account_session.begin_after_activation(account.id)
        return account.id


def confirmed_phone(client, email: str = "jean.martin@exemple.fr", role: str = "beneficiary") -> str:
    """An activated account whose phone (PHONE, by SMS) is proven with the code of its SMS:
    ready for the eligibility check. Through the services, as wizard/phone/views.py calls
    them (the proven number is recorded for "Mon compte"), like activated_account."""
    account_id = activated_account(client, email, role=role)
    with in_browser(client):
        account = db.session.get(Account, account_id)
        code_delivery.choose_phone(account, PHONE, "sms")
        code_settings = settings.codes(code_delivery.PHONE)
        code_delivery.send(db.session, account, code_delivery.PHONE, code_settings, clock.now())
        db.session.flush()
        code = _newest_text(PHONE, "sms")[:6]
        result = code_delivery.confirm(db.session, account, code_delivery.PHONE, code, code_settings, clock.now())
        assert result.outcome == "ok", result
        activity.record(db.session, account.id, activity.PHONE_CHANGED, account_session.device(), clock.now())
    return account_id


@pytest.fixture(scope="session")
def franceconnect_provider():
    """The test OpenID Provider (tests/franceconnect/provider.mjs), once per run; each user of
    it sets its scenario (provider.scenario(user=..., ...))."""
    from tests.franceconnect.support import Provider
    try:
        provider = Provider()
    except FileNotFoundError as missing:
        unavailable(str(missing))
    yield provider
    provider.stop()


@pytest.fixture
def provider(franceconnect_provider):
    """The provider with its scenario reset, and the client's caches emptied."""
    from wizard.franceconnect import client
    franceconnect_provider.scenario()
    client.forget_cache()
    return franceconnect_provider
