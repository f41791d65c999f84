"""The services' settings, built from the application's config for views and commands.

Services take plain values; this is where config names meet them, once.
"""
from datetime import timedelta

from flask import current_app, url_for

from wizard import sms
from wizard.mail import TemplateComposer
from wizard.services import accounts, code_delivery, one_time_codes, passwords


def password_policy() -> passwords.Policy:
    config = current_app.config
    return passwords.Policy(config["PASSWORD_MIN_LENGTH"], config["PASSWORD_MAX_LENGTH"],
                            tuple(config["PASSWORD_REQUIRED_CLASSES"]))


def password_hashing() -> passwords.Hashing:
    config = current_app.config
    return passwords.Hashing(config["PASSWORD_HASH_TIME_COST"], config["PASSWORD_HASH_MEMORY_KIB"],
                             config["PASSWORD_HASH_PARALLELISM"])


def public_url(endpoint: str, **values) -> str:
    """An absolute link for an email: PUBLIC_BASE_URL, not the address this request came by."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for(endpoint, **values)


def activation() -> accounts.ActivationSettings:
    config = current_app.config
    composer = TemplateComposer(
        service_name=config["SERVICE_NAME"], insurer_name=config["INSURER_NAME"],
        sign_in_url=public_url("sign_in.start"), help_url=public_url("activation.not_received"),
    )
    return accounts.ActivationSettings(
        secret_key=config["SECRET_KEY"], link_hours=config["ACTIVATION_LINK_HOURS"],
        resend_seconds=config["ACTIVATION_RESEND_SECONDS"], code_attempts=config["ACTIVATION_CODE_ATTEMPTS"],
        link_for=lambda token: public_url("activation.link", token=token), composer=composer,
    )


def codes(purpose: str) -> code_delivery.CodeSettings:
    config = current_app.config
    minutes = config["PHONE_CODE_MINUTES"] if purpose == code_delivery.PHONE else config["SIGN_IN_CODE_MINUTES"]
    policy = one_time_codes.CodePolicy(
        lifetime=timedelta(minutes=minutes), max_attempts=config["CODE_MAX_ATTEMPTS"],
        cooldown=timedelta(seconds=config["CODE_RESEND_SECONDS"]), per_hour=config["CODE_SENDS_PER_HOUR"],
        per_day=config["CODE_SENDS_PER_DAY"])
    composer = TemplateComposer(
        service_name=config["SERVICE_NAME"], insurer_name=config["INSURER_NAME"],
        sign_in_url=public_url("sign_in.start"), help_url=public_url("activation.not_received"))
    return code_delivery.CodeSettings(
        policy=policy, secret=config["SECRET_KEY"], email=composer.one_time_code,
        sms_text=lambda language, code: sms.code_text(language, code, config["SERVICE_NAME"],
                                                      config["PUBLIC_BASE_URL"]))
