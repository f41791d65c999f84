"""What the browser tests share: the screens, how a person reaches each one, axe, the report.

Every screen is reached through the UI, as a person would: links, buttons and the form
fields, with the CAPTCHA passed by the ALTCHA checkbox (JavaScript on) or by typing the
spoken code (JavaScript off; the code is derived from the token in the browser's session
cookie, as the server derives it). The activation email is read from the outbox table, as the person would
read it in their mailbox: its code is typed, its link opened (then a damaged copy of it);
so is the phone's SMS. The lock screens, which a person meets after an hour of attempts,
are reached by writing the earlier attempts into their tables, and left by making those
rows older, as time would. Fields are found by id so that one walk serves both languages;
buttons and links by their accessible name in the language of the walk.

After the signup's screens (SCREENS, walked by Walker), the kiosk's pages (KIOSK_SCREENS,
walked by KioskWalker). Each walk comes from an address of its own (new_address).
"""
import itertools
import json
import os
import re
import subprocess
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import requests
from playwright.sync_api import BrowserContext, Page, expect

from wizard.accounts.models import Account
from wizard.codes.models import OneTimeCode
from wizard.core import clock
from wizard.eligibility.models import EligibilityCheck
from wizard.extensions import db
from wizard.messaging.models import OutboxMessage
from wizard.web import spoken_code as spoken_codes

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
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
           "back-to-check": "Retour à la page « Consultez votre messagerie »", "back": "Retour",
           "send-code": "Recevoir mon code", "validate": "Valider",
           "change-phone": "Modifier le numéro ou recevoir le code par e-mail",
           "check-eligibility": "Confirmer mon éligibilité", "correct": "Corriger mes informations",
           "save-correction": "Enregistrer et relancer la vérification", "kiosk-screen": "Écran de la borne",
           "handoff": "Continuer sur mon téléphone", "on-kiosk": "M’inscrire sur cette borne",
           "franceconnect": "S’identifier avec FranceConnect"},
    "en": {"continue": "Continue", "confirm": "Confirm and continue", "start": "Create my account",
           "switch": "Français", "create": "Create my account", "activate": "Activate my account",
           "help": "I did not get the email: what can I do?", "change": "Change the email address",
           "back-to-check": "Back to ‘Check your email’", "back": "Back",
           "send-code": "Send me my code", "validate": "Confirm",
           "change-phone": "Change the number or get the code by email",
           "check-eligibility": "Confirm my eligibility", "correct": "Correct my details",
           "save-correction": "Save and check again", "kiosk-screen": "Kiosk screen",
           "handoff": "Continue on my phone", "on-kiosk": "Sign up on this kiosk",
           "franceconnect": "Sign in with FranceConnect"},
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


WAITING_FR, WAITING_EN = ("Vérification de l’éligibilité auprès de votre complémentaire",
                          "Checking your eligibility with your insurer")

# In the order a walk meets them: the pages around the journey, then the journey itself
# (as a beneficiary, so that the subscriber step is met), then the account's activation.
SCREENS = [
    _page("landing", r"/$", "Créer votre compte santé", "Create your health account"),
    _page("terms", r"/conditions-generales$", "Conditions générales d’utilisation", "Terms of use"),
    _page("privacy", r"/confidentialite$", "Politique de confidentialité", "Privacy policy"),
    _page("accessibility", r"/accessibilite$", "Déclaration d’accessibilité", "Accessibility statement"),
    _page("accessibility-audit", r"/accessibilite/audit$", "Résultats de l’audit RGAA 4.1", "RGAA 4.1 audit results"),
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
    # The phone: its lock is met first (earlier codes are put in the table), then, an hour
    # later (those codes made older), the code is sent, typed wrong, then right.
    _step("phone", r"/inscription/telephone$", "Votre téléphone portable", "Your mobile phone"),
    _page("phone-locked", r"/inscription/telephone$", "Trop de codes demandés", "Too many codes requested"),
    _page("phone-code", r"/inscription/telephone/code$", "Saisissez le code reçu", "Enter the code you received"),
    _page("phone-code-wrong", r"/inscription/telephone/code$", "Saisissez le code reçu",
          "Enter the code you received", errors=1),
    _page("phone-confirmed", r"/inscription/telephone/confirme$", "Votre téléphone est confirmé",
          "Your phone is confirmed"),
    # Eligibility: the walk typed the subscriber's year of birth wrong (SUBSCRIBER_AS_TYPED),
    # so the insurer's answer is a mismatch; back at the step, tried again, the check is locked
    # (earlier refusals are put in the table); hours later the person corrects the year, and
    # the corrected answers are checked at once: eligible.
    _step("eligibility", r"/inscription/eligibilite$", "Confirmer l’éligibilité à nos services",
          "Confirm you are eligible for our services"),
    _page("eligibility-mismatch", r"/inscription/verification-en-cours$", WAITING_FR, WAITING_EN),
    _step("eligibility-retry", r"/inscription/eligibilite$", "Confirmer l’éligibilité à nos services",
          "Confirm you are eligible for our services"),
    _page("eligibility-locked", r"/inscription/eligibilite$", "Trop d’essais", "Too many attempts"),
    _page("correction", r"/inscription/eligibilite/corriger$", "Corriger mes informations", "Correct my details"),
    _page("eligible", r"/inscription/verification-en-cours$", WAITING_FR, WAITING_EN),
    _page("link-used", r"/inscription/activation/[^/]+$", "Votre compte est déjà activé",
          "Your account is already activated"),
    _page("link-invalid", r"/inscription/activation/[^/]+$", "Ce lien d’activation n’est pas valide",
          "This activation link is not valid"),
]
ALL_SCREENS = [screen.name for screen in SCREENS]

# The kiosk's pages, walked by a KioskWalker: the poster, the kiosk's screen, the page where
# a phone types the code shown (wrong, then right), the hand-off to another device, and a
# step on the kiosk's own browser (kiosk mode: the idle warning is in the page).
KIOSK = "agence-test"
KIOSK_SCREENS = [
    _page("poster", rf"/borne/affiche\?kiosque={KIOSK}$", "Activez votre espace santé depuis votre téléphone",
          "Activate your health account from your phone"),
    _page("kiosk", rf"/borne\?kiosque={KIOSK}$", "Créez votre compte depuis votre téléphone",
          "Create your account from your phone"),
    _page("typed-code", r"/code$", "Saisir le code affiché", "Enter the code shown"),
    _page("typed-code-wrong", r"/code$", "Saisir le code affiché", "Enter the code shown", errors=1),
    _page("handoff", r"/inscription/continuer-sur-mon-telephone$", "Continuer sur votre téléphone",
          "Continue on your phone"),
    _step("kiosk-mode", r"/inscription/verification$", "Vérification de sécurité", "Security check"),
]
ALL_KIOSK_SCREENS = [screen.name for screen in KIOSK_SCREENS]

# What FranceConnect adds, walked by a FranceConnectWalker with FranceConnect configured:
# its button on the landing and sign-in pages, a failure's page (consent refused), then a
# signup through it (the identity step filled in from FranceConnect).
FRANCECONNECT_SCREENS = [
    _page("franceconnect-landing", r"/$", "Créer votre compte santé", "Create your health account"),
    _page("franceconnect-sign-in", r"/connexion$", "Se connecter", "Sign in"),
    _page("franceconnect-refused", r"/franceconnect/retour\?",
          "Vous n’avez pas autorisé la connexion avec FranceConnect",
          "You did not allow the sign-in with FranceConnect"),
    _step("franceconnect-identity", r"/inscription/identite$", "Votre identité", "Your identity"),
]
ALL_FRANCECONNECT_SCREENS = [screen.name for screen in FRANCECONNECT_SCREENS]
# Signing in (an account made complete beforehand), Mon compte (its changes, data and
# closure, not confirmed: the walk goes on), the password changed, signing out, then the
# forgotten password; walked by a SignInWalker.
SIGN_IN_SCREEN_LIST = [
    _page("sign-in", r"/connexion$", "Se connecter", "Sign in"),
    _page("sign-in-errors", r"/connexion$", "Se connecter", "Sign in", errors=2),
    _page("sign-in-channel", r"/connexion/verification$", "Sécurisez votre connexion", "Secure your sign-in"),
    _page("sign-in-code", r"/connexion/code$", "Saisissez votre code de sécurité", "Enter your security code"),
    _page("sign-in-code-errors", r"/connexion/code$", "Saisissez votre code de sécurité", "Enter your security code",
          errors=1),
    _page("without-phone", r"/connexion/sans-telephone$", "Je n’ai plus accès à mon téléphone",
          "I no longer have access to my phone"),
    _page("account", r"/compte$", "Mon compte", "My account"),
    _page("account-phone", r"/compte/telephone$", "Changer de téléphone portable", "Change mobile phone"),
    _page("account-phone-errors", r"/compte/telephone$", "Changer de téléphone portable", "Change mobile phone",
          errors=2),
    _page("phone-reauth", r"/compte/telephone/verification$", "Confirmez qu’il s’agit bien de vous",
          "Confirm it is you"),
    _page("account-email", r"/compte/adresse$", "Changer d’adresse e-mail", "Change email address"),
    _page("account-email-errors", r"/compte/adresse$", "Changer d’adresse e-mail", "Change email address", errors=3),
    _page("new-email-code", r"/compte/adresse/code$", "Confirmez la nouvelle adresse", "Confirm the new address"),
    _page("new-email-link", r"/compte/adresse/lien/[^/]+$", "Confirmer ma nouvelle adresse", "Confirm my new address"),
    _page("new-email-link-refused", r"/compte/adresse/lien/[^/]+$", "Ce lien ne fonctionne plus",
          "This link no longer works"),
    _page("consents", r"/compte/consentements$", "Informations commerciales : mes choix",
          "Marketing information: my choices"),
    _page("my-data-password", r"/compte/mes-donnees$", "Mes données", "My data"),
    _page("my-data", r"/compte/mes-donnees/consulter$", "Mes données", "My data"),
    _page("close-account", r"/compte/fermer$", "Fermer mon compte", "Close my account"),
    _page("not-me-refused", r"/compte/ce-n-etait-pas-moi/[^/]+$", "Ce lien ne fonctionne plus",
          "This link no longer works"),
    _page("change-password", r"/compte/mot-de-passe$", "Changer mon mot de passe", "Change my password"),
    _page("change-password-errors", r"/compte/mot-de-passe$", "Changer mon mot de passe", "Change my password",
          errors=3),
    _page("password-changed", r"/compte/mot-de-passe/modifie$", "Votre mot de passe est modifié",
          "Your password has been changed"),
    _page("signed-out", r"/deconnexion$", "Vous êtes déconnecté", "You are signed out"),
    _page("forgotten", r"/mot-de-passe-oublie$", "Mot de passe oublié", "Forgotten password"),
    _page("forgotten-errors", r"/mot-de-passe-oublie$", "Mot de passe oublié", "Forgotten password", errors=1),
    _page("reset-check-email", r"/mot-de-passe-oublie/code$", "Consultez votre messagerie", "Check your email"),
    _page("reset-check-email-errors", r"/mot-de-passe-oublie/code$", "Consultez votre messagerie",
          "Check your email", errors=1),
    _page("reset-new", r"/mot-de-passe-oublie/nouveau$", "Choisissez un nouveau mot de passe",
          "Choose a new password"),
    _page("reset-done", r"/mot-de-passe-oublie/termine$", "Votre mot de passe est modifié",
          "Your password has been changed"),
    _page("reset-link-refused", r"/mot-de-passe-oublie/lien/[^/]+$", "Ce lien n’est pas valable",
          "This link is not valid"),
]
SIGN_IN_SCREENS = [screen.name for screen in SIGN_IN_SCREEN_LIST]
WALKED = SCREENS + KIOSK_SCREENS + FRANCECONNECT_SCREENS + SIGN_IN_SCREEN_LIST
BY_NAME = {screen.name: screen for screen in WALKED}
assert len(BY_NAME) == len(WALKED), "a screen name is used twice"

IDENTITY = {"last_name": "Dupont", "first_name": "Jean", "birth_date-day": "6", "birth_date-month": "3",
            "birth_date-year": "1977", "identifier": "10203050"}
SUBSCRIBER = {"subscriber_last_name": "Dupont", "subscriber_first_name": "Isabelle",
              "subscriber_birth_date-day": "21", "subscriber_birth_date-month": "12",
              "subscriber_birth_date-year": "1980"}
# What the walk types at the subscriber step: a wrong year of birth, that the insurer's
# check finds and the correction page puts right (the demo directory has 21/12/1980).
SUBSCRIBER_AS_TYPED = {**SUBSCRIBER, "subscriber_birth_date-year": "1981"}
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
    """The CAPTCHA code this browser context is shown (derived from its session cookie)."""
    cookie = next(c for c in context.cookies() if c["name"] == app.config["SESSION_COOKIE_NAME"])
    return cookie_code(app, cookie["value"])


def cookie_code(app, cookie: str) -> str:
    """The CAPTCHA code a session cookie's token stands for."""
    code = spoken_codes.code_in(app.session_interface.get_signing_serializer(app).loads(cookie),
                                app.config["SECRET_KEY"])
    assert code, "no spoken code in this cookie"
    return code


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


_addresses = itertools.count(1)


def new_address() -> str:
    """A client address of its own, sent as X-Forwarded-For (the live app trusts one proxy):
    the limits per address that the configuration does not raise apply to one walk only."""
    n = next(_addresses)
    return f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"


def new_phone() -> str:
    """A fresh mobile number in E.164: codes are counted per number too, across accounts."""
    return "+3361" + f"{uuid.uuid4().int % 10**7:07d}"


def national(phone: str) -> str:
    """+33612345678 -> 06 12 34 56 78, as a person types their number."""
    digits = "0" + phone[3:]
    return " ".join(digits[i:i + 2] for i in range(0, 10, 2))


def sms_code(app, phone: str) -> str:
    """The code of the newest SMS to `phone` (E.164): the text starts with it."""
    with app.app_context():
        message = db.session.query(OutboxMessage).filter_by(recipient=phone, channel="sms") \
            .order_by(OutboxMessage.id.desc()).first()
        assert message is not None, f"no SMS for {phone} in the outbox"
        return re.match(r"\s*(\d{6})\b", message.body_text).group(1)


def account_id(app, email: str) -> str:
    with app.app_context():
        return db.session.query(Account.id).filter_by(email=email.lower(), status="active").scalar()


def earlier_codes(app, email: str, phone: str) -> None:
    """As if the person had asked for the hour's allowance of phone codes a few minutes ago."""
    owner, now = account_id(app, email), clock.now()
    with app.app_context():
        for _ in range(app.config["CODE_SENDS_PER_HOUR"]):
            db.session.add(OneTimeCode(purpose="phone", owner=owner, destination=phone, channel="sms",
                                       code_hmac="0" * 64, attempts=0, created_at=now - timedelta(minutes=5),
                                       expires_at=now, superseded_at=now))
        db.session.commit()


def earlier_refusals(app, email: str) -> None:
    """As if the insurer had refused the person's earlier checks too, up to the allowance."""
    owner, now = account_id(app, email), clock.now()
    with app.app_context():
        refused = db.session.query(EligibilityCheck).filter(
            EligibilityCheck.account_id == owner, EligibilityCheck.status.in_(("mismatch", "not_found"))).count()
        for _ in range(app.config["ELIGIBILITY_MAX_REFUSALS"] - refused):
            moment = now - timedelta(minutes=30)
            db.session.add(EligibilityCheck(id=uuid.uuid4().hex, account_id=owner, status="mismatch", stage=3,
                                            unreachable=0, runs=1, created_at=moment, updated_at=moment,
                                            finished_at=moment, notified_at=moment))
        db.session.commit()


def hours_later(app, email: str, hours: int) -> None:
    """Time passes for this account's codes and checks: they are made `hours` older."""
    owner, delta = account_id(app, email), timedelta(hours=hours)
    with app.app_context():
        for code in db.session.query(OneTimeCode).filter_by(owner=owner):
            code.created_at, code.expires_at = code.created_at - delta, code.expires_at - delta
        for check in db.session.query(EligibilityCheck).filter_by(account_id=owner):
            check.created_at, check.updated_at = check.created_at - delta, check.updated_at - delta
            if check.finished_at:
                check.finished_at = check.finished_at - delta
        db.session.commit()


def damaged(link: str) -> str:
    """`link` with the end of its signature changed (its first 3 characters at least, so that
    the base64 decodes to other bytes: a last character may differ in padding bits only)."""
    return link[:-4] + ("AAAA" if link[-4:-1] == "xxx" else "xxxx")


# --- the same journey over HTTP, without a browser -------------------------------------------

def csrf_token(html: bytes) -> str:
    return re.search(rb'name="csrf_token" value="([^"]+)"', html).group(1).decode()


class Visitor:
    """A Flask test client that keeps each screen's bytes, by name."""

    def __init__(self, app):
        self.app, self.client, self.pages, self.last = app, app.test_client(), {}, b""
        self.client.environ_base["REMOTE_ADDR"] = new_address()  # a person of its own, like a walk

    def get(self, name, url, status=200):
        return self._keep(name, self.client.get(url, follow_redirects=True), status)

    def post(self, name, url, data, status=200):
        data = {**data, "csrf_token": csrf_token(self.last)}
        return self._keep(name, self.client.post(url, data=data, follow_redirects=True), status)

    def _keep(self, name, response, status):
        assert response.status_code == status, (name, response.status_code)
        assert response.mimetype == "text/html"
        self.last = response.data
        if name:
            self.pages[name] = response.data

    def code(self):
        return cookie_code(self.app, self.session_cookie())

    def session_cookie(self) -> str:
        return self.client.get_cookie(self.app.config["SESSION_COOKIE_NAME"]).value


def signed_up(app, email: str, subscriber: dict = SUBSCRIBER) -> Visitor:
    """Over HTTP, quickly: a person through the steps, at "check your email" (the screens
    on the way are the walk's, checked in the browser elsewhere)."""
    visitor = Visitor(app)
    visitor.get(None, "/inscription/")
    visitor.post(None, "/inscription/verification", {"code": visitor.code()})
    visitor.post(None, "/inscription/identite", IDENTITY)
    visitor.post(None, "/inscription/qualite", {"role": "beneficiary"})
    visitor.post(None, "/inscription/souscripteur", subscriber)
    visitor.post(None, "/inscription/recapitulatif", {"accept_terms": "y"})
    visitor.post(None, "/inscription/identifiants", credentials(email))
    return visitor


def phone_confirmed(app, email: str, phone: str, subscriber: dict = SUBSCRIBER) -> Visitor:
    """signed_up, then activated and their phone confirmed."""
    visitor = signed_up(app, email, subscriber)
    visitor.post(None, "/inscription/verifiez-vos-emails", {"code": activation_code(app, email)})
    visitor.post(None, "/inscription/telephone", {"phone": national(phone), "channel": "sms"})
    visitor.post(None, "/inscription/telephone/code", {"code": sms_code(app, phone)})
    assert b"/inscription/eligibilite" in visitor.last, "the phone is not confirmed"
    return visitor


def carry_session(visitor: Visitor, context: BrowserContext, base_url: str) -> None:
    """The browser takes over the visitor's session: the same person, now in Chromium."""
    context.add_cookies([{"name": visitor.app.config["SESSION_COOKIE_NAME"], "value": visitor.session_cookie(),
                          "url": base_url}])


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

    MOVES: dict = {}  # screen name -> the move from the screen before, in the walk's order

    @staticmethod
    def settings(request) -> dict:
        """The app's settings this walk's screens need, for each screen's test (walk_settings)."""
        return {}

    def __init__(self, browser, context_args: dict, app, mode: Mode):
        self.browser, self.context_args, self.app, self.mode = browser, context_args, app, mode
        self.context = self.page = self.first_tab = None
        self.position = -1
        self.email = self.link = self.phone = self.code = None

    def at(self, name: str) -> Page:
        names = list(self.MOVES)
        target = names.index(name)
        if self.page is None or self.position > target:
            self._restart()
        try:
            while self.position < target:
                self.MOVES[names[self.position + 1]](self)
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
        self.context = new_context(self.browser, args, js=self.mode.js,
                                   extra_http_headers={"X-Forwarded-For": new_address()})
        self.page = self.first_tab = self.context.new_page()
        self.position = -1
        self.email = new_email(f"walk-{self.mode.id}")
        self.phone = new_phone()
        self.link = self.code = None

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

    def _main_link(self, href, name):
        self.page.locator(f"main a[href='{href}']").click()
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
        fill(self.page, SUBSCRIBER_AS_TYPED)
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
            expect(self.page.locator("#password-rules-list li[data-rule=max_length]")).to_have_class(
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
        arrive(self.page, self.mode, "activated")  # a whole page: the signup session's warning comes with it

    def _press(self, word, name, swapped=False, role="button"):
        """Presses the button (or follows the link) named WORDS[lang][word] in the screen."""
        self.page.locator("#wizard-step").get_by_role(role, name=WORDS[self.mode.lang][word], exact=True).click()
        arrive(self.page, self.mode, name, swapped=swapped)

    def _phone(self):
        self._press("continue", "phone", role="link")

    def _phone_locked(self):
        """The number and the channel (SMS, the default), after the hour's codes were sent."""
        self.page.locator("#phone").fill(national(self.phone))
        expect(self.page.locator("#channel-0")).to_be_checked()
        earlier_codes(self.app, self.email, self.phone)
        self._press("send-code", "phone-locked", swapped=self.mode.js)

    def _phone_code(self):
        """An hour later, the person asks again: a number refused inside the limit was not
        saved (issue 14), so it is typed again."""
        hours_later(self.app, self.email, 2)
        self._press("change-phone", "phone", role="link")
        self.page.locator("#phone").fill(national(self.phone))
        self._press("send-code", "phone-code", swapped=self.mode.js)

    def _phone_code_wrong(self):
        self.page.locator("#code").fill(wrong_code(sms_code(self.app, self.phone)))
        self._press("validate", "phone-code-wrong", swapped=self.mode.js)

    def _phone_confirmed(self):
        self.page.locator("#code").fill(sms_code(self.app, self.phone))
        self._press("validate", "phone-confirmed", swapped=self.mode.js)

    def _eligibility(self):
        self._press("continue", "eligibility", role="link")

    def _eligibility_mismatch(self):
        self._press("check-eligibility", "eligibility-mismatch")
        assert self.page.locator("#eligibility-status").get_attribute("data-hx-trigger") is None  # no polling

    def _eligibility_retry(self):
        """Back at the step (the outcome email's way back), the attempts left are said."""
        self.page.goto("/inscription/eligibilite")
        arrive(self.page, self.mode, "eligibility-retry")

    def _eligibility_locked(self):
        earlier_refusals(self.app, self.email)
        self._press("check-eligibility", "eligibility-locked")

    def _correction(self):
        """Hours later, the person corrects what they typed."""
        hours_later(self.app, self.email, 7)
        self.page.goto("/inscription/eligibilite/corriger")
        arrive(self.page, self.mode, "correction")
        expect(self.page.locator("#subscriber_birth_date-year")).to_have_value(SUBSCRIBER_AS_TYPED[
            "subscriber_birth_date-year"])

    def _eligible(self):
        """Saved, the corrected answers are checked at once."""
        fill(self.page, {"subscriber_birth_date-year": SUBSCRIBER["subscriber_birth_date-year"]})
        self._press("save-correction", "eligible", swapped=self.mode.js)
        expect(self.page.locator("#eligibility-status .panel--success")).to_be_visible()

    def _link_used(self):
        """The email's link opened again, once the account is active."""
        assert self.page.goto(self.link).status == 200
        arrive(self.page, self.mode, "link-used")

    def _link_invalid(self):
        assert self.page.goto(damaged(self.link)).status == 400
        arrive(self.page, self.mode, "link-invalid")


Walker.MOVES = {
    "landing": Walker._landing,
    "terms": lambda w: w._footer_link("/conditions-generales", "terms"),
    "privacy": lambda w: w._footer_link("/confidentialite", "privacy"),
    "accessibility": lambda w: w._footer_link("/accessibilite", "accessibility"),
    "accessibility-audit": lambda w: w._main_link("/accessibilite/audit", "accessibility-audit"),
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
    "phone": Walker._phone,
    "phone-locked": Walker._phone_locked,
    "phone-code": Walker._phone_code,
    "phone-code-wrong": Walker._phone_code_wrong,
    "phone-confirmed": Walker._phone_confirmed,
    "eligibility": Walker._eligibility,
    "eligibility-mismatch": Walker._eligibility_mismatch,
    "eligibility-retry": Walker._eligibility_retry,
    "eligibility-locked": Walker._eligibility_locked,
    "correction": Walker._correction,
    "eligible": Walker._eligible,
    "link-used": Walker._link_used,
    "link-invalid": Walker._link_invalid,
}
assert list(Walker.MOVES) == ALL_SCREENS


class KioskWalker(Walker):
    """One browser context through the kiosk's pages (KIOSK_SCREENS)."""

    def _main_control(self, role, word):
        return self.page.locator("main").get_by_role(role, name=WORDS[self.mode.lang][word], exact=True)

    def _poster(self):
        self.page.goto("/")
        if self.mode.lang != "fr":
            self.page.get_by_role("button", name=WORDS["fr"]["switch"]).click()
            expect(self.page.locator("html")).to_have_attribute("lang", self.mode.lang)
        self.page.goto(f"/borne/affiche?kiosque={KIOSK}")
        arrive(self.page, self.mode, "poster")

    def _kiosk(self):
        self._main_control("link", "kiosk-screen").click()
        arrive(self.page, self.mode, "kiosk")
        self.code = shown_code(self.page)

    def _typed_code(self):
        """On a phone without a camera: the address shown on the kiosk, typed."""
        address = self.page.locator(".typed-address").first.text_content()
        self.page.goto("http://" + address)
        arrive(self.page, self.mode, "typed-code")

    def _typed_code_wrong(self):
        self.page.locator("#code").fill("ZZZ 999")
        self._main_control("button", "continue").click()
        arrive(self.page, self.mode, "typed-code-wrong")
        expect(self.page.locator("#error-summary")).to_be_focused()  # autofocus: no script needed

    def _handoff(self):
        """The kiosk's code typed right starts a journey; its first step offers the hand-off."""
        self.page.locator("#code").fill(self.code.lower())
        self._main_control("button", "continue").click()
        arrive(self.page, self.mode, "captcha")
        self.page.locator("#wizard-step").get_by_role("link", name=WORDS[self.mode.lang]["handoff"]).click()
        arrive(self.page, self.mode, "handoff")

    def _kiosk_mode(self):
        self.page.goto(f"/borne?kiosque={KIOSK}")
        arrive(self.page, self.mode, "kiosk")
        self._main_control("button", "on-kiosk").click()
        expect(self.page).to_have_url(re.compile(BY_NAME["kiosk-mode"].url))
        if self.page.locator("html").get_attribute("lang") != self.mode.lang:
            # Entering kiosk mode forgets the language chosen on the kiosk's screen
            # (test_kiosk_browser.py::test_kiosk_mode_keeps_the_language): choose it again.
            switch = {"fr": "English", "en": "Français"}[self.page.locator("html").get_attribute("lang")]
            self.page.get_by_role("button", name=switch).click()
        arrive(self.page, self.mode, "kiosk-mode")
        expect(self.page.locator("body")).to_have_class(re.compile(r"\bkiosk-mode\b"))


KioskWalker.MOVES = {
    "poster": KioskWalker._poster,
    "kiosk": KioskWalker._kiosk,
    "typed-code": KioskWalker._typed_code,
    "typed-code-wrong": KioskWalker._typed_code_wrong,
    "handoff": KioskWalker._handoff,
    "kiosk-mode": KioskWalker._kiosk_mode,
}
assert list(KioskWalker.MOVES) == ALL_KIOSK_SCREENS


class FranceConnectWalker(Walker):
    """One browser context through FRANCECONNECT_SCREENS, against the test provider
    (tests/franceconnect/provider.mjs), whole pages with the app's JavaScript or without."""

    @staticmethod
    def settings(request) -> dict:
        return request.getfixturevalue("provider").config()

    def _scenario(self, **switches):
        """Who signs in at the provider, and how (see provider.mjs)."""
        requests.post(f"{self.app.config['FRANCECONNECT_ISSUER']}/__test__/scenario", params=switches,
                      timeout=5).raise_for_status()

    def _button(self):
        return self.page.locator("main").get_by_role("button", name=WORDS[self.mode.lang]["franceconnect"])

    def _franceconnect_landing(self):
        self.page.goto("/")
        if self.mode.lang != "fr":
            self.page.get_by_role("button", name=WORDS["fr"]["switch"]).click()
        arrive(self.page, self.mode, "franceconnect-landing")
        expect(self._button()).to_be_visible()

    def _franceconnect_sign_in(self):
        self.page.goto("/connexion")
        arrive(self.page, self.mode, "franceconnect-sign-in")
        expect(self._button()).to_be_visible()

    def _franceconnect_refused(self):
        self._scenario(user="isabelle", error="access_denied")
        self._button().click()
        arrive(self.page, self.mode, "franceconnect-refused")

    def _franceconnect_identity(self):
        """From the failure's page, its button again: this time a signup (a person of her own)."""
        self._scenario(user="marie", **{"as": uuid.uuid4().hex[:8]})
        self._button().click()
        arrive(self.page, self.mode, "franceconnect-identity")
        expect(self.page.locator(".from-franceconnect dd").first).to_have_text("N'DIAYE")
        expect(self.page.locator("#identifier")).to_be_editable()


FranceConnectWalker.MOVES = {
    "franceconnect-landing": FranceConnectWalker._franceconnect_landing,
    "franceconnect-sign-in": FranceConnectWalker._franceconnect_sign_in,
    "franceconnect-refused": FranceConnectWalker._franceconnect_refused,
    "franceconnect-identity": FranceConnectWalker._franceconnect_identity,
}
assert list(FranceConnectWalker.MOVES) == ALL_FRANCECONNECT_SCREENS


class SignInWalker(Walker):
    """One browser context through SIGN_IN_SCREEN_LIST, for an account made complete (its
    address, phone and coverage confirmed) when the walk starts."""

    PASSWORD_2, PASSWORD_3 = "Girafe-Verte-2027?", "Colibri-Rouge-2028!"

    def _restart(self) -> None:
        from tests.views.sign_in_support import make_account  # the views' tests make accounts the same way
        super()._restart()
        make_account(self.app, email=self.email, phone=self.phone, password=PASSWORD)

    def _at(self, name: str) -> None:
        arrive(self.page, self.mode, name)
        if BY_NAME[name].errors:
            expect(self.page.locator("#error-summary")).to_be_focused()

    def _submit(self, action: str, name: str, **fields) -> None:
        for field_id, value in fields.items():
            self.page.locator(f"#{field_id}").fill(value)
        self.page.locator(f"#wizard-step form[action='{action}'] button[type=submit]").first.click()
        self._at(name)

    def _go(self, path: str, name: str) -> None:
        self.page.goto(path)
        self._at(name)

    def _follow(self, href: str, name: str) -> None:
        self.page.locator(f"main a[href='{href}']").first.click()
        self._at(name)

    def _sign_in(self):
        self.page.goto("/")
        if self.mode.lang != "fr":
            self.page.get_by_role("button", name=WORDS["fr"]["switch"]).click()
        self._follow("/connexion", "sign-in")

    def _sign_in_code(self):
        self.page.locator("#channel-0").check()  # SMS, the only choice with a confirmed phone
        self._submit("/connexion/verification", "sign-in-code")
        self.code = sms_code(self.app, self.phone)

    def _account(self):
        self._go("/connexion/code", "sign-in-code")
        self.page.locator("#remember").check()
        self._submit("/connexion/code", "account", code=self.code)
        expect(self.page.locator("dialog#session-timeout")).to_have_count(1)  # there, closed
        expect(self.page.locator("dialog#session-timeout")).to_be_hidden()

    def _new_email_code(self):
        self.new_email = new_email("nouvelle")
        self._submit("/compte/adresse", "new-email-code", current_password=PASSWORD, email=self.new_email,
                     email_confirmation=self.new_email)

    def _new_email_link(self):
        mail = newest_mail(self.app, self.new_email)
        self._go(re.search(r"https?://[^/\s]+(/compte/adresse/lien/\S+)", mail).group(1), "new-email-link")

    def _my_data(self):
        self.page.locator("#current_password").fill(PASSWORD)
        self.page.locator("#wizard-step form[action='/compte/mes-donnees'] button[type=submit]").first.click()
        expect(self.page).to_have_url(re.compile(BY_NAME["my-data"].url))  # the same heading as before
        self._at("my-data")

    def _change_password(self):
        self._go("/compte", "account")
        self._follow("/compte/mot-de-passe", "change-password")

    def _signed_out(self):
        self.page.locator("#wizard-step a[href='/compte']").click()
        self._at("account")
        self.page.locator("form[action='/deconnexion'] button").first.click()
        self._at("signed-out")

    def _forgotten(self):
        self.page.locator("#wizard-step a[href='/connexion']").click()
        self._at("sign-in")
        self._follow("/mot-de-passe-oublie", "forgotten")

    def _reset_check_email(self):
        self._submit("/mot-de-passe-oublie", "reset-check-email", email=self.email)
        self.code = re.search(r"^(\d{6})$", newest_mail(self.app, self.email), re.M).group(1)


SignInWalker.MOVES = {
    "sign-in": SignInWalker._sign_in,
    "sign-in-errors": lambda w: w._submit("/connexion", "sign-in-errors"),
    "sign-in-channel": lambda w: w._submit("/connexion", "sign-in-channel", email=w.email, password=PASSWORD),
    "sign-in-code": SignInWalker._sign_in_code,
    "sign-in-code-errors": lambda w: w._submit("/connexion/code", "sign-in-code-errors", code=wrong_code(w.code)),
    "without-phone": lambda w: w._follow("/connexion/sans-telephone", "without-phone"),
    "account": SignInWalker._account,
    "account-phone": lambda w: w._follow("/compte/telephone", "account-phone"),
    "account-phone-errors": lambda w: w._submit("/compte/telephone", "account-phone-errors"),
    "phone-reauth": lambda w: w._submit("/compte/telephone", "phone-reauth", current_password=PASSWORD,
                                        phone="07 52 12 34 56"),
    "account-email": lambda w: (w._go("/compte", "account"), w._follow("/compte/adresse", "account-email")),
    "account-email-errors": lambda w: w._submit("/compte/adresse", "account-email-errors"),
    "new-email-code": SignInWalker._new_email_code,
    "new-email-link": SignInWalker._new_email_link,  # not confirmed: the walk goes on with the old address
    "new-email-link-refused": lambda w: w._go("/compte/adresse/lien/abime", "new-email-link-refused"),
    "consents": lambda w: w._go("/compte/consentements", "consents"),
    "my-data-password": lambda w: w._go("/compte/mes-donnees", "my-data-password"),
    "my-data": SignInWalker._my_data,
    "close-account": lambda w: w._go("/compte/fermer", "close-account"),
    "not-me-refused": lambda w: w._go("/compte/ce-n-etait-pas-moi/abime", "not-me-refused"),
    "change-password": SignInWalker._change_password,
    "change-password-errors": lambda w: w._submit("/compte/mot-de-passe", "change-password-errors"),
    "password-changed": lambda w: w._submit("/compte/mot-de-passe", "password-changed", current_password=PASSWORD,
                                            password=w.PASSWORD_2, password_confirmation=w.PASSWORD_2),
    "signed-out": SignInWalker._signed_out,
    "forgotten": SignInWalker._forgotten,
    "forgotten-errors": lambda w: w._submit("/mot-de-passe-oublie", "forgotten-errors", email="pas-une-adresse"),
    "reset-check-email": SignInWalker._reset_check_email,
    "reset-check-email-errors": lambda w: w._submit("/mot-de-passe-oublie/code", "reset-check-email-errors",
                                                    code="12"),
    "reset-new": lambda w: w._submit("/mot-de-passe-oublie/code", "reset-new", code=w.code),
    "reset-done": lambda w: w._submit("/mot-de-passe-oublie/nouveau", "reset-done", password=w.PASSWORD_3,
                                      password_confirmation=w.PASSWORD_3),
    "reset-link-refused": lambda w: w._go("/mot-de-passe-oublie/lien/abimé", "reset-link-refused"),
}
assert list(SignInWalker.MOVES) == SIGN_IN_SCREENS


WALKERS = ((Walker, ALL_SCREENS), (KioskWalker, ALL_KIOSK_SCREENS), (FranceConnectWalker, ALL_FRANCECONNECT_SCREENS),
           (SignInWalker, SIGN_IN_SCREENS))


def walk_cases(modes) -> list[tuple]:
    """(mode, walker, screen) for every screen of every walk, in each mode: the parameters of
    the checks made on every screen (tests/browser/conftest.py runs them walk by walk)."""
    return [(mode, walker, screen) for walker, screens in WALKERS for mode in modes for screen in screens]


def shown_code(page: Page) -> str:
    """The short code a kiosk (or a hand-off page) shows, as a screen reader reads it."""
    return page.locator(".short-code .visually-hidden").text_content().replace(" ", "")


def new_context(browser, context_args: dict, js: bool = True, **kwargs) -> BrowserContext:
    """A context; with js=False the app's own scripts are blocked (axe still runs)."""
    context = browser.new_context(**context_args, **kwargs)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    if not js:
        context.route(APP_SCRIPTS, lambda route: route.abort())
    return context


# --- colours ---------------------------------------------------------------------------------

def luminance(colour: str) -> float:
    """WCAG's relative luminance of a CSS rgb()/rgba() colour."""
    red, green, blue = (int(float(x)) / 255 for x in re.findall(r"\d+(?:\.\d+)?", colour)[:3])
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (red, green, blue)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """WCAG's contrast ratio of two colours, 1 to 21."""
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


# --- axe-core -----------------------------------------------------------------------------

_axe_source = None


# Text spacing (WCAG 1.4.12), as a reader's own style sheet may set it.
SPACING = """* { line-height: 1.5 !important; letter-spacing: .12em !important; word-spacing: .16em !important; }
p { margin-bottom: 2em !important; }"""
# Boxes whose text no longer fits: cut off (overflow hidden or clip), or spilling out of a
# control or a box of fixed size (its text would overlap what is next to it).
SPILLED = """() => [...document.querySelectorAll('body *')].filter(e => {
    if (!e.checkVisibility()) return false;
    if (e.closest('.visually-hidden, [hidden], dialog:not([open]), altcha-widget')) return false;
    const style = getComputedStyle(e);
    const clips = ['hidden', 'clip'].includes(style.overflowX) || ['hidden', 'clip'].includes(style.overflowY);
    const control = e.matches('button, input, select, textarea, .button, label, a');
    const wide = e.scrollWidth > e.clientWidth + 1, tall = e.scrollHeight > e.clientHeight + 1;
    return (clips || control) && e.clientWidth > 0 && (wide || (clips && tall));
  }).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : '')
              + ' ' + e.scrollWidth + 'x' + e.scrollHeight + ' in ' + e.clientWidth + 'x' + e.clientHeight)"""


def spaced_out(page: Page) -> list[str]:
    """What text spacing cuts off or spills on the page shown ([] if nothing), sideways
    scrolling included; the style sheet is removed after the measure."""
    style = page.add_style_tag(content=SPACING)
    try:
        sideways = [] if page.evaluate("document.documentElement.scrollWidth <= window.innerWidth") \
            else ["the page scrolls sideways"]
        return sideways + page.evaluate(SPILLED)
    finally:
        style.evaluate("element => element.remove()")


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


def nu_checker_messages(paths) -> tuple[list[str], subprocess.CompletedProcess]:
    """The Nu HTML Checker's errors for these files (pages, and the style sheet), one line each."""
    # C1 alone (with the deeper stack it then needs): a short run of the checker costs half the CPU.
    proc = subprocess.run(["java", "-XX:TieredStopAtLevel=1", "-Xss16m", "-jar", str(VNU_JAR), "--format", "json",
                           "--errors-only", "--also-check-css", *map(str, paths),
                           str(ROOT / "static" / "css" / "sesame.css")],
                          capture_output=True, text=True, timeout=120)
    return [f"{m.get('url', '').rsplit('/', 1)[-1]}:{m.get('lastLine', '?')}: {m['message']}"
            for m in json.loads(proc.stderr)["messages"]], proc
