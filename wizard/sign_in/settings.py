"""The sign-in services' settings, built from the application's config (as wizard/settings.py
does for the others)."""
from datetime import timedelta

from flask import current_app

from wizard import settings
from wizard.services import password_resets, sessions, sign_in
from wizard.sign_in.mail import SignInComposer


def composer() -> SignInComposer:
    config = current_app.config
    return SignInComposer(
        forgotten_url=settings.public_url("password.forgotten"), account_url=settings.public_url("account.overview"),
        service_name=config["SERVICE_NAME"], insurer_name=config["INSURER_NAME"],
        sign_in_url=settings.public_url("sign_in.start"), help_url=settings.public_url("activation.not_received"))


def sign_in_settings() -> sign_in.SignInSettings:
    config = current_app.config
    return sign_in.SignInSettings(
        secret_key=config["SECRET_KEY"], hashing=settings.password_hashing(),
        max_failures=config["SIGN_IN_MAX_FAILURES"], pause=timedelta(minutes=config["SIGN_IN_PAUSE_MINUTES"]),
        composer=composer())


def reset_settings() -> password_resets.ResetSettings:
    config = current_app.config
    return password_resets.ResetSettings(
        secret_key=config["SECRET_KEY"], hashing=settings.password_hashing(),
        lifetime=timedelta(minutes=config["PASSWORD_RESET_MINUTES"]), max_attempts=config["CODE_MAX_ATTEMPTS"],
        cooldown=timedelta(seconds=config["PASSWORD_RESET_COOLDOWN_SECONDS"]),
        per_hour=config["PASSWORD_RESETS_PER_HOUR"],
        link_for=lambda token: settings.public_url("password.link", token=token), composer=composer())


def session_policy(kind: str, kiosk: bool) -> sessions.SessionPolicy:
    """Signed in: SESSION_IDLE_MINUTES. Just activated (a signup going on to the phone and
    the eligibility check): the journey's idle time. On a kiosk: the kiosk's, always."""
    config = current_app.config
    if kiosk:
        idle = timedelta(seconds=config["KIOSK_IDLE_SECONDS"] + config["KIOSK_WARNING_SECONDS"])
    elif kind == sessions.SIGNUP:
        idle = timedelta(minutes=config["JOURNEY_IDLE_MINUTES"])
    else:
        idle = timedelta(minutes=config["SESSION_IDLE_MINUTES"])
    return sessions.SessionPolicy(idle=idle, absolute=timedelta(hours=config["SESSION_ABSOLUTE_HOURS"]))


def remember_browser_lifetime() -> timedelta:
    return timedelta(days=current_app.config["REMEMBER_BROWSER_DAYS"])
