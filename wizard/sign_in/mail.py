"""The emails of signing in: the pause after failures, the forgotten password, the
confirmation of a new password. Composed like the others (wizard/mail.py), from
templates/mail/, in the recipient's language."""
from datetime import datetime

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

    subjects = SUBJECTS

    def __init__(self, forgotten_url: str, account_url: str, **common):
        super().__init__(**common)
        self.common.update(forgotten_url=forgotten_url, account_url=account_url)

    def sign_in_paused(self, language: str, recipient: str, until: datetime, failures: int) -> Email:
        return self._compose("sign_in_paused", language, recipient, until=until, failures=failures)

    def password_reset(self, language: str, recipient: str, link: str, code: str, minutes: int) -> Email:
        return self._compose("password_reset", language, recipient, link=link, code=code, minutes=minutes)

    def password_changed(self, language: str, recipient: str, when: datetime) -> Email:
        return self._compose("password_changed", language, recipient, when=when)
