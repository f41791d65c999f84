"""What JavaScript adds to the credentials step, tried by hand in Chromium: the live
checklist of the password rules, the show/hide buttons, and what is left without them.

axe-core, reflow at 320 px and the Nu HTML Checker on the credentials step and the
activation screens are in the shared walk (support.SCREENS: test_every_screen.py, test_reflow.py,
test_html_validity.py); the journey to an activated account is in test_journeys.py."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.support import (
    FR_JS,
    FR_NO_JS,
    IDENTITY,
    PASSWORD,
    WORDS,
    arrive,
    fill,
    live_check_settled,
    pass_altcha,
    spoken_code,
)
from tests.conftest import reconfigure


def click(page, name):
    page.locator("#wizard-step").get_by_role("button", name=name, exact=True).click()


def to_credentials(page, app, mode):
    """From the landing page to the credentials step, as a subscriber, through the UI."""
    page.goto("/")
    if mode.lang != "fr":
        page.get_by_role("button", name=WORDS["fr"]["switch"]).click()
    page.goto("/inscription/")
    if mode.js:
        pass_altcha(page)
    else:
        page.locator("#code").fill(spoken_code(app, page.context))
    click(page, WORDS[mode.lang]["continue"])
    expect(page).to_have_url(re.compile("/inscription/identite$"))
    fill(page, IDENTITY)
    click(page, WORDS[mode.lang]["continue"])
    expect(page).to_have_url(re.compile("/inscription/qualite$"))
    page.locator("#role-0").check()  # the subscriber: the shortest way
    click(page, WORDS[mode.lang]["continue"])
    expect(page).to_have_url(re.compile("/inscription/recapitulatif$"))
    page.locator("#accept_terms").check()
    click(page, WORDS[mode.lang]["confirm"])
    # After a swap, focus moves to the step's heading once it has settled: wait for it, or
    # it may move there after the test has put it in a field.
    arrive(page, mode, "credentials", swapped=mode.js)


@pytest.fixture
def composition_rules(live_app):
    """The classic rules an operator may ask for (the defaults are NIST's, length alone)."""
    reconfigure(live_app, PASSWORD_MIN_LENGTH=8, PASSWORD_REQUIRED_CLASSES=("lower", "upper", "digit", "special"))
    yield
    reconfigure(live_app, PASSWORD_MIN_LENGTH=12, PASSWORD_REQUIRED_CLASSES=())


def test_the_checklist_ticks_as_the_person_types(open_page, live_app, composition_rules):
    page = open_page()
    to_credentials(page, live_app, FR_JS)
    rules = page.locator("#password-rules-list")
    expect(rules.locator(".password-rule--met, .password-rule--unmet")).to_have_count(0)
    page.locator("#password").press_sequentially("gondole", delay=20)
    expect(rules.locator("li[data-rule=lower]")).to_have_class(re.compile("password-rule--met"))
    expect(rules.locator("li[data-rule=upper]")).to_have_class(re.compile("password-rule--unmet"))
    expect(page.locator("#password-rules-status")).to_have_text("Il reste 4 règles à respecter.")
    page.locator("#password").press_sequentially("-Ivre-7", delay=20)
    expect(page.locator("#password-rules-status")).to_have_text("Toutes les règles du mot de passe sont respectées.")
    expect(rules.locator(".password-rule--unmet")).to_have_count(0)
    # The live region is the one the page loaded with: screen readers keep listening to it.
    assert page.evaluate("document.getElementById('password-rules-status').getAttribute('aria-live')") == "polite"


def test_show_and_hide_the_password(open_page, live_app):
    page = open_page()
    to_credentials(page, live_app, FR_JS)
    toggle = page.locator("button[data-password-toggle=password]")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_accessible_name("Afficher le mot de passe")
    page.locator("#password").fill(PASSWORD)
    toggle.click()
    expect(page.locator("#password")).to_have_attribute("type", "text")
    expect(toggle).to_have_text("Masquer")
    expect(toggle).to_have_accessible_name("Masquer le mot de passe")
    expect(page.get_by_role("status")).to_have_text("Le mot de passe est visible.")
    toggle.click()
    expect(page.locator("#password")).to_have_attribute("type", "password")
    toggle.click()
    click(page, "Créer mon compte")  # sending hides it again, so the browser never keeps it as text
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#password")).to_have_attribute("type", "password")


def test_without_javascript_the_rules_are_text_and_the_buttons_are_hidden(open_page, live_app):
    page = open_page(js=False)
    to_credentials(page, live_app, FR_NO_JS)
    expect(page.locator("button[data-password-toggle]")).to_have_count(2)
    expect(page.locator("button[data-password-toggle=password]")).to_be_hidden()
    expect(page.locator("#password-rules-list li")).to_have_count(4)  # NIST: the lengths, no personal data, not common
    page.locator("#password").fill("abc")
    page.wait_for_timeout(600)  # no request: nothing ticks without JavaScript
    expect(page.locator(".password-rule--met")).to_have_count(0)


def test_typing_the_password_keeps_the_focus_in_the_field(open_page, live_app):
    """The checklist ticks itself as the person types: the focus stays where they type
    (WCAG 3.2.2 On input, 2.4.3 Focus order), and a pause does not lose the rest."""
    page = open_page()
    to_credentials(page, live_app, FR_JS)
    password = page.locator("#password")
    password.focus()
    with live_check_settled(page):
        page.keyboard.type("gondole")
    assert page.evaluate("document.activeElement.id") == "password"
    page.keyboard.type("-Ivre-7")
    expect(password).to_have_value("gondole-Ivre-7")
