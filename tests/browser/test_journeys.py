"""The whole journey, start to end, to an activated account: without JavaScript at all in
French (activated by the code of the email), and with JavaScript in English after switching
language on the first step (activated by the link of the email)."""
import re

from playwright.sync_api import expect

from tests.browser.support import (
    IDENTITY,
    PASSWORD,
    SUBSCRIBER,
    activation_code,
    activation_link,
    fill,
    new_email,
    pass_altcha,
    spoken_code,
    step_heading,
)


def fill_credentials(page, email, labels):
    """The credentials step's fields, found by their labels (`labels`: email, its
    confirmation, password, its confirmation) as a screen reader user would find them."""
    for label, value in zip(labels, (email, email, PASSWORD, PASSWORD), strict=True):
        page.get_by_role("textbox", name=label, exact=True).fill(value)


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

    expect(page).to_have_url(re.compile("/inscription/identifiants$"))
    expect(heading).to_have_text(step_heading("fr", "Votre adresse e-mail et votre mot de passe"))
    email = new_email("journey-fr")
    fill_credentials(page, email, ["Adresse e-mail", "Confirmez l’adresse e-mail", "Mot de passe",
                                   "Confirmez le mot de passe"])
    page.get_by_role("button", name="Créer mon compte").click()

    expect(page).to_have_url(re.compile("/inscription/verifiez-vos-emails$"))
    expect(heading).to_have_text("Consultez votre messagerie")
    expect(page.locator("#wizard-step")).to_contain_text(f"Nous avons envoyé un e-mail à {email} à ")
    code = page.get_by_role("textbox", name="Code reçu par e-mail")
    code.fill(activation_code(live_app, email))
    code.press("Enter")

    expect(page).to_have_url(re.compile("/inscription/compte-active$"))
    expect(heading).to_have_text("Votre compte est activé")
    expect(page).to_have_title("Votre compte est activé — Sésame — Mutuelle Démo")
    expect(page.locator("#wizard-step")).to_contain_text(f"Votre adresse e-mail {email} est confirmée")


def test_whole_journey_in_english_with_javascript(open_page, live_app):
    page = open_page()
    heading = page.get_by_role("heading", level=1)
    page.goto("/inscription/")
    expect(heading).to_have_text(step_heading("fr", "Vérification de sécurité"))
    page.get_by_role("button", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile("/inscription/verification$"))
    expect(heading).to_have_text(step_heading("en", "Security check"))
    expect(page).to_have_title(re.compile(r"^Step \d+ of \d+: Security check — Sésame — Mutuelle Démo$"))
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

    expect(heading).to_have_text(step_heading("en", "Your email address and password"))
    expect(page).to_have_url(re.compile("/inscription/identifiants$"))
    email = new_email("journey-en")
    fill_credentials(page, email, ["Email address", "Confirm email address", "Password", "Confirm password"])
    expect(page.locator("#password-rules-list li:not(.password-rule--met)")).to_have_count(0)  # ticked live
    page.get_by_role("button", name="Create my account").click()

    expect(heading).to_have_text("Check your email")
    expect(page).to_have_url(re.compile("/inscription/verifiez-vos-emails$"))
    expect(page.locator("#wizard-step")).to_contain_text(f"We sent an email to {email} at ")

    page.goto(activation_link(live_app, email))  # the email's link, opened in the browser
    expect(heading).to_have_text("Activate your account")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="Activate my account").click()

    expect(heading).to_have_text("Your account is activated")
    expect(page).to_have_url(re.compile("/inscription/compte-active$"))
    expect(page).to_have_title("Your account is activated — Sésame — Mutuelle Démo")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#wizard-step")).to_contain_text(f"Your email address {email} is confirmed")
