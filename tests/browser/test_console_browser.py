"""The operator's console in Chromium: a member of staff signs in (password, enrolment of
the authenticator, code) through the UI, then opens every page of the console and chooses
a period split by language; axe-core finds nothing on any of them, with the app's
JavaScript (HTMX swaps) and without it. One walk per mode."""
import shutil
from datetime import timedelta

import pytest
from conftest import unavailable  # tests/conftest.py, as the other test modules import it
from playwright.sync_api import expect

from tests.browser.support import ACTION_TIMEOUT_MS, APP_SCRIPTS, FR_JS, FR_NO_JS, REPORT, axe_violations, new_address
from tests.views.operator_support import STAFF_PASSWORD, totp_code
from wizard import settings
from wizard.core import clock
from wizard.extensions import db
from wizard.operator import events, staff

PAGES = (("Parcours", "Parcours"), ("Envois", "Envois"), ("Éligibilité", "Éligibilité"), ("Bornes", "Bornes"))


def _seed(app, email, day):
    """A member of staff, and figures for every page, some over 5, some under: the recent
    ones for the pages, and the funnel's on `day` too (the walk's own: the suite shares
    its database)."""
    with app.app_context():
        staff.create(db.session, email, STAFF_PASSWORD, settings.staff_settings(), clock.now())
        now = clock.now()
        for event, amount, keywords in (
                (events.STEP_REACHED, 12, {"step": "captcha", "context": events.Context(language="fr")}),
                (events.STEP_REACHED, 3, {"step": "captcha", "context": events.Context(language="en")}),
                (events.STEP_COMPLETED, 9, {"step": "captcha"}),
                (events.STEP_TIME, 9, {"step": "captcha", "duration": 20}),
                (events.MESSAGE_DELIVERED, 6, {"channel": "email", "detail": "activation", "duration": 4}),
                (events.ELIGIBILITY_OUTCOME, 7, {"detail": "eligible", "duration": 2}),
                (events.KIOSK_SCAN, 8, {"context": events.Context(kiosk="agence-demo")})):
            for _ in range(amount):
                events.count(db.session, event, now, **keywords)
                if event in (events.STEP_REACHED, events.STEP_COMPLETED):
                    events.count(db.session, event, day, **keywords)
        db.session.commit()


@pytest.mark.parametrize("mode", [FR_JS, FR_NO_JS], ids=lambda mode: mode.id)
def test_the_console_walked_with_and_without_javascript(browser, browser_context_args, live_app, base_url, mode):
    email = f"console-{mode.id}@mutuelle-demo.fr"
    day = clock.now() - timedelta(days=10 if mode.js else 11)
    _seed(live_app, email, day)
    context = browser.new_context(**browser_context_args,
                                  extra_http_headers={"X-Forwarded-For": new_address()})
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    if not mode.js:
        context.route(APP_SCRIPTS, lambda route: route.abort())
    page = context.new_page()
    checked = []

    def check(name):
        expect(page.locator("h1")).to_be_visible()
        assert page.evaluate("typeof window.htmx") == ("object" if mode.js else "undefined")
        violations = axe_violations(page)
        REPORT.axe[f"{mode.id}/console-{name}"] = [v["id"] for v in violations]
        assert violations == [], (name, violations)
        checked.append(name)

    try:
        page.goto("/operateur/")
        check("sign-in")
        page.get_by_label("Adresse e-mail").fill(email)
        page.locator("#password").fill(STAFF_PASSWORD)
        page.get_by_role("button", name="Continuer").click()
        expect(page.locator("h1")).to_have_text("Activez la double authentification")
        check("enrolment")
        page.get_by_label("Code à 6 chiffres").fill(totp_code(live_app, email))
        page.get_by_role("button", name="Me connecter").click()
        expect(page.locator("h1")).to_have_text("Console de l’opérateur")
        check("alerts")
        for link, heading in PAGES:
            page.get_by_role("link", name=link, exact=True).click()
            expect(page.locator("h1")).to_have_text(heading)
            expect(page.locator("svg.chart").first).to_be_visible()
            check(link)
        page.get_by_role("link", name="Parcours", exact=True).click()
        expect(page.locator("h1")).to_have_text("Parcours")
        page.get_by_label("Du", exact=True).fill(day.strftime("%d/%m/%Y"))
        page.get_by_label("Au", exact=True).fill(day.strftime("%d/%m/%Y"))
        page.get_by_label("Langue").check()
        page.get_by_role("button", name="Afficher").click()
        expect(page.locator("#table-atteintes")).to_be_visible()
        expect(page.locator(".console-note")).to_contain_text(f"Du {day:%d/%m/%Y} au {day:%d/%m/%Y}.")
        # The completions were counted without a language: a column "non renseigné", with 0.
        assert page.locator("#report-atteintes thead").inner_text().strip().split("\t") == [
            "Étape", "non renseigné", "anglais", "français", "Total"]
        assert page.locator("#report-atteintes tbody tr").first.inner_text().split("\t")[1:] \
            == ["< 5", "< 5", "12", "15"]
        check("funnel-by-language")
        page.locator("#wizard-step").get_by_role("button", name="Se déconnecter").click()
        expect(page.locator("h1")).to_have_text("Console de l’opérateur : connexion")
    finally:
        context.close()
    assert len(checked) == 8


def test_the_console_pages_are_valid_html(live_app, tmp_path):
    """As the server sends them, for the Nu HTML Checker (see test_html_validity.py)."""
    from tests.browser.support import VNU_JAR, Visitor, nu_checker_messages
    if not shutil.which("java") or not VNU_JAR.is_file():
        unavailable("java or vnu.jar not found (see test_html_validity.py)")
    email = "console-vnu@mutuelle-demo.fr"
    _seed(live_app, email, clock.now() - timedelta(days=12))
    visitor = Visitor(live_app)
    visitor.get("sign-in", "/operateur/connexion")
    visitor.post("sign-in-errors", "/operateur/connexion", {"email": "x", "password": ""})
    visitor.post("enrolment", "/operateur/connexion", {"email": email, "password": STAFF_PASSWORD})
    visitor.post("alerts", "/operateur/connexion/code", {"code": totp_code(live_app, email)})
    for slug in ("parcours", "envois", "eligibilite", "bornes"):
        visitor.get(slug, f"/operateur/{slug}")
    visitor.post("period-errors", "/operateur/parcours", {"du": "hier", "au": "", "par": "js"})
    visitor.post("split", "/operateur/parcours", {"du": "01/11/2026", "au": "30/11/2026", "par": "kiosk"})
    assert b"<svg" in visitor.pages["split"]
    files = []
    for name, html in visitor.pages.items():
        files.append(tmp_path / f"console-{name}.html")
        files[-1].write_bytes(html)
    messages, proc = nu_checker_messages(files)
    REPORT.vnu_pages.extend(path.name for path in files)
    REPORT.vnu_messages.extend(messages)
    assert messages == [] and proc.returncode == 0, proc.stderr
