"""Kiosks in Chromium (issue 9): QR codes decoded as a phone's camera would, the hand-off
of a journey to another device, and the kiosk's own browser wiped when left idle.

The QR codes are photographed (a screenshot of the element) and decoded with zxing-cpp;
the live app's PUBLIC_BASE_URL is the live server's (conftest.py), so that what is decoded
opens here, in another browser context: the phone. axe-core, reflow and the Nu checker
on the kiosk's pages are in the shared walk (support.KIOSK_SCREENS)."""
import io
import re

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from tests.browser.support import (
    FR_JS,
    IDENTITY,
    KIOSK,
    arrive,
    axe_violations,
    fill,
    pass_altcha,
    shown_code,
)
from tests.conftest import reconfigure
from wizard.extensions import db
from wizard.signup import journeys
from wizard.signup.models import Journey

# A phone: a narrow screen that is touched.
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
MOVED = "Votre inscription continue sur votre téléphone. Vous pouvez fermer cette page."


def decoded(qr) -> str:
    """What a phone's camera reads from the QR code `qr` (a locator), as it is on screen."""
    expect(qr).to_be_visible()
    image = Image.open(io.BytesIO(qr.screenshot()))
    results = zxingcpp.read_barcodes(image)
    assert [result.format for result in results] == [zxingcpp.BarcodeFormat.QRCode], "no single QR code read"
    return results[0].text


def step_button(page, name):
    return page.locator("#wizard-step").get_by_role("button", name=name, exact=True)


def test_a_phone_scans_the_kiosk_and_starts_at_the_captcha(open_page, base_url):
    kiosk = open_page()
    kiosk.goto(f"/borne?kiosque={KIOSK}")
    qr = kiosk.get_by_role("img", name=re.compile("^QR code : scannez-le avec l’appareil photo"))
    link = decoded(qr)
    assert re.fullmatch(re.escape(base_url) + r"/k/[A-Za-z0-9._-]+", link), link

    phone = open_page(**PHONE)
    phone.goto(link)
    arrive(phone, FR_JS, "captcha")
    expect(phone.locator(".notice")).to_have_count(0)  # a fresh code: no "already used" notice
    # The code typed instead of scanned is the same one: it has served, it says so.
    other = open_page(**PHONE)
    other.goto("/code")
    other.get_by_role("textbox", name="Code affiché sur la borne ou l’écran").fill(shown_code(kiosk))
    other.locator("main").get_by_role("button", name="Continuer").click()
    expect(other.locator("#error-summary")).to_contain_text("Ce code a déjà servi")


def test_the_hand_off_brings_the_answers_to_the_phone_and_the_computer_says_so(open_page, base_url, clocks):
    computer = open_page()
    clocks.install(computer)
    computer.goto("/inscription/")
    pass_altcha(computer)
    step_button(computer, "Continuer").click()
    arrive(computer, FR_JS, "identity", swapped=True)
    fill(computer, IDENTITY)
    step_button(computer, "Continuer").click()
    arrive(computer, FR_JS, "role", swapped=True)
    computer.locator("#wizard-step").get_by_role("link", name="Continuer sur mon téléphone").click()
    arrive(computer, FR_JS, "handoff")
    computer.wait_for_load_state()
    computer.evaluate("""() => {
        const live = document.getElementById('wizard-status');
        live.__original = true;
        window.__said = [];
        new MutationObserver(() => window.__said.push(live.textContent.trim()))
            .observe(live, {childList: true, characterData: true, subtree: true});
    }""")
    handoff_status = computer.locator("#handoff-status")
    expect(handoff_status).to_have_attribute("data-hx-trigger", "every 3s")
    expect(computer.get_by_role("status")).to_be_empty()

    link = decoded(computer.get_by_role("img", name="QR code : ouvre votre inscription sur votre téléphone"))
    assert link.startswith(base_url + "/k/"), link
    phone = open_page(**PHONE)
    phone.goto(link)
    arrive(phone, FR_JS, "role")  # where the computer was
    expect(phone.locator("main .notice")).to_have_text(
        "Votre inscription continue sur cet appareil : vos réponses sont là.")
    phone.get_by_role("link", name="Étape précédente").click()
    arrive(phone, FR_JS, "identity", swapped=True)
    expect(phone.get_by_role("textbox", name="Nom de famille")).to_have_value(IDENTITY["last_name"])
    expect(phone.get_by_role("textbox", name="Numéro d’adhérent")).to_have_value(IDENTITY["identifier"])

    # On the computer, the next poll (every 3 s) says where the journey went, once, in the
    # live region the page loaded with, and polling stops.
    clocks.run_for(computer, 3)
    expect(computer.get_by_role("status")).to_have_text(MOVED)
    assert computer.evaluate("document.getElementById('wizard-status').__original") is True
    expect(handoff_status).to_have_text(MOVED)
    assert handoff_status.get_attribute("data-hx-trigger") is None
    assert computer.evaluate("window.__said") == [MOVED]


@pytest.fixture
def short_kiosk_idle(live_app):
    """A kiosk's idle times of seconds, for one test (read when a page is rendered). The page's
    clock is a fake one, paused: the idle time is long enough that the real time a loaded
    machine takes between the last click and the pause never counts."""
    saved = {key: live_app.config[key] for key in ("KIOSK_IDLE_SECONDS", "KIOSK_WARNING_SECONDS")}
    reconfigure(live_app, KIOSK_IDLE_SECONDS=20, KIOSK_WARNING_SECONDS=40)
    yield
    reconfigure(live_app, **saved)


def journey_of(app, context):
    """The journey token in the browser's session cookie, if any."""
    cookie = next((c for c in context.cookies() if c["name"] == app.config["SESSION_COOKIE_NAME"]), None)
    return cookie and app.session_interface.get_signing_serializer(app).loads(cookie["value"]).get("journey")


def test_a_kiosk_left_idle_warns_then_wipes_the_journey(open_page, live_app, short_kiosk_idle, clocks):
    page = open_page()
    clocks.install(page)
    page.goto(f"/borne?kiosque={KIOSK}")
    page.locator("main").get_by_role("button", name="M’inscrire sur cette borne").click()
    arrive(page, FR_JS, "kiosk-mode")
    expect(page.locator("body")).to_have_class(re.compile(r"\bkiosk-mode\b"))
    assert step_button(page, "Continuer").bounding_box()["height"] >= 44  # bigger targets (WCAG 2.5.5)
    pass_altcha(page)
    step_button(page, "Continuer").click()
    arrive(page, FR_JS, "identity", swapped=True)
    fill(page, IDENTITY)
    step_button(page, "Continuer").click()
    arrive(page, FR_JS, "role", swapped=True)
    clocks.pause(page)
    clocks.run_for(page, 15)
    expect(page.locator("#kiosk-idle")).to_be_hidden()  # not before the idle time
    token = journey_of(live_app, page.context)
    with live_app.app_context():
        assert db.session.get(Journey, journeys.key(token)).answers["identity"]["last_name"] == "Dupont"

    # No input: after 20 s, the warning, a modal dialog with a name, focus inside it.
    dialog = page.get_by_role("dialog", name="Êtes-vous toujours là ?")
    clocks.run_for(page, 5.5)
    expect(dialog).to_be_visible()
    expect(dialog).to_have_accessible_description(re.compile("vos réponses seront effacées dans 40 secondes"))
    assert page.evaluate("document.getElementById('kiosk-idle').contains(document.activeElement)")
    expect(dialog.get_by_role("button", name="Je suis toujours là")).to_be_focused()
    with clocks.flowing(page):  # axe-core's timers (40 s of warning leave it the time)
        assert axe_violations(page) == []

    # 40 s more: the kiosk's screen again, this browser no longer in kiosk mode, the journey gone.
    clocks.run_for(page, 40)
    page.clock.resume()
    expect(page).to_have_url(re.compile(rf"/borne\?kiosque={KIOSK}$"))
    arrive(page, FR_JS, "kiosk")
    expect(page.locator("body")).not_to_have_class(re.compile(r"\bkiosk-mode\b"))
    expect(page.locator("#kiosk-idle")).to_have_count(0)
    assert journey_of(live_app, page.context) is None
    with live_app.app_context():
        assert db.session.get(Journey, journeys.key(token)) is None


def test_kiosk_mode_keeps_the_language_chosen_on_the_kiosk(open_page):
    page = open_page()
    page.goto(f"/borne?kiosque={KIOSK}")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator("main").get_by_role("button", name="Sign up on this kiosk").click()
    expect(page).to_have_url(re.compile("/inscription/verification$"))
    expect(page.locator("html")).to_have_attribute("lang", "en", timeout=1_000)


@pytest.mark.parametrize(("width", "height"), [(1080, 1920), (1920, 1080)], ids=["portrait", "landscape"])
@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_the_kiosk_screen_is_made_for_a_kiosk(open_page, base_url, width, height, js):
    """On a kiosk's screen, portrait or landscape: nothing to scroll, the QR code at least
    half of the shorter side, the steps and the code readable from a metre away (32 px and
    more), the operator's name there; and the QR code still read from a photograph scaled
    down to a quarter, as a phone held at a distance sees it."""
    kiosk = open_page(js=js, viewport={"width": width, "height": height})
    kiosk.goto(f"/borne?kiosque={KIOSK}")
    measured = kiosk.evaluate("""() => {
      const size = element => parseFloat(getComputedStyle(element).fontSize);
      const page = document.documentElement;
      return {scrolls: page.scrollHeight > innerHeight || page.scrollWidth > innerWidth,
              qr: document.querySelector('.qr--large').getBoundingClientRect().width,
              steps: Math.min(...[...document.querySelectorAll('.kiosk-steps li')].map(size)),
              code: size(document.querySelector('.short-code')),
              address: size(document.querySelector('.typed-address'))};
    }""")
    assert not measured["scrolls"]
    assert measured["qr"] >= min(width, height) / 2
    assert min(measured["steps"], measured["code"], measured["address"]) >= 32
    expect(kiosk.locator(".site-header .service-name")).to_have_text("Sésame")
    photo = Image.open(io.BytesIO(kiosk.screenshot()))
    far = photo.resize((photo.width // 4, photo.height // 4), Image.LANCZOS)
    results = zxingcpp.read_barcodes(far)
    assert [result.format for result in results] == [zxingcpp.BarcodeFormat.QRCode]
    assert re.fullmatch(re.escape(base_url) + r"/k/[A-Za-z0-9._-]+", results[0].text)
