"""Signing in, the forgotten password and "Mon compte" in Chromium: every new screen walked
through the UI and checked by axe-core, in French and in English, with the app's
JavaScript (HTMX swaps) and without it; the idle warning (WCAG 2.2.1) with a short idle
time; reflow at 320 px; and the pages as the server sends them, through the Nu checker."""
import json
import re
import shutil
import subprocess
import uuid

import pytest
from conftest import unavailable  # tests/conftest.py, as the other test modules import it
from playwright.sync_api import expect

from tests.browser.support import EN_JS, EN_NO_JS, FR_JS, FR_NO_JS, REPORT, VNU_JAR, WORDS, axe_violations
from tests.conftest import PASSWORD, newest_message, reconfigure
from tests.views.sign_in_support import make_account

PASSWORD_2, PASSWORD_3 = "Girafe-Verte-2027?", "Colibri-Rouge-2028!"
HEADINGS = {
    "sign-in": ("Se connecter", "Sign in"),
    "channel": ("Sécurisez votre connexion", "Secure your sign-in"),
    "code": ("Saisissez votre code de sécurité", "Enter your security code"),
    "account": ("Mon compte", "My account"),
    "change-password": ("Changer mon mot de passe", "Change my password"),
    "password-changed": ("Votre mot de passe est modifié", "Your password has been changed"),
    "signed-out": ("Vous êtes déconnecté", "You are signed out"),
    "forgotten": ("Mot de passe oublié", "Forgotten password"),
    "reset-check-email": ("Consultez votre messagerie", "Check your email"),
    "reset-new": ("Choisissez un nouveau mot de passe", "Choose a new password"),
    "reset-done": ("Votre mot de passe est modifié", "Your password has been changed"),
    "reset-link-refused": ("Ce lien n’est pas valable", "This link is not valid"),
    "idled-out": ("Vous avez été déconnecté", "You have been signed out"),
    "without-phone": ("Je n’ai plus accès à mon téléphone", "I no longer have access to my phone"),
    "change-phone": ("Changer de téléphone portable", "Change mobile phone"),
    "phone-reauth": ("Confirmez qu’il s’agit bien de vous", "Confirm it is you"),
    "change-email": ("Changer d’adresse e-mail", "Change email address"),
    "new-email-code": ("Confirmez la nouvelle adresse", "Confirm the new address"),
    "new-email-link": ("Confirmer ma nouvelle adresse", "Confirm my new address"),
    "new-email-link-refused": ("Ce lien ne fonctionne plus", "This link no longer works"),
    "consents": ("Informations commerciales : mes choix", "Marketing information: my choices"),
    "my-data-password": ("Mes données", "My data"),
    "my-data": ("Mes données", "My data"),
    "close": ("Fermer mon compte", "Close my account"),
    "not-me-refused": ("Ce lien ne fonctionne plus", "This link no longer works"),
}
MODES = [FR_JS, FR_NO_JS, EN_JS, EN_NO_JS]


def new_person(app):
    """An account whose signup is complete, with a number of its own (codes are read by number)."""
    suffix = uuid.uuid4().hex[:10]
    phone = "+3361" + str(int(suffix, 16))[-7:].rjust(7, "0")
    email = f"connexion-{suffix}@exemple.fr"
    make_account(app, email=email, phone=phone)
    return email, phone


class Visit:
    """One person's way through the new screens; `check(name)` runs axe on the screen shown."""

    def __init__(self, page, app, mode):
        self.page, self.app, self.mode = page, app, mode
        self.violations = {}

    def shows(self, name, errors=0):
        heading = HEADINGS[name][0 if self.mode.lang == "fr" else 1]
        expect(self.page.locator("h1")).to_have_text(heading)
        expect(self.page.locator("html")).to_have_attribute("lang", self.mode.lang)
        expect(self.page.locator("#error-summary li")).to_have_count(errors)
        if errors:
            expect(self.page.locator("#error-summary")).to_be_focused()
        elif self.mode.js:
            self.page.wait_for_load_state()
        found = axe_violations(self.page)
        REPORT.axe[f"{self.mode.id}/sign-in:{name}{'-errors' if errors else ''}"] = [v["id"] for v in found]
        if found:
            self.violations[f"{name}{'-errors' if errors else ''}"] = found

    def submit(self, action):
        self.page.locator(f"#wizard-step form[action='{action}'] button[type=submit]").first.click()

    def fill(self, **values):
        for field_id, value in values.items():
            self.page.locator(f"#{field_id}").fill(value)


def account_screens(visit: Visit):
    """Mon compte's changes, data and closure (closure not confirmed: the walk goes on)."""
    page = visit.page
    page.locator("a[href='/compte/telephone']").click()
    visit.shows("change-phone")
    visit.submit("/compte/telephone")
    visit.shows("change-phone", errors=2)
    visit.fill(current_password=PASSWORD, phone="07 52 12 34 56")
    visit.submit("/compte/telephone")
    visit.shows("phone-reauth")
    page.goto("/compte")
    page.locator("a[href='/compte/adresse']").click()
    visit.shows("change-email")
    visit.submit("/compte/adresse")
    visit.shows("change-email", errors=3)
    new_email = f"nouvelle-{uuid.uuid4().hex[:10]}@exemple.fr"
    visit.fill(current_password=PASSWORD, email=new_email, email_confirmation=new_email)
    visit.submit("/compte/adresse")
    visit.shows("new-email-code")
    mail = newest_message(visit.app, new_email).body_text
    page.goto(re.search(r"https?://[^/\s]+(/compte/adresse/lien/\S+)", mail).group(1))  # not confirmed here
    visit.shows("new-email-link")
    page.goto("/compte/adresse/lien/abime")
    visit.shows("new-email-link-refused")
    page.goto("/compte/consentements")
    visit.shows("consents")
    page.goto("/compte/mes-donnees")
    visit.shows("my-data-password")
    visit.fill(current_password=PASSWORD)
    visit.submit("/compte/mes-donnees")
    expect(page).to_have_url(re.compile(r"/compte/mes-donnees/consulter$"))  # same heading as before
    visit.shows("my-data")
    page.goto("/compte/fermer")
    visit.shows("close")
    page.goto("/compte/ce-n-etait-pas-moi/abime")
    visit.shows("not-me-refused")
    page.goto("/compte")


def walk(visit: Visit, email: str, phone: str):
    page, app, lang = visit.page, visit.app, visit.mode.lang
    page.goto("/")
    if lang != "fr":
        page.get_by_role("button", name=WORDS["fr"]["switch"]).click()
    page.locator("main a[href='/connexion']").click()
    visit.shows("sign-in")
    visit.submit("/connexion")
    visit.shows("sign-in", errors=2)
    visit.fill(email=email, password=PASSWORD)
    visit.submit("/connexion")
    visit.shows("channel")
    page.locator("#channel-0").check()  # SMS, the only choice with a confirmed phone
    visit.submit("/connexion/verification")
    visit.shows("code")
    code = newest_message(app, phone, "sms").body_text.split(" ", 1)[0]
    visit.fill(code=f"{(int(code) + 1) % 10**6:06d}")
    visit.submit("/connexion/code")
    visit.shows("code", errors=1)
    page.locator("a[href='/connexion/sans-telephone']").click()
    visit.shows("without-phone")
    page.goto("/connexion/code")
    visit.fill(code=code)
    page.locator("#remember").check()
    visit.submit("/connexion/code")
    visit.shows("account")
    expect(page.locator("dialog#session-timeout")).to_have_count(1)  # there, closed
    expect(page.locator("dialog#session-timeout")).to_be_hidden()
    account_screens(visit)
    page.locator("a[href='/compte/mot-de-passe']").click()
    visit.shows("change-password")
    visit.submit("/compte/mot-de-passe")
    visit.shows("change-password", errors=3)
    visit.fill(current_password=PASSWORD, password=PASSWORD_2, password_confirmation=PASSWORD_2)
    visit.submit("/compte/mot-de-passe")
    visit.shows("password-changed")
    page.locator("#wizard-step a[href='/compte']").click()
    visit.shows("account")
    page.locator("form[action='/deconnexion'] button").first.click()
    visit.shows("signed-out")
    page.locator("#wizard-step a[href='/connexion']").click()
    visit.shows("sign-in")
    page.locator("a[href='/mot-de-passe-oublie']").click()
    visit.shows("forgotten")
    visit.fill(email="pas-une-adresse")
    visit.submit("/mot-de-passe-oublie")
    visit.shows("forgotten", errors=1)
    visit.fill(email=email)
    visit.submit("/mot-de-passe-oublie")
    visit.shows("reset-check-email")
    mail = newest_message(app, email).body_text
    reset_code = re.search(r"^(\d{6})$", mail, re.M).group(1)
    visit.fill(code="12")
    visit.submit("/mot-de-passe-oublie/code")
    visit.shows("reset-check-email", errors=1)
    visit.fill(code=reset_code)
    visit.submit("/mot-de-passe-oublie/code")
    visit.shows("reset-new")
    visit.fill(password=PASSWORD_3, password_confirmation=PASSWORD_3)
    visit.submit("/mot-de-passe-oublie/nouveau")
    visit.shows("reset-done")
    page.goto("/mot-de-passe-oublie/lien/abimé")
    visit.shows("reset-link-refused")


@pytest.mark.parametrize("mode", MODES, ids=[mode.id for mode in MODES])
def test_every_new_screen_passes_axe(open_page, live_app, mode):
    page = open_page(js=mode.js)
    visit = Visit(page, live_app, mode)
    walk(visit, *new_person(live_app))
    assert page.evaluate("typeof window.htmx") == ("object" if mode.js else "undefined")
    assert visit.violations == {}


def test_signing_in_swaps_then_loads_the_account_as_a_whole_page(open_page, live_app):
    """With JavaScript the forms swap (HTMX); the last one loads the whole page, which brings
    the idle warning's script."""
    email, phone = new_person(live_app)
    page = open_page()
    page.goto("/connexion")
    page.locator("#email").fill(email)
    page.locator("#password").fill("Mauvais-1!")
    page.locator("#wizard-step form button[type=submit]").click()
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#password")).to_have_value("")
    page.evaluate("window.__same_document = true")  # survives a swap, not a page load
    page.locator("#password").fill(PASSWORD)
    page.locator("#wizard-step form button[type=submit]").click()
    expect(page).to_have_url(re.compile("/connexion/verification$"))
    assert page.evaluate("window.__same_document === true")
    page.locator("#channel-0").check()  # by SMS
    page.locator("#wizard-step form button[type=submit]").click()
    expect(page.locator("#step-heading")).to_be_focused()
    page.locator("#code").fill(newest_message(live_app, phone, "sms").body_text[:6])
    page.locator("#wizard-step form[action='/connexion/code'] button[type=submit]").click()
    expect(page).to_have_url(re.compile("/compte$"))
    expect(page.locator("h1")).to_have_text("Mon compte")
    assert page.evaluate("window.__same_document === undefined")
    assert page.evaluate("Boolean(document.querySelector('script[src*=\"session-timeout.js\"]'))")


def test_the_code_page_counts_down(open_page, live_app):
    email, phone = new_person(live_app)
    page = open_page()
    page.goto("/connexion")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#wizard-step form button[type=submit]").click()
    page.locator("#channel-0").check()
    page.locator("#wizard-step form button[type=submit]").click()
    left = page.locator("#code-time-left")
    expect(left).to_have_text(re.compile(r"^Temps restant pour saisir ce code : 2:5\d\.$"))
    expect(page.locator("#resend-hint")).to_have_text(re.compile(r"dans 0:5\d\.$"))


@pytest.fixture
def short_idle(live_app):
    """15 seconds of idle time, a warning 7 seconds before the end."""
    saved = {key: live_app.config[key] for key in ("SESSION_IDLE_MINUTES", "SESSION_WARNING_SECONDS")}
    reconfigure(live_app, SESSION_IDLE_MINUTES=0.25, SESSION_WARNING_SECONDS=7)
    yield
    reconfigure(live_app, **saved)


def signed_in_page(open_page, live_app, js=True, clocks=None):
    """"Mon compte" after a full sign-in; with `clocks`, the page's clock is Playwright's."""
    email, phone = new_person(live_app)
    page = open_page(js=js)
    if clocks:
        clocks.install(page)
    page.goto("/connexion")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#wizard-step form button[type=submit]").click()
    page.locator("#channel-0").check()  # SMS
    page.locator("#wizard-step form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Saisissez votre code de sécurité")
    page.locator("#code").fill(newest_message(live_app, phone, "sms").body_text[:6])
    page.locator("#wizard-step form[action='/connexion/code'] button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Mon compte")
    if clocks:
        clocks.pause(page)
    return page


def test_the_idle_warning_lets_the_person_stay_then_signs_them_out(open_page, live_app, short_idle, clocks):
    page = signed_in_page(open_page, live_app, clocks=clocks)
    dialog = page.get_by_role("dialog", name="Vous allez être déconnecté")
    clocks.run_for(page, 8)  # the warning's time: 15 s of idle time less 7
    expect(dialog).to_be_visible()
    expect(page.get_by_role("button", name="Rester connecté")).to_be_focused()
    expect(page.locator("[data-timeout-announce]")).to_have_text(
        re.compile(r"^Vous serez déconnecté dans \d secondes?\.$"))
    expect(page.locator("[data-timeout-countdown]")).to_have_text(re.compile(r"^Temps restant : 0:0\d\.$"))
    with clocks.flowing(page):
        violations = axe_violations(page)
    REPORT.axe["fr-js/sign-in:idle-warning"] = [v["id"] for v in violations]
    assert violations == []
    page.get_by_role("button", name="Rester connecté").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#wizard-status")).to_have_text("Vous êtes toujours connecté.")
    # The server counted the stay: the session lives on past the first deadline.
    clocks.run_for(page, 8)
    expect(dialog).to_be_visible()
    expect(page).to_have_url(re.compile("/compte$"))
    # Nothing done this time: the end, said on the page it leads to.
    clocks.run_for(page, 8)
    expect(page.locator("h1")).to_have_text("Vous avez été déconnecté")
    expect(page).to_have_url(re.compile("/deconnexion$"))
    page.goto("/compte")
    expect(page).to_have_url(re.compile("/connexion$"))


def test_escape_in_the_idle_warning_also_keeps_the_person_signed_in(open_page, live_app, short_idle, clocks):
    page = signed_in_page(open_page, live_app, clocks=clocks)
    dialog = page.get_by_role("dialog", name="Vous allez être déconnecté")
    clocks.run_for(page, 8)
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.locator("#wizard-status")).to_have_text("Vous êtes toujours connecté.")


def test_activity_in_another_tab_keeps_the_warning_away(open_page, live_app, short_idle, clocks):
    page = signed_in_page(open_page, live_app, clocks=clocks)
    other = page.context.new_page()  # the same context: the same clock
    for _ in range(6):  # 12 seconds of activity elsewhere, past this tab's first deadline
        other.goto("/compte")
        clocks.run_for(page, 2)
    expect(page.get_by_role("dialog", name="Vous allez être déconnecté")).to_be_hidden()
    expect(page).to_have_url(re.compile("/compte$"))


def test_without_javascript_the_server_ends_an_idle_session(open_page, live_app, short_idle, clocks):
    page = signed_in_page(open_page, live_app, js=False, clocks=clocks)
    expect(page.locator("dialog#session-timeout")).to_have_count(1)
    expect(page.locator("#session-timeout")).to_be_hidden()
    clocks.run_for(page, 16)
    expect(page.locator("#session-timeout")).to_be_hidden()  # no warning without JavaScript
    page.reload()
    expect(page).to_have_url(re.compile("/connexion$"))
    expect(page.locator(".notice")).to_contain_text("sans activité")


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-app-js"])
def test_the_account_and_the_code_page_reflow_at_320_px(open_page, live_app, js):
    page = signed_in_page(open_page, live_app, js=js)
    page.set_viewport_size({"width": 320, "height": 640})
    width = page.evaluate("document.documentElement.scrollWidth")
    REPORT.reflow[f"fr-{'js' if js else 'no-app-js'}-320px/sign-in:account"] = width
    assert width <= 320


def test_the_new_pages_are_valid_html(live_app, tmp_path):
    """As the server sends them, through the Nu HTML Checker (like test_html_validity.py)."""
    if not shutil.which("java"):
        unavailable("java not found: apt-get install -y openjdk-17-jre-headless")
    if not VNU_JAR.is_file():
        unavailable(f"{VNU_JAR} not found: npm ci")
    pages = server_pages(live_app)
    files = []
    for name, html in pages.items():
        path = tmp_path / f"sign-in-{name}.html"
        path.write_bytes(html)
        files.append(path)
    proc = subprocess.run(["java", "-jar", str(VNU_JAR), "--format", "json", "--errors-only", *map(str, files)],
                          capture_output=True, text=True, timeout=120)
    messages = [f"{m.get('url', '').rsplit('/', 1)[-1]}:{m.get('lastLine', '?')}: {m['message']}"
                for m in json.loads(proc.stderr)["messages"]]
    REPORT.vnu_pages.extend(path.name for path in files)
    REPORT.vnu_messages.extend(messages)
    assert messages == []


def server_pages(app) -> dict[str, bytes]:
    email, phone = new_person(app)
    client, pages = app.test_client(), {}
    last = {"html": b""}

    def keep(name, response, status=200):
        assert response.status_code == status, (name, response.status_code)
        last["html"] = response.data
        if name:
            pages[name] = response.data

    def token():
        return re.search(rb'name="csrf_token" value="([^"]+)"', last["html"]).group(1).decode()

    def post(name, url, data, status=200):
        keep(name, client.post(url, data={**data, "csrf_token": token()}, follow_redirects=True), status)

    keep("sign-in", client.get("/connexion"))
    post("sign-in-errors", "/connexion", {})
    post("channel", "/connexion", {"email": email, "password": PASSWORD})
    post("code", "/connexion/verification", {"channel": "sms"})
    code = newest_message(app, phone, "sms").body_text.split(" ", 1)[0]
    post("account", "/connexion/code", {"code": code, "remember": "y"})
    keep("my-data-password", client.get("/compte/mes-donnees"))
    post("my-data", "/compte/mes-donnees", {"current_password": PASSWORD})
    keep(None, client.get("/compte/adresse"))
    new_email = f"nouvelle-{uuid.uuid4().hex[:10]}@exemple.fr"
    post("new-email-code", "/compte/adresse", {"current_password": PASSWORD, "email": new_email,
                                                "email_confirmation": new_email})
    link = re.search(r"https?://[^/\s]+(/compte/adresse/lien/\S+)", newest_message(app, new_email).body_text).group(1)
    keep("new-email-link", client.get(link))  # confirmed at the end: the address changes then
    keep("change-password", client.get("/compte/mot-de-passe"))
    post("change-password-errors", "/compte/mot-de-passe", {})
    keep(None, client.get("/compte"))
    post("signed-out", "/deconnexion", {})
    keep("forgotten", client.get("/mot-de-passe-oublie"))
    post("reset-check-email", "/mot-de-passe-oublie", {"email": email})
    reset_code = re.search(r"^(\d{6})$", newest_message(app, email).body_text, re.M).group(1)
    post("reset-new", "/mot-de-passe-oublie/code", {"code": reset_code})
    post("reset-done", "/mot-de-passe-oublie/nouveau", {"password": PASSWORD_2, "password_confirmation": PASSWORD_2})
    keep("reset-link-refused", client.get("/mot-de-passe-oublie/lien/abime"), status=400)
    keep("privacy", client.get("/confidentialite"))
    keep(None, client.get(link))  # from any browser, signed in or not
    post("new-email-link-done", link, {})
    keep("new-email-link-refused", client.get("/compte/adresse/lien/abime"), status=410)
    return pages
