"""What the browser tests share: the screens, how a person reaches each one, axe, the report.

Every screen is reached through the UI, as a person would: links, buttons and the form
fields, with the CAPTCHA passed by the ALTCHA checkbox (JavaScript on) or by typing the
spoken code (JavaScript off; the code is read from the journey held by the browser's
session cookie). The activation email is read from the outbox table, as the person would
read it in their mailbox: its code is typed, its link opened (then a damaged copy of it).
Fields are found by id so that one walk serves both languages; buttons and links by their
accessible name in the language of the walk.
"""
import re
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, expect

from wizard.extensions import db
from wizard.models import OutboxMessage
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
           "switch": "English", "create": "Créer mon compte", "activate": "Activer mon compte",
           "help": "Je n’ai pas reçu l’e-mail : que faire ?", "change": "Modifier l’adresse e-mail",
           "back-to-check": "Retour à la page « Consultez votre messagerie »", "back": "Retour"},
    "en": {"continue": "Continue", "confirm": "Confirm and continue", "start": "Create my account",
           "switch": "Français", "create": "Create my account", "activate": "Activate my account",
           "help": "I did not get the email: what can I do?", "change": "Change the email address",
           "back-to-check": "Back to ‘Check your email’", "back": "Back"},
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


def _page(name, url, fr, en, errors=0):
    return Screen(name, url, {"fr": fr, "en": en}, step=False, errors=errors)


# In the order a walk meets them: the pages around the journey, then the journey itself
# (as a beneficiary, so that the subscriber step is met), then the account's activation.
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
    _step("credentials", r"/inscription/identifiants$", "Votre adresse e-mail et votre mot de passe",
          "Your email address and password"),
    _step("credentials-errors", r"/inscription/identifiants$", "Votre adresse e-mail et votre mot de passe",
          "Your email address and password", errors=4),
    _page("check-email", r"/inscription/verifiez-vos-emails$", "Consultez votre messagerie", "Check your email"),
    _page("check-email-wrong-code", r"/inscription/verifiez-vos-emails$", "Consultez votre messagerie",
          "Check your email", errors=1),
    _page("email-help", r"/inscription/email-non-recu$", "Vous n’avez pas reçu l’e-mail d’activation ?",
          "Not received the activation email?"),
    _page("change-email", r"/inscription/adresse-email$", "Modifier votre adresse e-mail", "Change your email address"),
    _page("activation-link", r"/inscription/activation/[^/]+$", "Activez votre compte", "Activate your account"),
    _page("activated", r"/inscription/compte-active$", "Votre compte est activé", "Your account is activated"),
    _page("link-used", r"/inscription/activation/[^/]+$", "Votre compte est déjà activé",
          "Your account is already activated"),
    _page("link-invalid", r"/inscription/activation/[^/]+$", "Ce lien d’activation n’est pas valide",
          "This activation link is not valid"),
]
BY_NAME = {screen.name: screen for screen in SCREENS}
ALL_SCREENS = [screen.name for screen in SCREENS]

IDENTITY = {"last_name": "Dupont", "first_name": "Jean", "birth_date-day": "6", "birth_date-month": "3",
            "birth_date-year": "1977", "identifier": "10203050"}
SUBSCRIBER = {"subscriber_last_name": "Dupont", "subscriber_first_name": "Isabelle",
              "subscriber_birth_date-day": "21", "subscriber_birth_date-month": "12",
              "subscriber_birth_date-year": "1980"}
# Strong, and holds none of the names and dates above (the policy refuses personal data).
PASSWORD = "Tournesol-Bleu-2026!"


def new_email(prefix: str = "walk") -> str:
    """A fresh address: the server is shared by the whole session, and an address is taken once."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}@exemple.fr"


def credentials(email: str, password: str = PASSWORD) -> dict:
    """The credentials step's fields, by id."""
    return {"email": email, "email_confirmation": email, "password": password, "password_confirmation": password}


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


# --- the activation email (kept in the outbox table: the test config has no MAIL_SERVER) ------

def newest_mail(app, recipient: str) -> str:
    """The text of the newest email queued for `recipient`."""
    with app.app_context():
        message = db.session.query(OutboxMessage).filter_by(recipient=recipient.lower()) \
            .order_by(OutboxMessage.id.desc()).first()
        assert message is not None, f"no email for {recipient} in the outbox"
        return message.body_text


def activation_code(app, recipient: str) -> str:
    """The 6-digit code of the newest activation email to `recipient`."""
    return re.search(r"^\s*(\d{6})\s*$", newest_mail(app, recipient), re.MULTILINE).group(1)


def activation_link(app, recipient: str) -> str:
    """The path of the link in the newest activation email to `recipient` (the email's
    host is PUBLIC_BASE_URL, not the live server's)."""
    return re.search(r"https?://[^/\s]+(/inscription/activation/\S+)", newest_mail(app, recipient)).group(1)


def damaged(link: str) -> str:
    """`link` with the end of its signature changed (its first 3 characters at least, so that
    the base64 decodes to other bytes: a last character may differ in padding bits only)."""
    return link[:-4] + ("AAAA" if link[-4:-1] == "xxx" else "xxxx")


# --- moving through the screens --------------------------------------------------------------

@contextmanager
def live_check_settled(page: Page):
    """Around typing in the password: on leaving the block, the live check of the password
    rules has been answered, swapped in and settled (every htmx:afterSettle listener run)."""
    page.evaluate("""() => { window.__liveCheck = new Promise(resolve => {
        const settled = event => {
            if (event.target.id !== 'password-rules-list') return;
            document.removeEventListener('htmx:afterSettle', settled);
            setTimeout(resolve);  // after the listeners that come after this one
        };
        document.addEventListener('htmx:afterSettle', settled);
    }); }""")
    yield
    page.evaluate("window.__liveCheck")


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
    expect(page.locator("#error-summary li")).to_have_count(screen.errors)
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
        self.context = self.page = self.first_tab = None
        self.position = -1
        self.email = self.link = None

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
        self.page = self.first_tab = self.context.new_page()
        self.position = -1
        self.email = new_email(f"walk-{self.mode.id}")
        self.link = None

    def close(self) -> None:
        if self.context is not None:
            self.context.close()
        self.context = self.page = self.first_tab = None
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

    def _credentials(self):
        self.page.locator("#accept_terms").check()
        button(self.page, self.mode.lang, "confirm").click()
        expect(self.page).not_to_have_url(re.compile(BY_NAME["summary"].url))
        assert re.search(BY_NAME["credentials"].url, self.page.url), (
            f"after the summary the journey goes on to {self.page.url}: give that new step a move "
            "and a Screen in tests/browser/support.py")
        arrive(self.page, self.mode, "credentials", swapped=self.mode.js)

    def _credentials_errors(self):
        """A weak password and nothing else: with JavaScript, the checklist ticks what it
        meets before the form is sent; without, the server ticks it on the page it sends."""
        self.page.locator("#password").fill("abc")
        if self.mode.js:
            expect(self.page.locator("#password-rules-list li[data-rule=lower]")).to_have_class(
                re.compile(r"\bpassword-rule--met\b"))
        button(self.page, self.mode.lang, "create").click()
        arrive(self.page, self.mode, "credentials-errors", swapped=self.mode.js)
        expect(self.page.locator("#password-rules-list .password-rule--unmet").first).to_be_attached()

    def _check_email(self):
        fill(self.page, credentials(self.email))
        if self.mode.js:  # the live check has answered for this password before the form is sent
            expect(self.page.locator("#password-rules-list li:not(.password-rule--met)")).to_have_count(0)
        button(self.page, self.mode.lang, "create").click()
        arrive(self.page, self.mode, "check-email", swapped=self.mode.js)

    def _check_email_wrong_code(self):
        self.page.locator("#code").fill(wrong_code(activation_code(self.app, self.email)))
        button(self.page, self.mode.lang, "activate").click()
        arrive(self.page, self.mode, "check-email-wrong-code", swapped=self.mode.js)

    def _link(self, word, name):
        # A back link's name starts with the "‹ " its style sheet draws before it.
        link_name = re.compile(f"^(‹ )?{re.escape(WORDS[self.mode.lang][word])}$")
        self.page.locator("#wizard-step").get_by_role("link", name=link_name).click()
        arrive(self.page, self.mode, name, swapped=self.mode.js)

    def _change_email(self):
        self._link("back-to-check", "check-email")
        self._link("change", "change-email")

    def _activation_link(self):
        """The email's link, opened in a new tab (as from a webmail); nothing is pressed."""
        self.link = activation_link(self.app, self.email)
        self.page = self.context.new_page()
        self.page.goto(self.link)
        arrive(self.page, self.mode, "activation-link")

    def _activated(self):
        """Back in the first tab: the person types the code of the email instead."""
        self.page.close()
        self.page = self.first_tab
        self.page.bring_to_front()
        self._link("back", "check-email")
        self.page.locator("#code").fill(activation_code(self.app, self.email))
        button(self.page, self.mode.lang, "activate").click()
        arrive(self.page, self.mode, "activated", swapped=self.mode.js)

    def _link_used(self):
        """The email's link opened again, once the account is active."""
        assert self.page.goto(self.link).status == 200
        arrive(self.page, self.mode, "link-used")

    def _link_invalid(self):
        assert self.page.goto(damaged(self.link)).status == 400
        arrive(self.page, self.mode, "link-invalid")


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
    "credentials": Walker._credentials,
    "credentials-errors": Walker._credentials_errors,
    "check-email": Walker._check_email,
    "check-email-wrong-code": Walker._check_email_wrong_code,
    "email-help": lambda w: w._link("help", "email-help"),
    "change-email": Walker._change_email,
    "activation-link": Walker._activation_link,
    "activated": Walker._activated,
    "link-used": Walker._link_used,
    "link-invalid": Walker._link_invalid,
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
