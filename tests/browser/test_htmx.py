"""With JavaScript, a step is swapped in by HTMX and a screen-reader user is told:
the live region (the same element since the page loaded) says the new step, focus is on
its heading (or on the error summary), and the title and the address follow."""
import re

from playwright.sync_api import expect

from tests.browser.support import (
    FR_JS,
    IDENTITY,
    SUBSCRIBER,
    activation_code,
    arrive,
    credentials,
    fill,
    new_email,
    pass_altcha,
    step_heading,
)

STATUS = "#wizard-status"


def mark_document(page):
    """Flags that a full page load would wipe out."""
    page.evaluate(f"window.__sameDocument = true; document.querySelector('{STATUS}').__original = true")


def assert_swapped_to(page, heading_text, url):
    """The new screen came by a swap, and says so: its h1 (`heading_text`, a step's
    'Étape X sur N : …') is focused, and the live region, the title and the URL follow."""
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(heading_text)
    label = " ".join(heading.text_content().split())
    assert page.evaluate("window.__sameDocument") is True, "a full page load, not an HTMX swap"
    status = page.get_by_role("status")
    expect(status).to_have_text(label, use_inner_text=True)
    assert " ".join(status.text_content().split()) == label
    assert page.evaluate(f"document.querySelector('{STATUS}').__original") is True, "live region replaced"
    expect(status).to_have_attribute("id", "wizard-status")
    expect(heading).to_be_focused()
    assert page.evaluate("document.activeElement.id") == "step-heading"
    expect(page).to_have_title(f"{label} — Sésame — Mutuelle Démo")
    expect(page).to_have_url(re.compile(url + "$"))


def step(title):
    return step_heading("fr", title)


def continue_(page, name="Continuer"):
    page.locator("#wizard-step").get_by_role("button", name=name, exact=True).click()


def to_identity(page):
    page.goto("/inscription/")
    mark_document(page)
    expect(page.get_by_role("status")).to_be_empty()  # in the page before any swap
    pass_altcha(page)
    continue_(page)


def test_each_step_is_swapped_in_announced_and_focused(open_page, live_app):
    page = open_page()
    to_identity(page)
    assert_swapped_to(page, step("Votre identité"), "/inscription/identite")

    for field_id, value in IDENTITY.items():
        page.locator(f"#{field_id}").fill(value)
    continue_(page)
    assert_swapped_to(page, step("Votre lien avec le contrat"), "/inscription/qualite")

    page.get_by_role("radio", name=re.compile("^Une autre personne")).check()
    continue_(page)
    assert_swapped_to(page, step("Le souscripteur du contrat"), "/inscription/souscripteur")

    for field_id, value in SUBSCRIBER.items():
        page.locator(f"#{field_id}").fill(value)
    continue_(page)
    assert_swapped_to(page, step("Vérifiez vos réponses"), "/inscription/recapitulatif")

    page.get_by_role("checkbox", name=re.compile("^J’accepte les conditions")).check()
    continue_(page, "Confirmer et continuer")
    assert_swapped_to(page, step("Votre adresse e-mail et votre mot de passe"), "/inscription/identifiants")

    email = new_email("htmx")
    fill(page, credentials(email))
    expect(page.locator("#password-rules-list li:not(.password-rule--met)")).to_have_count(0)  # live check done
    continue_(page, "Créer mon compte")
    assert_swapped_to(page, "Consultez votre messagerie", "/inscription/verifiez-vos-emails")

    # Links are swapped in too, on the screens around the steps.
    page.locator("#wizard-step").get_by_role("link", name="Je n’ai pas reçu l’e-mail : que faire ?").click()
    assert_swapped_to(page, "Vous n’avez pas reçu l’e-mail d’activation ?", "/inscription/email-non-recu")
    page.get_by_role("link", name="Retour à la page « Consultez votre messagerie »").click()
    assert_swapped_to(page, "Consultez votre messagerie", "/inscription/verifiez-vos-emails")

    page.get_by_role("textbox", name="Code reçu par e-mail").fill(activation_code(live_app, email))
    continue_(page, "Activer mon compte")
    assert_swapped_to(page, "Votre compte est activé", "/inscription/compte-active")


def test_an_invalid_step_says_its_problems_and_focuses_the_summary(open_page):
    page = open_page()
    to_identity(page)
    arrive(page, FR_JS, "identity", swapped=True)
    page.get_by_role("textbox", name="Nom de famille").fill("Dupont")
    page.get_by_role("textbox", name="Jour").fill("6")
    page.get_by_role("textbox", name="Mois").fill("3")
    page.get_by_role("textbox", name="Année").fill("1977")
    page.get_by_role("textbox", name="Numéro d’adhérent").fill("1234")
    continue_(page)

    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    assert page.evaluate("window.__sameDocument") is True
    expect(page.get_by_role("status")).to_have_text("Il y a 2 problèmes à corriger")
    assert page.evaluate(f"document.querySelector('{STATUS}').__original") is True
    expect(summary.get_by_role("link")).to_have_text([
        "Saisissez votre prénom", "Le numéro d’adhérent doit comporter 8 chiffres"])
    expect(page).to_have_title(re.compile(r"^Erreur : Étape \d+ sur \d+ : Votre identité — Sésame — Mutuelle Démo$"))

    first_name = page.get_by_role("textbox", name="Prénom(s)")
    expect(first_name).to_have_attribute("aria-invalid", "true")
    expect(first_name).to_have_accessible_description(re.compile("Erreur : Saisissez votre prénom"))
    identifier = page.get_by_role("textbox", name="Numéro d’adhérent")
    expect(identifier).to_have_attribute("aria-invalid", "true")
    expect(identifier).to_have_accessible_description(
        re.compile("8 chiffres, sous votre nom .*Erreur : Le numéro d’adhérent doit comporter 8 chiffres"))
    expect(identifier).to_have_value("1234")  # what was typed is kept
    last_name = page.get_by_role("textbox", name="Nom de famille")
    expect(last_name).not_to_have_attribute("aria-invalid", "true")
    expect(last_name).to_have_value("Dupont")

    # The summary's link takes the person to the field.
    summary.get_by_role("link", name="Saisissez votre prénom").click()
    expect(page).to_have_url(re.compile("#first_name$"))


def test_back_button_after_swaps_shows_the_previous_step(open_page):
    page = open_page()
    to_identity(page)
    for field_id, value in IDENTITY.items():
        page.locator(f"#{field_id}").fill(value)
    continue_(page)
    assert_swapped_to(page, step("Votre lien avec le contrat"), "/inscription/qualite")

    page.go_back()
    expect(page).to_have_url(re.compile("/inscription/identite$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(step("Votre identité"))
    expect(page).to_have_title(re.compile(r"^Étape \d+ sur \d+ : Votre identité — Sésame — Mutuelle Démo$"))
    # The server's copy of the answers, not a snapshot taken before they were typed.
    expect(page.get_by_role("textbox", name="Nom de famille")).to_have_value("Dupont")
    expect(page.get_by_role("textbox", name="Numéro d’adhérent")).to_have_value("10203050")
    # No copy of the person's answers is left in the tab's storage.
    storage = page.evaluate("JSON.stringify(sessionStorage) + JSON.stringify(localStorage)")
    assert "10203050" not in storage and "Dupont" not in storage

    page.go_forward()
    expect(page).to_have_url(re.compile("/inscription/qualite$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(step("Votre lien avec le contrat"))


def test_previous_step_link_is_swapped_in(open_page):
    page = open_page()
    to_identity(page)
    for field_id, value in IDENTITY.items():
        page.locator(f"#{field_id}").fill(value)
    continue_(page)
    assert_swapped_to(page, step("Votre lien avec le contrat"), "/inscription/qualite")
    page.get_by_role("link", name="Étape précédente").click()
    assert_swapped_to(page, step("Votre identité"), "/inscription/identite")


def test_a_link_out_of_the_journey_loads_the_whole_page(open_page):
    """The hand-off page is no screen of the frame: its link is not swapped in."""
    page = open_page()
    to_identity(page)
    assert_swapped_to(page, step("Votre identité"), "/inscription/identite")
    page.locator("#wizard-step").get_by_role("link", name="Continuer sur mon téléphone").click()
    expect(page).to_have_url(re.compile("/inscription/continuer-sur-mon-telephone$"))
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Continuer sur votre téléphone")
    assert page.evaluate("window.__sameDocument") is None, "swapped in, not loaded"
    expect(page.locator("#wizard-step")).to_have_count(0)
