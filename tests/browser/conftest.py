"""The browser suite: the app served for real (CSRF on, a SQLite file), Debian's Chromium
driven by Playwright, axe-core and the Nu HTML Checker from node_modules. Nothing is
downloaded: see shared/testing-in-a-browser.md.

Without Chromium (or Java, for the Nu checker) these tests skip on a laptop and fail in
CI, like the other services (tests/conftest.py::unavailable).
"""
import shutil
import threading
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest

pytest.register_assert_rewrite("tests.browser.screen_reader")  # its asserts say what they found

from conftest import (  # noqa: E402
    reconfigure,
    unavailable,  # tests/conftest.py, as the other test modules import it
)
from werkzeug.serving import WSGIRequestHandler, make_server  # noqa: E402

from app import create_app  # noqa: E402
from tests.browser import support  # noqa: E402
from wizard.core import clock  # noqa: E402
from wizard.extensions import db  # noqa: E402

CHROMIUM, CHROMIUM_ARGS = support.CHROMIUM, support.CHROMIUM_ARGS  # support's: ./dev screenshots uses them too
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(item.path).resolve().parents and "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
    _walk_once(items)


def _walk_once(items):
    """The checks made on every screen of a walk (axe, reflow: parametrized by mode, walker
    and screen) run together, screen by screen, so that each walk is made once: the tests
    of one walk and one screen follow each other. Other tests keep their places."""
    def walk_params(item):
        params = getattr(getattr(item, "callspec", None), "params", {})
        return params if {"mode", "walker", "screen"} <= params.keys() else None

    slots = [index for index, item in enumerate(items) if walk_params(item)]
    order = {item.path: rank for rank, item in reversed(list(enumerate(items)))}

    def key(item):
        params = walk_params(item)
        mode, walker = params["mode"], params["walker"]
        return (walker.__name__, mode.lang, not mode.js, list(walker.MOVES).index(params["screen"]),
                order[item.path])

    for index, item in zip(slots, sorted((items[i] for i in slots), key=key), strict=True):
        items[index] = item


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright launches Debian's Chromium (never `playwright install`)."""
    if not shutil.which(CHROMIUM):
        unavailable(f"{CHROMIUM} not found: apt-get install -y --no-install-recommends chromium")
    if not support.AXE_JS.is_file():
        unavailable(f"{support.AXE_JS} not found: npm ci")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # bypass_csp: axe is injected by page.evaluate, which the CSP does not cover anyway;
    # this keeps any helper script a test adds working under script-src 'self'.
    return {**browser_context_args, "bypass_csp": True, "locale": "fr-FR"}


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """The app as deployed: CSRF on, a database file shared by the server's threads.

    Every request of the suite comes from 127.0.0.1, so the configurable per-address
    limits are raised. (Not RATELIMIT_ENABLED=False: it would stick to the shared
    `limiter` and disable it for every app created after this one.) Some limits are not
    configurable: behind a proxy, as deployed, the walks each come from an address of their
    own (support.new_address), like the people they stand for.
    """
    path = tmp_path_factory.mktemp("browser") / "browser.sqlite3"
    app = create_app("test", WTF_CSRF_ENABLED=True, SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}",
                     PROXY_FIX_X_FOR=1)
    for key, value in list(app.config.items()):
        if key.startswith("RATELIMIT_") and isinstance(value, str) and " per " in value:
            app.config[key] = "10000 per minute"
    with app.app_context():
        db.create_all()
    return app


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


@pytest.fixture(scope="session")
def base_url(live_app):
    """The live server on a free loopback port; page.goto("/") works."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    # The links the app writes (emails, SMS, QR codes) point at this server, so that what
    # a phone decodes from a QR code opens here.
    reconfigure(live_app, PUBLIC_BASE_URL=url)
    yield url
    server.shutdown()
    thread.join(5)


@pytest.fixture(scope="session")
def walkers(browser, browser_context_args, live_app):
    """walkers(mode) -> the Walker of that mode, shared by the tests of the session;
    walkers(mode, support.KioskWalker) the same through the kiosk's pages."""
    pool = {}

    def get(mode, walker=support.Walker):
        mode = support.Mode(mode.lang, mode.js)  # the reflow test narrows the window itself
        if (walker, mode) not in pool:
            # The walks come one after the other (_walk_once): one that is over is closed, or
            # its page would go on polling and counting down for the rest of the run.
            for done in pool.values():
                done.close()
            pool.clear()
            pool[walker, mode] = walker(browser, browser_context_args, live_app, mode)
        return pool[walker, mode]

    yield get
    for walker in pool.values():
        walker.close()


@pytest.fixture
def walk_settings(request, live_app):
    """The settings the walker of a walk's test needs (Walker.settings), for that test only:
    FranceConnect's for its walk, none for the others."""
    settings = request.node.callspec.params["walker"].settings(request)
    reconfigure(live_app, **settings)
    yield
    reconfigure(live_app, **dict.fromkeys(settings))


class Clocks:
    """Time moved instead of waited for: the page's timers (Playwright's fake clock) and the
    live server's (wizard.core.clock.now: the server runs in this process), together."""

    def __init__(self, monkeypatch):
        self.ahead = timedelta()
        real = clock.now
        monkeypatch.setattr(clock, "now", lambda: real() + self.ahead)

    @staticmethod
    def install(page):
        """Before the page opens anything: its time flows as usual until `pause`."""
        page.clock.install()

    def pause(self, page):
        """Stops time on the page (a second later, on the server too): nothing happens by
        itself any more, until `run_for`."""
        self.ahead += timedelta(seconds=1)
        page.clock.pause_at(page.evaluate("Date.now()") / 1000 + 1)

    @contextmanager
    def flowing(self, page):
        """Time flows as usual for a while (axe-core waits on timers of its own)."""
        page.clock.resume()
        yield
        self.pause(page)

    def run_for(self, page, seconds):
        """`seconds` later: on the server first (the page's timers ask it), then on the page
        (and the other pages of its context), firing every timer due on the way."""
        self.ahead += timedelta(seconds=seconds)
        page.clock.run_for(int(seconds * 1000))


@pytest.fixture
def clocks(monkeypatch):
    return Clocks(monkeypatch)


@pytest.fixture
def open_page(new_context):
    """open_page(js=True, **context_args) -> a new page in a new context, closed after the test."""
    def open_(js=True, **kwargs):
        context = new_context(**kwargs)
        context.set_default_timeout(support.ACTION_TIMEOUT_MS)
        if not js:
            context.route(support.APP_SCRIPTS, lambda route: route.abort())
        return context.new_page()
    return open_


def pytest_terminal_summary(terminalreporter, config):
    lines = support.REPORT.lines()
    if not lines:
        return
    reports = Path(config.rootpath) / "reports"
    reports.mkdir(exist_ok=True)
    (reports / "browser.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    terminalreporter.section("browser checks (reports/browser.txt)")
    for line in lines:
        terminalreporter.write_line(line)
