"""A person who uses only the keyboard completes the journey: Tab, typing, Space, Enter.
No click anywhere."""
import re

from playwright.sync_api import expect

from tests.browser.support import PASSWORD, activation_code, live_check_settled, new_email, step_heading


def tab_to(page, target, most=20):
    """Presses Tab until `target` has focus; fails if it never does."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{target} cannot be reached with Tab")


def type_into(page, field, text):
    """Tab once, land on `field`, type."""
    page.keyboard.press("Tab")
    expect(field).to_be_focused()
    page.keyboard.type(text)


def test_journey_with_the_keyboard_only(open_page, live_app):
    page = open_page()
    heading = page.get_by_role("heading", level=1)
    page.goto("/")
    tab_to(page, page.get_by_role("link", name="Créer mon compte"))
    page.keyboard.press("Enter")

    expect(heading).to_have_text(step_heading("fr", "Vérification de sécurité"))
    checkbox = page.get_by_role("checkbox", name="Je ne suis pas un robot")
    tab_to(page, checkbox)
    page.keyboard.press("Space")
    expect(page.locator("altcha-widget input[name=altcha]")).not_to_have_value("")
    tab_to(page, page.get_by_role("button", name="Continuer"))
    page.keyboard.press("Enter")

    # The identity step, field after field in the order they are read.
    expect(heading).to_have_text(step_heading("fr", "Votre identité"))
    expect(heading).to_be_focused()
    type_into(page, page.get_by_role("textbox", name="Nom de famille"), "Dupont")
    type_into(page, page.get_by_role("textbox", name="Prénom(s)"), "Jean")
    type_into(page, page.get_by_role("textbox", name="Jour"), "6")
    type_into(page, page.get_by_role("textbox", name="Mois"), "3")
    type_into(page, page.get_by_role("textbox", name="Année"), "1977")
    type_into(page, page.get_by_role("textbox", name="Numéro d’adhérent"), "10203050")
    page.keyboard.press("Enter")  # submits the form from the last field

    expect(heading).to_have_text(step_heading("fr", "Votre lien avec le contrat"))
    expect(heading).to_be_focused()
    expect(page).to_have_url(re.compile("/inscription/qualite$"))
    me = page.get_by_role("radio", name=re.compile("^C’est moi"))
    page.keyboard.press("Tab")
    expect(me).to_be_focused()
    page.keyboard.press("Space")
    expect(me).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Continuer"))
    page.keyboard.press("Enter")

    expect(heading).to_have_text(step_heading("fr", "Vérifiez vos réponses"))
    tab_to(page, page.get_by_role("checkbox", name=re.compile("^J’accepte les conditions")))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_role("button", name="Confirmer et continuer"))
    page.keyboard.press("Enter")

    expect(heading).to_have_text(step_heading("fr", "Votre adresse e-mail et votre mot de passe"))
    expect(heading).to_be_focused()
    email = new_email("keyboard")
    type_into(page, page.get_by_role("textbox", name="Adresse e-mail", exact=True), email)
    type_into(page, page.get_by_role("textbox", name="Confirmez l’adresse e-mail"), email)
    with live_check_settled(page):  # the checklist ticks itself once typing stops
        type_into(page, page.get_by_role("textbox", name="Mot de passe", exact=True), PASSWORD)
    expect(page.locator("#password-rules-list li:not(.password-rule--met)")).to_have_count(0)
    # Tab, not type_into: the show/hide button comes first.
    tab_to(page, page.get_by_role("textbox", name="Confirmez le mot de passe"))
    page.keyboard.type(PASSWORD)
    tab_to(page, page.get_by_role("button", name="Créer mon compte"))
    page.keyboard.press("Enter")

    expect(heading).to_have_text("Consultez votre messagerie")
    expect(heading).to_be_focused()
    type_into(page, page.get_by_role("textbox", name="Code reçu par e-mail"), activation_code(live_app, email))
    page.keyboard.press("Enter")
    # A whole page, as after signing in (the idle warning changes kind): it starts at the top,
    # the skip link first.
    expect(heading).to_have_text("Votre compte est activé")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Aller au contenu")).to_be_focused()


def test_skip_link_is_the_first_stop_and_leads_to_the_content(open_page):
    page = open_page()
    page.goto("/inscription/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Aller au contenu")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # visible when focused
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
