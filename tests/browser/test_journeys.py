"""The whole journey, start to end: without JavaScript at all in French, and with
JavaScript in English after switching language on the first step."""
import re

from playwright.sync_api import expect

from tests.browser.support import IDENTITY, SUBSCRIBER, pass_altcha, spoken_code, step_heading


def fill(page, values):
    for field_id, value in values.items():
        page.locator(f"#{field_id}").fill(value)


def test_whole_journey_without_javascript(open_page, live_app):
    page = open_page(java_script_enabled=False)
    heading = page.get_by_role("heading", level=1)
    page.goto("/")
    expect(heading).to_have_text("Créer votre compte santé")
    page.get_by_role("link", name="Créer mon compte").click()

    expect(page).to_have_url(re.compile("/inscription/verification$"))
    expect(heading).to_have_text(step_heading("fr", "Vérification de sécurité"))
    expect(page.locator("[data-captcha-widget]")).to_be_hidden()  # the checkbox needs JavaScript
    expect(page.get_by_role("img", name=re.compile("^Image du code de sécurité"))).to_be_visible()
    code = page.get_by_role("textbox", name="Code de sécurité")
    code.fill(spoken_code(live_app, page.context))
    code.press("Enter")  # submits the code (the form's default button is "Continuer")

    expect(page).to_have_url(re.compile("/inscription/identite$"))
    expect(heading).to_have_text(step_heading("fr", "Votre identité"))
    fill(page, IDENTITY)
    page.get_by_role("button", name="Continuer").click()

    expect(page).to_have_url(re.compile("/inscription/qualite$"))
    expect(heading).to_have_text(step_heading("fr", "Votre lien avec le contrat"))
    page.get_by_role("radio", name=re.compile("^C’est moi")).check()
    page.get_by_role("button", name="Continuer").click()

    expect(page).to_have_url(re.compile("/inscription/recapitulatif$"))  # no subscriber step
    expect(heading).to_have_text(step_heading("fr", "Vérifiez vos réponses"))
    expect(page.locator(".summary-row dd:not(.summary-action)")).to_have_text(
        ["Dupont", "Jean", "6 mars 1977", "10203050", re.compile("^C’est moi")])
    page.get_by_role("checkbox", name=re.compile("^J’accepte les conditions")).check()
    page.get_by_role("button", name="Confirmer et continuer").click()

    expect(page).to_have_url(re.compile("/inscription/fin$"))
    expect(heading).to_have_text("Vos réponses sont enregistrées")
    expect(page).to_have_title("Vos réponses sont enregistrées — Sésame")


def test_whole_journey_in_english_with_javascript(open_page):
    page = open_page()
    heading = page.get_by_role("heading", level=1)
    page.goto("/inscription/")
    expect(heading).to_have_text(step_heading("fr", "Vérification de sécurité"))
    page.get_by_role("button", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile("/inscription/verification$"))
    expect(heading).to_have_text(step_heading("en", "Security check"))
    expect(page).to_have_title(re.compile(r"^Step \d+ of \d+: Security check — Sésame$"))
    expect(page.get_by_role("button", name="Français")).to_have_attribute("lang", "fr")
    page.wait_for_load_state()
    assert page.evaluate("typeof window.htmx") == "object"
    pass_altcha(page)
    page.get_by_role("button", name="Continue", exact=True).click()

    expect(heading).to_have_text(step_heading("en", "Your identity"))
    expect(page.get_by_role("status")).to_have_text(step_heading("en", "Your identity"))
    expect(page).to_have_url(re.compile("/inscription/identite$"))
    fill(page, IDENTITY)
    page.get_by_role("button", name="Continue", exact=True).click()

    expect(heading).to_have_text(step_heading("en", "Your link to the policy"))
    page.locator("#role-1").check()  # beneficiary
    page.get_by_role("button", name="Continue", exact=True).click()

    expect(heading).to_have_text(step_heading("en", "The policyholder"))
    fill(page, SUBSCRIBER)
    page.get_by_role("button", name="Continue", exact=True).click()

    expect(heading).to_have_text(step_heading("en", "Check your answers"))
    birth_date = page.locator(".summary-row dd:not(.summary-action)").nth(2)
    expect(birth_date).to_have_text(re.compile(r"\bMarch\b.*1977"))  # a date in English
    page.locator("#accept_terms").check()
    page.get_by_role("button", name="Confirm and continue").click()

    expect(heading).to_have_text("Your answers have been saved")
    expect(page).to_have_url(re.compile("/inscription/fin$"))
    expect(page).to_have_title("Your answers have been saved — Sésame")
    expect(page.locator("html")).to_have_attribute("lang", "en")
