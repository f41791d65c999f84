"""The three example operators of operators/ (a mutuelle, an ameli-like and a Mon espace
santé-like deployment), each deployed by its settings file and brand folder alone and walked
in French and in English, one with JavaScript and one without (WALKS), from the landing page to the
insurer's "eligible", with axe on the screens an operator changes: the landing page (its
brand), the identity step with every "Où trouver ?" open, the summary and the outcome.

The walk is the shared Walker's (tests/browser/support.py), with the operator's person and
identifiers typed, as the subscriber (the shortest way), and the activation code typed in
the same tab. Each operator runs on its own live server and database, like a deployment.
"""
import threading

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import _QuietHandler
from tests.browser.support import (
    EN_JS,
    EN_NO_JS,
    FR_JS,
    FR_NO_JS,
    ROOT,
    Walker,
    activation_code,
    arrive,
    axe_violations,
    button,
    fill,
    national,
)
from tests.conftest import reconfigure
from wizard import create_app
from wizard.config import settings_from_file
from wizard.extensions import db

PERSON = {"last_name": "Martin", "first_name": "Camille", "birth_date-day": "14", "birth_date-month": "1",
          "birth_date-year": "1990"}
# What each operator's person types: the names and birth date, then its identifiers as on
# the card (separators included: they are forgiven).
OPERATORS = {
    "mutuelle": {**PERSON, "identifier": "4050 6070", "contract_number": "MT-2024-000123"},
    "ameli-like": {**PERSON, "identifier": "2 90 01 75 056 123 20", "postal_code": "75011"},
    "mes-like": {"last_name": "Rousseau", "first_name": "Paul", "birth_date-day": "22", "birth_date-month": "3",
                 "birth_date-year": "1985", "identifier": "1 85 03 69 123 045 32", "vitale": "0102457612 4"},
}
AXE_ON = ("landing", "identity", "summary", "eligible")


@pytest.fixture(scope="module")
def operator_servers(tmp_path_factory):
    """operator name -> (its app, its URL), started on first use, as deployed (CSRF on)."""
    from werkzeug.serving import make_server
    started = {}

    def get(name):
        if name not in started:
            path = tmp_path_factory.mktemp(name) / "operator.sqlite3"
            app = create_app("test", **settings_from_file(ROOT / "operators" / name / "settings.env"),
                             WTF_CSRF_ENABLED=True, SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}", PROXY_FIX_X_FOR=1)
            for key, value in list(app.config.items()):
                if key.startswith("RATELIMIT_") and isinstance(value, str) and " per " in value:
                    app.config[key] = "10000 per minute"
            with app.app_context():
                db.create_all()
            server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            url = f"http://127.0.0.1:{server.server_port}"
            reconfigure(app, PUBLIC_BASE_URL=url)
            started[name] = (app, url, server)
        return started[name][:2]

    yield get
    for _app, _url, server in started.values():
        server.shutdown()


class OperatorWalker(Walker):
    """The shared walk, as an operator's subscriber, to the insurer's answer."""

    def __init__(self, browser, context_args, app, mode, typed: dict):
        super().__init__(browser, context_args, app, mode)
        self.typed = typed

    def _role(self):
        fill(self.page, self.typed)
        button(self.page, self.mode.lang, "continue").click()
        arrive(self.page, self.mode, "role", swapped=self.mode.js)

    def _summary(self):
        self.page.locator("#role-0").check()  # the subscriber
        button(self.page, self.mode.lang, "continue").click()
        arrive(self.page, self.mode, "summary", swapped=self.mode.js)

    def _activated(self):
        self.page.locator("#code").fill(activation_code(self.app, self.email))
        button(self.page, self.mode.lang, "activate").click()
        arrive(self.page, self.mode, "activated")

    def _phone_code(self):
        self.page.locator("#phone").fill(national(self.phone))
        self._press("send-code", "phone-code", swapped=self.mode.js)

    def _eligible(self):
        self._press("check-eligibility", "eligible")
        expect(self.page.locator("#eligibility-status .panel--success")).to_be_visible()


OperatorWalker.MOVES = {
    "landing": Walker._landing, "captcha": Walker._captcha, "identity": Walker._identity,
    "role": OperatorWalker._role, "summary": OperatorWalker._summary, "credentials": Walker._credentials,
    "check-email": Walker._check_email, "activated": OperatorWalker._activated, "phone": Walker._phone,
    "phone-code": OperatorWalker._phone_code, "phone-confirmed": Walker._phone_confirmed,
    "eligibility": Walker._eligibility, "eligible": OperatorWalker._eligible,
}


def open_every_help(page):
    for summary in page.locator("details.where-to-find > summary").all():
        summary.click()
    for picture in page.locator("details.where-to-find svg[role=img]").all():
        expect(picture).to_be_visible()


# Each operator in both languages and both ways (JavaScript on, off), the pairs covering
# every mode: the default deployment's screens are checked in every mode on every
# screen (test_every_screen.py); what an operator changes is its texts, brand and fields.
WALKS = [("mutuelle", FR_JS), ("mutuelle", EN_NO_JS), ("ameli-like", FR_NO_JS), ("ameli-like", EN_JS),
         ("mes-like", FR_JS), ("mes-like", EN_NO_JS)]


@pytest.mark.parametrize(("operator", "mode"), WALKS, ids=[f"{operator}-{mode.id}" for operator, mode in WALKS])
def test_each_operator_is_walked_to_eligible(browser, browser_context_args, operator_servers, operator, mode):
    app, url = operator_servers(operator)
    walker = OperatorWalker(browser, {**browser_context_args, "base_url": url}, app, mode, OPERATORS[operator])
    violations = {}
    try:
        for name in OperatorWalker.MOVES:
            page = walker.at(name)
            if name == "landing":  # the operator's name and logo, in its colours
                expect(page.locator("header")).to_contain_text(app.config["SERVICE_NAME"])
                expect(page.locator("header img.brand-logo")).to_have_attribute("alt", app.config["INSURER_NAME"])
            if name == "identity":
                expect(page.locator("details.where-to-find")).to_have_count(2)
                open_every_help(page)
            if name == "summary":  # each identifier asked, as kept
                expect(page.locator(".summary-list dt")).to_have_count(6)
            if name in AXE_ON:
                violations[name] = [violation["id"] for violation in axe_violations(page)]
    finally:
        walker.close()
    assert violations == dict.fromkeys(AXE_ON, [])
