"""FranceConnect in Chromium, against the test provider (tests/franceconnect/provider.mjs):
a person signs up through FranceConnect, activates the account, signs in through it and
signs out of both; a refused consent ends on its page. With the app's JavaScript and
without it; every screen of ours checked by axe-core, and at 320 px wide for reflow."""
import re
import shutil
import uuid

import pytest
from conftest import unavailable  # tests/conftest.py, as the other test modules import it
from playwright.sync_api import expect

from tests.browser.support import (
    EN_JS,
    EN_NO_JS,
    FR_JS,
    FR_NO_JS,
    REPORT,
    VNU_JAR,
    WORDS,
    activation_code,
    axe_violations,
    new_context,
    nu_checker_messages,
)
from tests.conftest import reconfigure
from wizard.accounts.models import Account
from wizard.core import clock
from wizard.extensions import db

MODES = [FR_JS, FR_NO_JS]


@pytest.fixture
def with_franceconnect(live_app, base_url, provider):
    """The live app configured for the test provider, for this test only."""
    reconfigure(live_app, **provider.config())
    yield provider
    reconfigure(live_app, **dict.fromkeys(provider.config()))


class Visit:
    """Each screen shown: axe-core's violations, and its width at 320 px (WCAG 1.4.10)."""

    def __init__(self, page, mode):
        self.page, self.mode, self.violations = page, mode, {}

    def shows(self, name, heading):
        expect(self.page.locator("h1")).to_have_text(heading)
        self.page.wait_for_load_state()
        found = axe_violations(self.page)
        REPORT.axe[f"{self.mode.id}/franceconnect:{name}"] = [v["id"] for v in found]
        viewport = self.page.viewport_size
        self.page.set_viewport_size({"width": 320, "height": 640})
        width = REPORT.reflow[f"{self.mode.id}-320px/franceconnect:{name}"] = \
            self.page.evaluate("document.documentElement.scrollWidth")
        self.page.set_viewport_size(viewport)
        if width > 320:
            found = [*found, {"id": "reflow", "scrollWidth": width}]
        if found:
            self.violations[name] = found

    def press_franceconnect(self):
        self.page.get_by_role("button", name="S’identifier avec FranceConnect").click()

    def submit(self, action):
        self.page.locator(f"#wizard-step form[action='{action}'] button[type=submit]").first.click()


def ready_to_sign_in(app, email):
    """The rest of the signup (phone, eligibility) is walked by the other browser tests."""
    with app.app_context():
        account = db.session.query(Account).filter_by(email=email).one()
        account.phone, account.phone_verified_at = "+33612345678", clock.now()
        account.code_channel_confirmed_at = account.eligible_at = clock.now()
        db.session.commit()


@pytest.mark.parametrize("mode", MODES, ids=[mode.id for mode in MODES])
def test_sign_up_sign_in_and_sign_out_through_franceconnect(open_page, live_app, with_franceconnect, mode):
    word = uuid.uuid4().hex[:8]
    email = f"isabelle.dupont+{word}@exemple.fr"
    with_franceconnect.scenario(user="isabelle", **{"as": word})
    page = open_page(js=mode.js)
    visit = Visit(page, mode)

    page.goto("/")
    visit.shows("landing", "Créer votre compte santé")
    expect(page.locator(".fr-connect-separator")).to_have_text("ou")
    visit.press_franceconnect()
    visit.shows("identity", "Étape 2 sur 5 : Votre identité")
    expect(page.locator(".from-franceconnect dd").first).to_have_text("DUPONT")
    page.locator("#identifier").fill("10203040")
    visit.submit("/inscription/identite")
    expect(page.locator("h1")).to_contain_text("Votre lien avec le contrat")
    page.locator("input[value=subscriber]").check()
    visit.submit("/inscription/qualite")
    expect(page.locator("h1")).to_contain_text("Vérifiez vos réponses")
    page.locator("#accept_terms").check()
    visit.submit("/inscription/recapitulatif")
    visit.shows("credentials", "Étape 5 sur 5 : Votre adresse e-mail et votre mot de passe")
    expect(page.locator("#email")).to_have_value(email)
    visit.submit("/inscription/identifiants")  # no password: FranceConnect only
    visit.shows("check-email", "Consultez votre messagerie")
    page.locator("#code").fill(activation_code(live_app, email))
    visit.submit("/inscription/verifiez-vos-emails")
    expect(page.locator("h1")).to_have_text("Votre compte est activé")

    ready_to_sign_in(live_app, email)
    page.goto("/connexion")
    visit.shows("sign-in", "Se connecter")
    visit.press_franceconnect()
    visit.shows("account", "Mon compte")  # no second factor
    expect(page.locator("#franceconnect-heading + p")).to_contain_text("Votre compte est lié à FranceConnect")
    # No password: "Mes données" asks a fresh sign-in at FranceConnect instead.
    page.goto("/compte/mes-donnees")
    visit.shows("my-data-reauth", "Mes données")
    expect(page.locator("input[type=password]")).to_have_count(0)
    page.get_by_role("button", name="Confirmer avec FranceConnect").click()
    expect(page).to_have_url(re.compile(r"/compte/mes-donnees/consulter$"))
    visit.shows("my-data", "Mes données")
    page.goto("/compte")
    page.locator("form[action='/deconnexion'] button").first.click()
    page.get_by_role("button", name="Me déconnecter de FranceConnect").click()  # the provider's page
    visit.shows("signed-out", "Créer votre compte santé")
    expect(page.locator(".notice")).to_have_text("Vous êtes déconnecté de votre compte et de FranceConnect.")

    with_franceconnect.scenario(user="isabelle", error="access_denied")
    visit.press_franceconnect()
    visit.shows("refused", "Vous n’avez pas autorisé la connexion avec FranceConnect")
    assert visit.violations == {}


def test_the_franceconnect_pages_are_valid_html(new_app, provider, tmp_path):
    """As the server sends them, through the Nu HTML Checker (and the style sheet)."""
    if not shutil.which("java") or not VNU_JAR.is_file():
        unavailable("java and node_modules/vnu-jar are needed for the Nu checker")
    from tests.franceconnect.support import link_sub, through_franceconnect
    from tests.views.sign_in_support import make_account
    app = new_app(**provider.config())
    client = app.test_client()
    pages = {"landing": client.get("/"), "sign-in": client.get("/connexion")}
    through_franceconnect(client, provider, "isabelle", error="access_denied", error_description="refus")
    pages["refused"] = through_franceconnect(client, provider, "isabelle", error="server_error",
                                             error_description="panne")
    through_franceconnect(client, provider, "isabelle")
    pages["identity"] = client.get("/inscription/identite")
    link_sub(app, make_account(app), "a1f7c3e9d2b84f6a9e0c5b7d3f1a2e4c6b8d0f2a4c6e8b0d2f4a6c8e0b2d4f6a8v1")
    through_franceconnect(client, provider, "jean")
    pages["account"] = client.get("/compte")
    for name, response in pages.items():
        assert response.status_code == (400 if name == "refused" else 200), name  # a provider's error
        (tmp_path / f"{name}.html").write_bytes(response.get_data())
    assert nu_checker_messages(sorted(tmp_path.glob("*.html")))[0] == []


@pytest.mark.parametrize("mode", [EN_JS, EN_NO_JS], ids=[EN_JS.id, EN_NO_JS.id])
def test_in_english_the_button_the_identity_step_and_a_failure(open_page, with_franceconnect, mode):
    with_franceconnect.scenario(user="marie", **{"as": uuid.uuid4().hex[:8]})
    page = open_page(js=mode.js)
    visit = Visit(page, mode)
    page.goto("/")
    page.get_by_role("button", name=WORDS["fr"]["switch"]).click()
    visit.shows("landing", "Create your health account")
    page.get_by_role("button", name="Sign in with FranceConnect").click()
    visit.shows("identity", "Step 2 of 5: Your identity")
    expect(page.locator(".from-franceconnect h2")).to_have_text("From FranceConnect")
    page.goto("/connexion")
    with_franceconnect.scenario(user="marie", error="access_denied")
    page.get_by_role("button", name="Sign in with FranceConnect").click()
    visit.shows("refused", "You did not allow the sign-in with FranceConnect")
    assert visit.violations == {}


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_the_official_button_draws_under_the_content_security_policy(browser, browser_context_args, base_url,
                                                                    with_franceconnect, js):
    """The CSP enforced (the other browser tests bypass it): the DSFR's style sheet and the
    logo inside it (a data: image) load with no violation, in the component's colours; with
    the app's scripts too (htmx is told not to insert its indicator <style>)."""
    context = new_context(browser, {**browser_context_args, "bypass_csp": False, "base_url": base_url}, js=js)
    page = context.new_page()
    page.add_init_script("""window.violations = [];
        document.addEventListener('securitypolicyviolation',
                                  e => window.violations.push(`${e.violatedDirective} ${e.blockedURI}`));""")
    page.goto("/connexion")
    assert page.evaluate("document.querySelector('meta[http-equiv]')") is None  # the header's policy, not a meta
    button = page.get_by_role("button", name="S’identifier avec FranceConnect")
    logo = button.evaluate("b => getComputedStyle(b, '::before').backgroundImage")
    assert logo.startswith('url("data:image/svg+xml')
    assert button.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(0, 0, 145)"  # DSFR's blue France
    assert button.evaluate("b => getComputedStyle(b).color") == "rgb(245, 245, 254)"
    button.hover()
    expect(button).to_have_css("background-color", "rgb(18, 18, 255)")
    link = page.get_by_role("link", name="Qu’est-ce que FranceConnect ?")
    expect(link).to_have_attribute("title", "Qu’est-ce que FranceConnect ? - nouvelle fenêtre")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.violations") == []
    context.close()
