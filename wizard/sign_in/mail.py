"""The emails of signing in: the pause after failures, the forgotten password, the
confirmation of a new password. Composed like the others (wizard/mail.py), from
templates/mail/, in the recipient's language."""
from datetime import datetime

from flask import render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from wizard.mail import TemplateComposer
from wizard.services.outbox import Email

SUBJECTS = {
    "sign_in_paused": _l("Connexion à votre compte %(service)s suspendue"),
    "password_reset": _l("Choisissez un nouveau mot de passe %(service)s"),
    "password_changed": _l("Votre mot de passe %(service)s a été modifié"),
}


class SignInComposer(TemplateComposer):
    """`forgotten_url`: the "mot de passe oublié" page, the way out offered by every email here."""

    def __init__(self, forgotten_url: str, account_url: str, **common):
        super().__init__(**common)
        self.common.update(forgotten_url=forgotten_url, account_url=account_url)

    def sign_in_paused(self, language: str, recipient: str, until: datetime, failures: int) -> Email:
        return self._compose_own("sign_in_paused", language, recipient, until=until, failures=failures)

    def password_reset(self, language: str, recipient: str, link: str, code: str, minutes: int) -> Email:
        return self._compose_own("password_reset", language, recipient, link=link, code=code, minutes=minutes)

    def password_changed(self, language: str, recipient: str, when: datetime) -> Email:
        return self._compose_own("password_changed", language, recipient, when=when)

    def _compose_own(self, kind: str, language: str, recipient: str, **context) -> Email:
        context = {**self.common, **context, "recipient": recipient, "language": language}
        with force_locale(language):
            subject = str(SUBJECTS[kind]) % {"service": self.common["service_name"]}
            return Email(recipient=recipient, subject=subject,
                         text=render_template(f"mail/{kind}.txt", **context),
                         html=render_template(f"mail/{kind}.html", subject=subject, **context))
