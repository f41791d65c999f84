"""Journeys that span devices and days, in Chromium: the signup starts in one browser
context, the activation (link or code) happens in a second, both are closed, and a third
signs in two days later (the live server's clock moved) and finishes the signup to "Mon
compte"; an eligibility check closed mid-way is taken up from the outcome email's link.
With the app's JavaScript and without, in French and in English (one mode per journey, so
that each mode is met without walking every journey four times). The new screens on the
way are checked by axe-core.

The steps before the email are walked over HTTP (support.signed_up: they are the walk's,
checked elsewhere); the first context takes over that session, as the person's browser."""
import re
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.support import (
    EN_JS,
    EN_NO_JS,
    FR_JS,
    FR_NO_JS,
    PASSWORD,
    REPORT,
    SUBSCRIBER,
    SUBSCRIBER_AS_TYPED,
    account_id,
    activation_code,
    activation_link,
    arrive,
    axe_violations,
    button,
    carry_session,
    national,
    new_address,
    new_context,
    new_email,
    new_phone,
    newest_mail,
    phone_confirmed,
    signed_up,
    sms_code,
)
from wizard.core import clock
from wizard.database import unit_of_work
from wizard.eligibility import checks
from wizard.eligibility.models import EligibilityCheck
from wizard.extensions import db
from wizard.jobs import job_context

HEADINGS = {  # the screens of this journey that the shared walk does not name
    "code-elsewhere": ("Activer votre compte avec le code reçu", "Activate your account with the code you received"),
    "sign-in": ("Se connecter", "Sign in"),
    "channel": ("Sécurisez votre connexion", "Secure your sign-in"),
    "code": ("Saisissez votre code de sécurité", "Enter your security code"),
    "account": ("Mon compte", "My account"),
    "which-address": ("Quelle adresse e-mail ai-je utilisée ?", "Which email address did I use?"),
}
DONE = {"fr": ("Vos informations enregistrées", "Adresse e-mail confirmée", "Réception des codes confirmée"),
        "en": ("Your details saved", "Email address confirmed", "Receiving codes confirmed")}


class Person:
    """One person's contexts (each a browser of theirs: a computer, a phone...)."""

    def __init__(self, browser, context_args, app, mode):
        self.app, self.mode = app, mode
        # The browser's own language: no switch pressed on a new device.
        self.context_args = {**context_args, "locale": "fr-FR" if mode.lang == "fr" else "en-GB"}
        self._browser, self.contexts = browser, []
        self.email, self.phone = new_email("resume"), new_phone()
        self.violations = {}

    def browser(self):
        """A new context of this mode, from an address of its own (as behind the proxy)."""
        context = new_context(self._browser, self.context_args, self.mode.js,
                              extra_http_headers={"X-Forwarded-For": new_address()})
        self.contexts.append(context)
        return context.new_page()

    def takes_over(self, visitor, base_url, url):
        """A new context with the session of the signup made over HTTP, on `url`."""
        page = self.browser()
        carry_session(visitor, page.context, base_url)
        page.goto(url)
        return page

    def shows(self, page, name, check=False):
        if name in HEADINGS:
            expect(page.locator("h1")).to_have_text(HEADINGS[name][0 if self.mode.lang == "fr" else 1])
            page.wait_for_load_state()
        else:
            arrive(page, self.mode, name)
        if check:  # a screen this journey brings: axe-core on it
            found = axe_violations(page)
            REPORT.axe[f"{self.mode.id}/resume:{name}"] = [v["id"] for v in found]
            if found:
                self.violations[name] = found

    def submit(self, page, action):
        page.locator(f"#wizard-step form[action='{action}'] button[type=submit]").first.click()


@pytest.fixture
def person(browser, browser_context_args, live_app, mode):
    someone = Person(browser, browser_context_args, live_app, mode)
    yield someone
    for context in someone.contexts:
        context.close()


def days_later(clocks, days):
    """The live server's clock moves on (the contexts are closed: no page timer to move)."""
    clocks.ahead += timedelta(days=days)


def sign_in_and_finish(person, page):
    """From the sign-in page of a new browser, to "Mon compte": the phone, then the check."""
    lang = person.mode.lang
    person.shows(page, "sign-in")
    page.locator("#email").fill(person.email)
    page.locator("#password").fill(PASSWORD)
    person.submit(page, "/connexion")
    person.shows(page, "code")  # before a phone is proven: a code to the proven address
    page.locator("#code").fill(re.search(r"^(\d{6})$", newest_mail(person.app, person.email), re.M).group(1))
    person.submit(page, "/connexion/code")
    person.shows(page, "phone", check=True)
    done = page.locator(".done-list li")
    expect(done).to_have_count(2)
    expect(done.first).to_have_text(DONE[lang][0])
    expect(done.nth(1)).to_contain_text(DONE[lang][1])
    page.locator("#phone").fill(national(person.phone))
    person.submit(page, "/inscription/telephone")
    person.shows(page, "phone-code")
    page.locator("#code").fill(sms_code(person.app, person.phone))
    person.submit(page, "/inscription/telephone/code")
    person.shows(page, "phone-confirmed")
    page.locator("#wizard-step a.button[href='/inscription/eligibilite']").click()
    person.shows(page, "eligibility", check=True)
    expect(page.locator(".done-list li")).to_have_count(3)
    button(page, lang, "check-eligibility").click()
    person.shows(page, "eligible")
    expect(page.locator("#eligibility-status .panel--success")).to_be_visible()
    page.locator("#eligibility-status a.button[href='/connexion']").click()
    person.shows(page, "account")  # no second sign-in: this browser signed in a moment ago


@pytest.mark.parametrize("mode", [FR_JS, EN_NO_JS], ids=lambda mode: mode.id)
def test_signed_up_here_activated_there_finished_elsewhere_two_days_later(person, live_app, base_url, clocks,
                                                                         mode):
    visitor = signed_up(live_app, person.email)
    computer = person.takes_over(visitor, base_url, "/inscription/verifiez-vos-emails")
    person.shows(computer, "check-email")
    expect(computer.locator(".timeout-limit")).to_be_visible()  # the limit, stated

    phone = person.browser()
    phone.goto(activation_link(live_app, person.email))
    person.shows(phone, "activation-link")
    button(phone, mode.lang, "activate").click()
    person.shows(phone, "activated")
    if mode.js:  # the signup session's warning came with the whole page
        expect(phone.locator("dialog#session-timeout")).to_have_attribute("data-expired-url", "/connexion")
    computer.context.close()
    phone.context.close()

    days_later(clocks, 2)
    tablet = person.browser()
    tablet.goto("/connexion")
    sign_in_and_finish(person, tablet)
    assert person.violations == {}


@pytest.mark.parametrize("mode", [FR_NO_JS], ids=lambda mode: mode.id)
def test_the_code_typed_in_another_browser_then_finished_later(person, live_app, base_url, clocks, mode):
    visitor = signed_up(live_app, person.email)
    computer = person.takes_over(visitor, base_url, "/inscription/verifiez-vos-emails")
    person.shows(computer, "check-email")

    phone = person.browser()
    phone.goto("/inscription/verifiez-vos-emails")  # as the email says, on another device
    person.shows(phone, "code-elsewhere", check=True)
    phone.locator("#email").fill(person.email)
    phone.locator("#code").fill("000000" if activation_code(live_app, person.email) != "000000" else "111111")
    person.submit(phone, "/inscription/verifiez-vos-emails")
    expect(phone.locator("#error-summary li")).to_have_count(1)
    person.shows(phone, "code-elsewhere", check=True)
    phone.locator("#code").fill(activation_code(live_app, person.email))
    person.submit(phone, "/inscription/verifiez-vos-emails")
    person.shows(phone, "activated")
    computer.context.close()
    phone.context.close()

    days_later(clocks, 2)
    tablet = person.browser()
    tablet.goto("/")
    tablet.goto("/connexion")
    tablet.locator("a[href='/connexion/quelle-adresse']").click()
    person.shows(tablet, "which-address", check=True)
    tablet.goto("/connexion")
    sign_in_and_finish(person, tablet)
    assert person.violations == {}


@pytest.mark.parametrize("mode", [EN_JS], ids=lambda mode: mode.id)
def test_an_eligibility_check_closed_mid_way_is_taken_up_from_the_outcome_email(person, live_app, base_url,
                                                                               clocks, mode):
    """The subscriber's year of birth typed wrong: the insurer finds no contract, once the
    page is closed; the email's link leads back, from another browser, to correct it."""
    visitor = phone_confirmed(live_app, person.email, person.phone, subscriber=SUBSCRIBER_AS_TYPED)
    now, check_id = clock.now(), uuid.uuid4().hex
    with live_app.app_context():  # the check a worker has not reached yet
        db.session.add(EligibilityCheck(id=check_id, account_id=account_id(live_app, person.email), status="queued",
                                        stage=0, unreachable=0, runs=0, created_at=now, updated_at=now))
        db.session.commit()
    computer = person.takes_over(visitor, base_url, "/inscription/verification-en-cours")
    person.shows(computer, "eligible")  # the waiting screen: its heading says "checking"
    expect(computer.locator("#eligibility-status .stages")).to_be_visible()
    computer.context.close()  # closed mid-way

    with job_context(live_app), unit_of_work():
        assert checks.check_eligibility(check_id) == "mismatch"
    link = re.search(r"https?://[^/\s]+(/\S*)\n", newest_mail(live_app, person.email)).group(1)
    assert link == "/connexion"

    days_later(clocks, 1)
    phone = person.browser()
    phone.goto(link)
    person.shows(phone, "sign-in")
    phone.locator("#email").fill(person.email)
    phone.locator("#password").fill(PASSWORD)
    person.submit(phone, "/connexion")
    person.shows(phone, "channel")
    person.submit(phone, "/connexion/verification")
    person.shows(phone, "code")
    phone.locator("#code").fill(sms_code(live_app, person.phone))
    person.submit(phone, "/connexion/code")
    person.shows(phone, "eligibility-retry", check=True)
    phone.locator("#wizard-step a[href='/inscription/eligibilite/corriger']").click()
    person.shows(phone, "correction")
    phone.locator("#subscriber_birth_date-year").fill(SUBSCRIBER["subscriber_birth_date-year"])
    button(phone, mode.lang, "save-correction").click()  # the corrected answers are checked at once
    person.shows(phone, "eligible")
    phone.locator("#eligibility-status a.button[href='/connexion']").click()
    person.shows(phone, "account")
    assert person.violations == {}


@pytest.mark.parametrize("mode", [FR_JS], ids=lambda mode: mode.id)
def test_the_signup_pages_warn_before_the_session_ends_and_continuer_keeps_it(person, live_app, clocks, mode):
    signed_up(live_app, person.email)
    page = person.browser()
    clocks.install(page)
    page.goto(activation_link(live_app, person.email))
    button(page, mode.lang, "activate").click()
    person.shows(page, "activated")
    clocks.pause(page)
    dialog = page.get_by_role("dialog", name="Vous allez être déconnecté")
    clocks.run_for(page, 1800 - 120)  # JOURNEY_IDLE_MINUTES, less the warning's 2 minutes
    expect(dialog).to_be_visible()
    expect(page.get_by_role("button", name="Continuer", exact=True)).to_be_focused()
    expect(page.locator("[data-timeout-announce]")).to_have_text("Vous serez déconnecté dans 2 minutes.")
    with clocks.flowing(page):
        found = axe_violations(page)
    REPORT.axe[f"{mode.id}/resume:signup-idle-warning"] = [v["id"] for v in found]
    assert found == []
    page.get_by_role("button", name="Continuer", exact=True).click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#wizard-status")).to_have_text("Votre inscription continue.")
    clocks.run_for(page, 1800 - 120)
    expect(dialog).to_be_visible()
    expect(page).to_have_url(re.compile("/inscription/compte-active$"))  # the stay was counted
    clocks.run_for(page, 121)  # nothing done: signing in takes it up again
    expect(page).to_have_url(re.compile("/connexion$"))
    expect(page.locator(".notice")).to_contain_text("connectez-vous pour reprendre votre inscription")


@pytest.mark.parametrize("mode", [EN_NO_JS], ids=lambda mode: mode.id)
def test_without_javascript_the_limit_is_stated_and_a_reload_explains(person, live_app, clocks, mode):
    signed_up(live_app, person.email)
    page = person.browser()
    page.goto(activation_link(live_app, person.email))
    button(page, mode.lang, "activate").click()
    person.shows(page, "activated")
    page.locator("#wizard-step a.button[href='/inscription/telephone']").click()
    person.shows(page, "phone")
    expect(page.locator(".timeout-limit")).to_have_text(
        "To protect your data, this page expires after 30 minutes without activity.")
    expect(page.locator("#session-timeout")).to_be_hidden()
    clocks.ahead += timedelta(minutes=31)
    page.reload()
    expect(page).to_have_url(re.compile("/connexion$"))
    expect(page.locator(".notice")).to_contain_text("sign in to pick up your sign-up where you left it")
