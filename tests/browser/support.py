"""What the browser tests share: the screens, how a person reaches each one, axe, the report.

Every screen is reached through the UI, as a person would: links, buttons and the form
fields, with the CAPTCHA passed by the ALTCHA checkbox (JavaScript on) or by typing the
spoken code (JavaScript off; the code is read from the journey held by the browser's
session cookie). Fields are found by id so that one walk serves both languages; buttons
and links by their accessible name in the language of the walk.
"""
import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, expect

from wizard.extensions import db
from wizard.services import clock, journeys

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# WCAG 2.0, 2.1 and 2.2 levels A and AA, and axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
APP_SCRIPTS = re.compile(r"/static/.*\.js(\?.*)?$")
ACTION_TIMEOUT_MS = 10_000


@dataclass(frozen=True)
class Mode:
    """How the browser sees the app: language, the app's JavaScript, viewport width."""

    lang: str
    js: bool
    width: int | None = None

    @property
    def id(self) -> str:
        return f"{self.lang}-{'js' if self.js else 'no-app-js'}" + (f"-{self.width}px" if self.width else "")


FR_JS, FR_NO_JS, EN_JS, EN_NO_JS = Mode("fr", True), Mode("fr", False), Mode("en", True), Mode("en", False)

WORDS = {
    "fr": {"continue": "Continuer", "confirm": "Confirmer et continuer", "start": "Créer mon compte",
           "switch": "English"},
    "en": {"continue": "Continue", "confirm": "Confirm and continue", "start": "Create my account",
           "switch": "Français"},
}


@dataclass(frozen=True)
class Screen:
    name: str
    url: str  # a regular expression matched against the path
    title: dict  # lang -> the screen's title: the h1, after "Étape X sur N : " on a step
    step: bool = True  # a numbered step of the journey: "Étape X sur N : <title>"
    errors: int = 0  # problems listed in the error summary

    def heading(self, lang: str):
        return step_heading(lang, self.title[lang]) if self.step else self.title[lang]


def step_heading(lang: str, title: str) -> re.Pattern:
    """A step's h1. Its numbers change whenever a step is added to the journey, so only
    their form is checked here (tests/test_steps.py checks the counting)."""
    count = {"fr": r"Étape \d+ sur \d+ : ", "en": r"Step \d+ of \d+: "}[lang]
    return re.compile(f"^{count}{re.escape(title)}$")


def _step(name, url, fr, en, errors=0):
    return Screen(name, url, {"fr": fr, "en": en}, errors=errors)


def _page(name, url, fr, en):
    return Screen(name, url, {"fr": fr, "en": en}, step=False)


# In the order a walk meets them: the pages around the journey, then the journey itself
# (as a beneficiary, so that the subscriber step is met).
SCREENS = [
    _page("landing", r"/$", "Créer votre compte santé", "Create your health account"),
    _page("terms", r"/conditions-generales$", "Conditions générales d’utilisation", "Terms of use"),
    _page("privacy", r"/confidentialite$", "Politique de confidentialité", "Privacy policy"),
    _page("accessibility", r"/accessibilite$", "Déclaration d’accessibilité", "Accessibility statement"),
    _page("not-found", r"/cette-page-n-existe-pas$", "Page introuvable", "Page not found"),
    _step("captcha", r"/inscription/verification$", "Vérification de sécurité", "Security check"),
    _step("captcha-wrong-code", r"/inscription/verification$", "Vérification de sécurité", "Security check",
          errors=1),
    _step("identity", r"/inscription/identite$", "Votre identité", "Your identity"),
    _step("identity-errors", r"/inscription/identite$", "Votre identité", "Your identity", errors=4),
    _step("role", r"/inscription/qualite$", "Votre lien avec le contrat", "Your link to the policy"),
    _step("subscriber", r"/inscription/souscripteur$", "Le souscripteur du contrat", "The policyholder"),
    _step("summary", r"/inscription/recapitulatif$", "Vérifiez vos réponses", "Check your answers"),
    _page("done", r"/inscription/fin$", "Vos réponses sont enregistrées", "Your answers have been saved"),
]
BY_NAME = {screen.name: screen for screen in SCREENS}
ALL_SCREENS = [screen.name for screen in SCREENS]

IDENTITY = {"last_name": "Dupont", "first_name": "Jean", "birth_date-day": "6", "birth_date-month": "3",
            "birth_date-year": "1977", "identifier": "10203050"}
SUBSCRIBER = {"subscriber_last_name": "Dupont", "subscriber_first_name": "Isabelle",
              "subscriber_birth_date-day": "21", "subscriber_birth_date-month": "12",
              "subscriber_birth_date-year": "1980"}


# --- the journey behind the browser ---------------------------------------------------------

def spoken_code(app, context: BrowserContext) -> str:
    """The CAPTCHA code of the journey this browser context holds (from its session cookie)."""
    cookie = next(c for c in context.cookies() if c["name"] == app.config["SESSION_COOKIE_NAME"])
    session = app.session_interface.get_signing_serializer(app).loads(cookie["value"])
    return journey_code(app, session["journey"])


def journey_code(app, token: str) -> str:
    """The CAPTCHA code of the journey held by the session token `token`."""
    with app.app_context():
        idle = timedelta(minutes=app.config["JOURNEY_IDLE_MINUTES"])
        journey = journeys.find(db.session, token, clock.now(), idle)
        assert journey is not None and journey.captcha_code, "no spoken code for this journey"
        return journey.captcha_code


def wrong_code(code: str) -> str:
    return code[:-1] + str((int(code[-1]) + 1) % 10)


# --- moving through the screens --------------------------------------------------------------

def fill(page: Page, values: dict) -> None:
    for field_id, value in values.items():
        page.locator(f"#{field_id}").fill(value)


def button(page: Page, lang: str, word: str):
    return page.locator("#wizard-step").get_by_role("button", name=WORDS[lang][word], exact=True)


def pass_altcha(page: Page) -> None:
    """Ticks the ALTCHA box and waits for the proof of work to be solved."""
    checkbox = page.locator("altcha-widget input[type=checkbox]")
    expect(checkbox).to_be_visible()
    # The widget draws its tick (an SVG, invisible until checked) over the box, which
    # Playwright's hit check refuses to click through: click the box's label instead.
    page.locator(f"altcha-widget label[for='{checkbox.get_attribute('id')}']").click()
    expect(page.locator("altcha-widget input[name=altcha]")).not_to_have_value("")


def arrive(page: Page, mode: Mode, name: str, swapped: bool = False) -> None:
    """Waits until `name` is shown, and, after an HTMX swap, until focus has moved."""
    screen = BY_NAME[name]
    expect(page).to_have_url(re.compile(screen.url))
    page.wait_for_load_state()  # the h1 is there before the deferred scripts have run
    expect(page.locator("h1")).to_have_text(screen.heading(mode.lang))
    expect(page.locator("html")).to_have_attribute("lang", mode.lang)
    if swapped:
        expect(page.locator("#error-summary" if screen.errors else "#step-heading")).to_be_focused()
    if mode.js and name.startswith("captcha"):
        expect(page.locator("altcha-widget input[type=checkbox]")).to_be_visible()


class Walker:
    """One browser context walking the screens in order, as far as a test asks.

    Tests ask for screens in order, so one walk serves them all; asking for a screen
    already passed starts a new journey in a new context.
    """

    def __init__(self, browser, context_args: dict, app, mode: Mode):
        self.browser, self.context_args, self.app, self.mode = browser, context_args, app, mode
        self.context = self.page = None
        self.position = -1

    def at(self, name: str) -> Page:
        target = ALL_SCREENS.index(name)
        if self.page is None or self.position > target:
            self._restart()
        try:
            while self.position < target:
                _MOVES[ALL_SCREENS[self.position + 1]](self)
                self.position += 1
        except BaseException:
            self.close()
            raise
        return self.page

    def _restart(self) -> None:
        self.close()
        args = dict(self.context_args)
        if self.mode.width:
            args["viewport"] = {"width": self.mode.width, "height": 640}
        self.context = new_context(self.browser, args, js=self.mode.js)
        self.page = self.context.new_page()
        self.position = -1

    def close(self) -> None:
        if self.context is not None:
            self.context.close()
        self.context = self.page = None
        self.position = -1

    # Each move goes from the screen before to the named one.
    def _landing(self):
        self.page.goto("/")
        if self.mode.lang != "fr":
            self.page.get_by_role("button", name=WORDS["fr"]["switch"]).click()
        arrive(self.page, self.mode, "landing")

    def _footer_link(self, href, name):
        self.page.locator(f"footer a[href='{href}']").click()
        arrive(self.page, self.mode, name)

    def _not_found(self):
        response = self.page.goto("/cette-page-n-existe-pas")
        assert response.status == 404
        arrive(self.page, self.mode, "not-found")

    def _captcha(self):
        self.page.locator("header").get_by_role("link").first.click()  # the service name: home
        self.page.get_by_role("link", name=WORDS[self.mode.lang]["start"]).click()
        arrive(self.page, self.mode, "captcha")

    def _captcha_wrong_code(self):
        self.page.locator("#code").fill(wrong_code(spoken_code(self.app, self.context)))
        button(self.page, self.mode.lang, "continue").click()
        arrive(self.page, self.mode, "captcha-wrong-code", swapped=self.mode.js)

    def _identity(self):
        if self.mode.js:
            pass_altcha(self.page)
        else:
            self.page.locator("#code").fill(spoken_code(self.app, self.context))
        button(self.page, self.mode.lang, "continue").click()
        arrive(self.page, self.mode, "identity", swapped=self.mode.js)

    def _identity_errors(self):
        button(self.page, self.mode.lang, "continue").click()
        arrive(self.page, self.mode, "identity-errors", swapped=self.mode.js)

    def _role(self):
        fill(self.page, IDENTITY)
        button(self.page, self.mode.lang, "continue").click()
        arrive(self.page, self.mode, "role", swapped=self.mode.js)

    def _subscriber(self):
        self.page.locator("#role-1").check()  # beneficiary
        button(self.page, self.mode.lang, "continue").click()
        arrive(self.page, self.mode, "subscriber", swapped=self.mode.js)

    def _summary(self):
        fill(self.page, SUBSCRIBER)
        button(self.page, self.mode.lang, "continue").click()
        arrive(self.page, self.mode, "summary", swapped=self.mode.js)

    def _done(self):
        self.page.locator("#accept_terms").check()
        button(self.page, self.mode.lang, "confirm").click()
        expect(self.page).not_to_have_url(re.compile(BY_NAME["summary"].url))
        assert re.search(BY_NAME["done"].url, self.page.url), (
            f"after the summary the journey goes on to {self.page.url}: give that new step a move "
            "and a Screen in tests/browser/support.py")
        arrive(self.page, self.mode, "done", swapped=self.mode.js)


_MOVES = {
    "landing": Walker._landing,
    "terms": lambda w: w._footer_link("/conditions-generales", "terms"),
    "privacy": lambda w: w._footer_link("/confidentialite", "privacy"),
    "accessibility": lambda w: w._footer_link("/accessibilite", "accessibility"),
    "not-found": Walker._not_found,
    "captcha": Walker._captcha,
    "captcha-wrong-code": Walker._captcha_wrong_code,
    "identity": Walker._identity,
    "identity-errors": Walker._identity_errors,
    "role": Walker._role,
    "subscriber": Walker._subscriber,
    "summary": Walker._summary,
    "done": Walker._done,
}
assert list(_MOVES) == ALL_SCREENS


def new_context(browser, context_args: dict, js: bool = True, **kwargs) -> BrowserContext:
    """A context; with js=False the app's own scripts are blocked (axe still runs)."""
    context = browser.new_context(**context_args, **kwargs)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    if not js:
        context.route(APP_SCRIPTS, lambda route: route.abort())
    return context


# --- axe-core -----------------------------------------------------------------------------

_axe_source = None


def axe_violations(page: Page) -> list[dict]:
    global _axe_source
    if _axe_source is None:
        _axe_source = AXE_JS.read_text(encoding="utf-8")
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(_axe_source)  # not subject to the page's CSP, unlike a <script> tag
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS)
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [{"target": n["target"], "summary": n["failureSummary"]} for n in v["nodes"]]}
            for v in result["violations"]]


# --- what the session checked, for reports/browser.txt ---------------------------------------

@dataclass
class Report:
    axe: dict = field(default_factory=dict)  # "mode/screen" -> violation ids
    reflow: dict = field(default_factory=dict)  # "mode/screen" -> scrollWidth
    vnu_pages: list = field(default_factory=list)
    vnu_messages: list = field(default_factory=list)

    def lines(self) -> list[str]:
        if not (self.axe or self.reflow or self.vnu_pages):
            return []
        failing = {key: ids for key, ids in self.axe.items() if ids}
        too_wide = {key: width for key, width in self.reflow.items() if width > 320}
        lines = [f"axe-core ({', '.join(AXE_TAGS)}): {len(self.axe)} screens checked, "
                 f"{sum(len(ids) for ids in self.axe.values())} violations"]
        lines += [f"  {key}: {', '.join(ids)}" for key, ids in sorted(failing.items())]
        lines.append(f"reflow at 320 CSS px: {len(self.reflow)} screens checked, {len(too_wide)} scroll sideways")
        lines += [f"  {key}: scrollWidth {width}" for key, width in sorted(too_wide.items())]
        lines.append(f"Nu HTML Checker: {len(self.vnu_pages)} pages (and sesame.css) validated, "
                     f"{len(self.vnu_messages)} errors")
        lines += [f"  {message}" for message in self.vnu_messages[:20]]
        return lines


REPORT = Report()
