"""The services' settings, built once per application from its config.

Services take plain values (frozen dataclasses); this is the one place where config names
meet them. Each builder runs on first use and its result is kept for the app's life, so a
request never rebuilds them. `public_url` builds absolute links from PUBLIC_BASE_URL
without a request, so jobs and emails use the same code as views.
"""
from datetime import timedelta
from functools import wraps
from urllib.parse import urlsplit

from flask import current_app

from wizard.account import not_me
from wizard.accounts import incomplete, personal_data
from wizard.accounts import service as accounts
from wizard.codes import delivery as code_delivery
from wizard.codes import one_time_codes
from wizard.core import clock, passwords
from wizard.eligibility import service as eligibility
from wizard.franceconnect import client as franceconnect_client
from wizard.messaging import sms
from wizard.messaging.mail import TemplateComposer
from wizard.operator import staff
from wizard.password_reset import service as password_resets
from wizard.sign_in import service as sign_in
from wizard.sign_in import sessions
from wizard.signup import identifiers as identifier_model
from wizard.web import limits

CACHE = "sesame.settings"  # app.extensions key; a test that changes the config drops it


def _once_per_app(build):
    """Keeps what `build` returns, per app and per arguments."""
    @wraps(build)
    def cached(*args):
        store = current_app.extensions.setdefault(CACHE, {})
        key = (build.__name__, *args)
        if key not in store:
            store[key] = build(current_app.config, *args)
        return store[key]
    return cached


@_once_per_app
def _url_adapter(config):
    base = urlsplit(config["PUBLIC_BASE_URL"])
    return current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https")


def public_url(endpoint: str, **values) -> str:
    """An absolute link for an email or a QR code: PUBLIC_BASE_URL, not the address this
    request came by (there may be no request: a job)."""
    return _url_adapter().build(endpoint, values, force_external=True)


@_once_per_app
def password_policy(config) -> passwords.Policy:
    return passwords.Policy(config["PASSWORD_MIN_LENGTH"], config["PASSWORD_MAX_LENGTH"],
                            tuple(config["PASSWORD_REQUIRED_CLASSES"]), tuple(config["PASSWORD_SOME_CLASSES"]),
                            config["PASSWORD_SOME_CLASSES_COUNT"], config["PASSWORD_ALLOWED_SPECIALS"],
                            tuple(config["PASSWORD_BIRTH_DATE_PARTS"]))


@_once_per_app
def password_hashing(config) -> passwords.Hashing:
    return passwords.Hashing(config["PASSWORD_HASH_TIME_COST"], config["PASSWORD_HASH_MEMORY_KIB"],
                             config["PASSWORD_HASH_PARALLELISM"])


@_once_per_app
def composer(config) -> TemplateComposer:
    return TemplateComposer(
        service_name=config["SERVICE_NAME"], insurer_name=config["INSURER_NAME"],
        sign_in_url=public_url("sign_in.start"), help_url=public_url("activation.not_received"),
        forgotten_url=public_url("password.forgotten"), account_url=public_url("account.overview"),
        code_url=public_url("activation.check_email"), identifiers=identifiers(),
        not_me_link=lambda account_id, kind, old_email=None: public_url(
            "account.not_me_link", token=not_me.token(config["SECRET_KEY"], account_id, kind, clock.now(), old_email)))


@_once_per_app
def activation(config) -> accounts.ActivationSettings:
    return accounts.ActivationSettings(
        secret_key=config["SECRET_KEY"], link_hours=config["ACTIVATION_LINK_HOURS"],
        resend_seconds=config["ACTIVATION_RESEND_SECONDS"], code_attempts=config["ACTIVATION_CODE_ATTEMPTS"],
        link_for=lambda token: public_url("activation.link", token=token), composer=composer(),
        may_email=limits.activation_email_allowed,
    )


@_once_per_app
def incomplete_accounts(config) -> incomplete.IncompleteSettings:
    return incomplete.IncompleteSettings(days=personal_data.kept(config, "accounts", "incomplete").days,
                                         reminder_days=config["INCOMPLETE_REMINDER_DAYS"], composer=composer())


@_once_per_app
def codes(config, purpose: str) -> code_delivery.CodeSettings:
    minutes = config["PHONE_CODE_MINUTES"] if purpose == code_delivery.PHONE else config["SIGN_IN_CODE_MINUTES"]
    policy = one_time_codes.CodePolicy(
        lifetime=timedelta(minutes=minutes), max_attempts=config["CODE_MAX_ATTEMPTS"],
        cooldown=timedelta(seconds=config["CODE_RESEND_SECONDS"]), per_hour=config["CODE_SENDS_PER_HOUR"],
        per_day=config["CODE_SENDS_PER_DAY"])
    service_name, base_url = config["SERVICE_NAME"], config["PUBLIC_BASE_URL"]
    return code_delivery.CodeSettings(
        policy=policy, secret=config["SECRET_KEY"], email=composer().one_time_code,
        sms_text=lambda language, code: sms.code_text(language, code, service_name, base_url))


@_once_per_app
def sign_in_settings(config) -> sign_in.SignInSettings:
    return sign_in.SignInSettings(
        secret_key=config["SECRET_KEY"], hashing=password_hashing(),
        max_failures=config["SIGN_IN_MAX_FAILURES"], pause=timedelta(minutes=config["SIGN_IN_PAUSE_MINUTES"]),
        composer=composer())


@_once_per_app
def reset_settings(config) -> password_resets.ResetSettings:
    return password_resets.ResetSettings(
        secret_key=config["SECRET_KEY"], hashing=password_hashing(),
        lifetime=timedelta(minutes=config["PASSWORD_RESET_MINUTES"]), max_attempts=config["CODE_MAX_ATTEMPTS"],
        cooldown=timedelta(seconds=config["PASSWORD_RESET_COOLDOWN_SECONDS"]),
        per_hour=config["PASSWORD_RESETS_PER_HOUR"], per_day=config["PASSWORD_RESETS_PER_DAY"],
        link_for=lambda token: public_url("password.link", token=token), composer=composer())


@_once_per_app
def session_policy(config, kind: str, kiosk: bool) -> sessions.SessionPolicy:
    """Signed in: SESSION_IDLE_MINUTES. Just activated (a signup going on to the phone and
    the eligibility check): the journey's idle time. On a kiosk: the kiosk's, always."""
    if kiosk:
        idle = timedelta(seconds=config["KIOSK_IDLE_SECONDS"] + config["KIOSK_WARNING_SECONDS"])
    elif kind == sessions.SIGNUP:
        idle = timedelta(minutes=config["JOURNEY_IDLE_MINUTES"])
    else:
        idle = timedelta(minutes=config["SESSION_IDLE_MINUTES"])
    return sessions.SessionPolicy(idle=idle, absolute=timedelta(hours=config["SESSION_ABSOLUTE_HOURS"]))


@_once_per_app
def staff_settings(config) -> staff.StaffSettings:
    return staff.StaffSettings(secret_key=config["SECRET_KEY"], hashing=password_hashing(),
                               max_failures=config["STAFF_MAX_FAILURES"],
                               lock=timedelta(minutes=config["STAFF_LOCK_MINUTES"]), issuer=config["SERVICE_NAME"])


@_once_per_app
def staff_password_policy(config) -> passwords.Policy:
    """The citizens' rules, and at least 12 characters: a console account sees everyone's figures."""
    return passwords.Policy(max(12, config["PASSWORD_MIN_LENGTH"]), config["PASSWORD_MAX_LENGTH"],
                            tuple(config["PASSWORD_REQUIRED_CLASSES"]))


@_once_per_app
def remember_browser_lifetime(config) -> timedelta:
    return timedelta(days=config["REMEMBER_BROWSER_DAYS"])


@_once_per_app
def eligibility_settings(config) -> eligibility.EligibilitySettings:
    return eligibility.EligibilitySettings(max_refusals=config["ELIGIBILITY_MAX_REFUSALS"],
                                           refusal_window=timedelta(hours=config["ELIGIBILITY_WINDOW_HOURS"]),
                                           lease=timedelta(seconds=config["ELIGIBILITY_LEASE_SECONDS"]))


@_once_per_app
def identifiers(config) -> identifier_model.Identifiers:
    """The identifiers asked, in order (checked at start-up by create_app)."""
    return identifier_model.from_config(config)


def identifier() -> identifier_model.IdentifierWords:
    """The first identifier: the one the insurer finds the card by."""
    return identifiers().first


@_once_per_app
def franceconnect(config) -> franceconnect_client.ClientSettings | None:
    """None unless FranceConnect is configured: then its button shows, and its routes work."""
    if not (config["FRANCECONNECT_ISSUER"] and config["FRANCECONNECT_CLIENT_ID"]
            and config["FRANCECONNECT_CLIENT_SECRET"]):
        return None
    scopes = tuple(config["FRANCECONNECT_SCOPES"].split())
    return franceconnect_client.ClientSettings(
        issuer=config["FRANCECONNECT_ISSUER"], client_id=config["FRANCECONNECT_CLIENT_ID"],
        client_secret=config["FRANCECONNECT_CLIENT_SECRET"],
        scopes=scopes if "openid" in scopes else ("openid", *scopes),
        redirect_uri=public_url("franceconnect.callback"),
        post_logout_redirect_uri=public_url("franceconnect.signed_out"),
        timeout=config["FRANCECONNECT_TIMEOUT_SECONDS"])
