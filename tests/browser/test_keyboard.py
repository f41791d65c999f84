"""A person who uses only the keyboard completes the journey: Tab, typing, Space, Enter.
No click anywhere."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.support import (
    KIOSK,
    PASSWORD,
    SUBSCRIBER,
    WORDS,
    activation_code,
    carry_session,
    contrast,
    live_check_settled,
    national,
    new_email,
    new_phone,
    shown_code,
    signed_up,
    sms_code,
    spoken_code,
    step_heading,
)
from tests.browser.test_sign_in_browser import short_idle, signed_in_page  # noqa: F401 (short_idle: a fixture)


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


# --- past the activated account: phone, eligibility, signing in, Mon compte ------------------

# The focused element's ring, and the colour behind it (the first opaque background up).
FOCUS_RING = """() => {
  const e = document.activeElement, style = getComputedStyle(e);
  let behind = e.parentElement, background = 'rgb(255, 255, 255)';
  for (; behind; behind = behind.parentElement) {
    const colour = getComputedStyle(behind).backgroundColor;
    if (colour !== 'transparent' && !colour.endsWith(', 0)')) { background = colour; break; }
  }
  const shadow = style.boxShadow === 'none' ? null : style.boxShadow.match(/(rgba?|oklch)\\([^)]*\\)/)?.[0];
  // 'auto': Chromium's own ring (the ALTCHA box, in its shadow root), drawn a pixel wider than it says.
  const width = parseFloat(style.outlineWidth) + (style.outlineStyle === 'auto' ? 1 : 0);
  // As sRGB (the widget's colours are oklch()): painted on a pixel, read back.
  const canvas = document.createElement('canvas').getContext('2d', {willReadFrequently: true});
  const rgb = colour => { if (!colour) return null; canvas.clearRect(0, 0, 1, 1); canvas.fillStyle = colour;
    canvas.fillRect(0, 0, 1, 1);
    const [r, g, b] = canvas.getImageData(0, 0, 1, 1).data;
    return `rgb(${r}, ${g}, ${b})`; };
  return {element: e.outerHTML.slice(0, 80), outline: style.outlineStyle === 'none' ? null : rgb(style.outlineColor),
          outlineWidth: width, shadow: rgb(shadow), background: rgb(background)};
}"""


def focus_is_visible(page) -> float:
    """The focused element has a ring (outline of 2 px at least, or a shadow) of which one
    colour stands 3:1 against the background (WCAG 1.4.11, 2.4.7; RGAA 3.3, 10.7)."""
    ring = page.evaluate(FOCUS_RING)
    colours = [c for c in (ring["outline"] if ring["outlineWidth"] >= 2 else None, ring["shadow"]) if c]
    assert colours, f"no visible focus on {ring['element']}"
    best = max(contrast(colour, ring["background"]) for colour in colours)
    assert best >= 3, f"focus ring of {ring['element']}: {best:.2f}:1 against {ring['background']}"
    return best


def tab_to_visibly(page, target, most=30):
    """tab_to, with the focus visible at every stop on the way."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement !== document.body"):  # past the end: the browser's own
            focus_is_visible(page)
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{target} cannot be reached with Tab")


def leaves_by_tab(page):
    """No trap: Tab goes on through the page to its footer's last link, then leaves it."""
    last = page.locator("footer a").last
    tab_to_visibly(page, last, most=60)
    page.keyboard.press("Tab")
    assert not last.evaluate("element => element === document.activeElement")


def test_the_account_with_the_keyboard_only(open_page, live_app, base_url):
    """From "check your email" (the steps before are walked above) to Mon compte: the code of
    the email, the phone and its SMS code, the eligibility check and its outcome, signing in
    with a code. Tab, typing, Space, Enter, arrows; the focus seen at every stop."""
    email, phone = new_email("keyboard-account"), new_phone()
    visitor = signed_up(live_app, email, SUBSCRIBER)
    page = open_page()
    carry_session(visitor, page.context, base_url)
    heading = page.get_by_role("heading", level=1)
    page.goto("/inscription/verifiez-vos-emails")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Aller au contenu")).to_be_focused()
    tab_to_visibly(page, page.get_by_role("textbox", name="Code reçu par e-mail"))
    page.keyboard.type(activation_code(live_app, email))
    page.keyboard.press("Enter")

    expect(heading).to_have_text("Votre compte est activé")
    leaves_by_tab(page)
    tab_to_visibly(page, page.locator("#wizard-step").get_by_role("link", name="Continuer", exact=True))
    page.keyboard.press("Enter")

    expect(heading).to_have_text(step_heading("fr", "Votre téléphone portable"))
    tab_to_visibly(page, page.locator("#phone"))
    page.keyboard.type(national(phone))
    page.keyboard.press("Enter")  # by SMS, the channel checked first
    expect(heading).to_have_text("Saisissez le code reçu")
    expect(heading).to_be_focused()
    tab_to_visibly(page, page.locator("#code"))
    page.keyboard.type(sms_code(live_app, phone))
    page.keyboard.press("Enter")

    expect(heading).to_have_text("Votre téléphone est confirmé")
    tab_to_visibly(page, page.locator("#wizard-step").get_by_role("link", name="Continuer", exact=True))
    page.keyboard.press("Enter")
    expect(heading).to_have_text(step_heading("fr", "Confirmer l’éligibilité à nos services"))
    tab_to_visibly(page, page.get_by_role("button", name="Confirmer mon éligibilité"))
    page.keyboard.press("Enter")
    expect(heading).to_have_text("Vérification de l’éligibilité auprès de votre complémentaire")
    expect(page.locator("#eligibility-status .panel--success")).to_be_visible()  # the outcome, awaited
    leaves_by_tab(page)

    # Signing in: the address typed, then every field and choice by keyboard.
    page.goto("/connexion")
    expect(heading).to_have_text("Se connecter")
    tab_to_visibly(page, page.locator("#email"))
    page.keyboard.type(email)
    tab_to_visibly(page, page.locator("#password"))
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(heading).to_have_text("Sécurisez votre connexion")
    # A radio group is one Tab stop, its checked choice (or its first): arrows move the choice.
    checked = page.locator("input[name=channel]:checked")
    tab_to_visibly(page, checked if checked.count() else page.locator("#channel-0"))
    for _ in range(page.locator("input[name=channel]").count()):
        if page.locator("#channel-0").is_checked():
            break
        page.keyboard.press("ArrowDown")
    # A phone is confirmed: the SMS comes first (issue 14; the email only by "je n'ai plus
    # accès à mon téléphone").
    expect(page.locator("#channel-0")).to_be_checked()
    page.keyboard.press("Enter")
    expect(heading).to_have_text("Saisissez votre code de sécurité")
    tab_to_visibly(page, page.locator("#code"))
    page.keyboard.type(sms_code(live_app, phone))
    page.keyboard.press("Enter")
    expect(heading).to_have_text("Mon compte")
    leaves_by_tab(page)


@pytest.mark.usefixtures("short_idle")
def test_the_idle_warning_by_keyboard_keeps_the_focus_and_extends(open_page, live_app, clocks):
    """The timeout dialog, met by someone on the keyboard: the focus is in it, Tab stays in
    it (modal), visible, and Enter on "Rester connecté" extends the session (2.2.1)."""
    page = signed_in_page(open_page, live_app, clocks=clocks)
    dialog = page.get_by_role("dialog", name="Vous allez être déconnecté")
    clocks.run_for(page, 8)
    expect(dialog).to_be_visible()
    stay = page.get_by_role("button", name="Rester connecté")
    expect(stay).to_be_focused()
    assert dialog.evaluate("element => element.matches(':modal')")
    for _ in range(4):  # past its last button, to the browser's own controls (body), then back in
        page.keyboard.press("Tab")
        inside = page.evaluate("document.activeElement.closest('dialog') ? 'dialog' : document.activeElement.tagName")
        assert inside in ("dialog", "BODY"), f"Tab left the modal dialog for the page: {inside}"
        if inside == "dialog":
            focus_is_visible(page)
    tab_to_visibly(page, stay)
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(page.locator("#wizard-status")).to_have_text("Vous êtes toujours connecté.")
    clocks.run_for(page, 8)
    expect(page).to_have_url(re.compile("/compte$"))  # extended: still signed in past the first deadline


def test_a_focus_ring_without_contrast_is_found(open_page):
    """focus_is_visible can fail: a ring the colour of the page is refused."""
    page = open_page()
    page.goto("/")
    page.add_style_tag(content=":focus-visible { outline: 3px solid #fff !important; box-shadow: none !important; }")
    page.keyboard.press("Tab")
    try:
        focus_is_visible(page)
    except AssertionError as error:
        assert "1.00:1" in str(error)
    else:
        raise AssertionError("a white ring on white passed")


def test_the_spoken_code_and_the_kiosks_hand_off_with_the_keyboard_only(open_page, live_app):
    """Without JavaScript, the CAPTCHA's code typed (its audio link on the way); then, on a
    phone, the code a kiosk shows typed, and the hand-off followed: by keyboard, focus seen."""
    page = open_page(js=False)
    heading = page.get_by_role("heading", level=1)
    page.goto("/inscription/")
    tab_to_visibly(page, page.get_by_role("link", name="Écouter le code (fichier audio, en français)"))
    tab_to_visibly(page, page.get_by_role("textbox", name="Code de sécurité"))
    page.keyboard.type(spoken_code(live_app, page.context))
    page.keyboard.press("Enter")
    expect(heading).to_have_text(step_heading("fr", "Votre identité"))

    kiosk = open_page()
    kiosk.goto(f"/borne?kiosque={KIOSK}")
    code = shown_code(kiosk)
    phone = open_page()
    phone.goto("/code")
    tab_to_visibly(phone, phone.locator("#code"))
    phone.keyboard.type(code)
    phone.keyboard.press("Enter")
    expect(phone.get_by_role("heading", level=1)).to_have_text(step_heading("fr", "Vérification de sécurité"))
    tab_to_visibly(phone, phone.locator("#wizard-step").get_by_role("link", name=WORDS["fr"]["handoff"]))
    phone.keyboard.press("Enter")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Continuer sur votre téléphone")
    leaves_by_tab(phone)
