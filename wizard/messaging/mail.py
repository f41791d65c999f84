"""The emails: composed from templates/mail/ in the recipient's language, sent over SMTP.

Composing happens when the message is queued (the outbox row holds exactly what will be
delivered); sending happens later, from the job runner. Templates get absolute links
only: there is no request when a job runs, and links must work from any mailbox.
"""
import smtplib
from datetime import date, datetime, timedelta

import css_inline
import flask_mail
from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from wizard.messaging.models import OutboxMessage
from wizard.messaging.outbox import Email

SUBJECTS = {
    "activation": _l("Activez votre compte %(service)s"),
    "address_taken": _l("Tentative de création de compte avec votre adresse e-mail"),
    "one_time_code": _l("Votre code %(service)s"),
    "eligible": _l("Votre compte %(service)s est prêt"),
    "not_eligible": _l("Nous n’avons pas pu confirmer votre couverture"),
    "insurer_unavailable": _l("Votre complémentaire santé n’a pas pu être jointe"),
    "incomplete_reminder": _l("Terminez votre inscription à %(service)s"),
    "sign_in_paused": _l("Connexion à votre compte %(service)s suspendue"),
    "password_reset": _l("Choisissez un nouveau mot de passe %(service)s"),
    "password_changed": _l("Votre mot de passe %(service)s a été modifié"),
    "phone_changed": _l("Le téléphone portable de votre compte %(service)s a été changé"),
    "new_browser": _l("Nouvelle connexion à votre compte %(service)s"),
    "account_closed": _l("Votre compte %(service)s est fermé"),
    "email_changed": _l("L’adresse e-mail de votre compte %(service)s a été changée"),
    "new_email": _l("Confirmez votre nouvelle adresse e-mail %(service)s"),
    "email_code_without_phone": _l("Code de connexion %(service)s demandé par e-mail, sans le téléphone"),
}


# Mail programs keep style attributes, not style sheets. Nothing is fetched: the rules are
# in the layout.
INLINER = css_inline.CSSInliner(load_remote_stylesheets=False)


class TemplateComposer:
    """Every email of the service. The links are the ways out offered by every email:
    signing in, help with the activation email, the forgotten password, Mon compte."""

    def __init__(self, service_name: str, insurer_name: str, sign_in_url: str, help_url: str,
                 forgotten_url: str, account_url: str, code_url: str, not_me_link=None, identifiers=None):
        # `identifiers` (wizard.signup.identifiers.Identifiers): what a refusal asks to check.
        self.common = {"service_name": service_name, "insurer_name": insurer_name, "sign_in_url": sign_in_url,
                       "help_url": help_url, "forgotten_url": forgotten_url, "account_url": account_url,
                       "code_url": code_url, "identifiers": identifiers}
        self._not_me_link = not_me_link  # (account id, kind, old address) -> "ce n'était pas moi"

    def not_me_link(self, account_id: str, kind: str, old_email: str | None = None) -> str | None:
        return self._not_me_link(account_id, kind, old_email) if self._not_me_link else None

    def activation(self, language: str, recipient: str, link: str, code: str, hours: int) -> Email:
        return self._compose("activation", language, recipient, link=link, code=code, hours=hours)

    def address_taken(self, language: str, recipient: str) -> Email:
        return self._compose("address_taken", language, recipient)

    def eligibility_outcome(self, language: str, recipient: str, kind: str, link: str,
                            contract_number: str | None = None) -> Email:
        """`kind`: eligible, not_eligible or insurer_unavailable."""
        return self._compose(kind, language, recipient, link=link, contract_number=contract_number)

    def one_time_code(self, language: str, recipient: str, code: str, minutes: int) -> Email:
        return self._compose("one_time_code", language, recipient, code=code, minutes=minutes)

    def sign_in_paused(self, language: str, recipient: str, until: datetime, failures: int) -> Email:
        return self._compose("sign_in_paused", language, recipient, until=until, failures=failures)

    def password_reset(self, language: str, recipient: str, link: str, code: str, minutes: int,
                       not_me: str | None = None) -> Email:
        return self._compose("password_reset", language, recipient, link=link, code=code, minutes=minutes,
                             not_me=not_me)

    def password_changed(self, language: str, recipient: str, when: datetime, not_me: str | None = None) -> Email:
        return self._compose("password_changed", language, recipient, when=when, not_me=not_me)

    def phone_changed(self, language: str, recipient: str, masked_phone: str, when: datetime,
                      not_me: str | None = None) -> Email:
        return self._compose("phone_changed", language, recipient, masked_phone=masked_phone, when=when,
                             not_me=not_me)

    def email_changed(self, language: str, recipient: str, new_email: str, when: datetime,
                      not_me: str | None = None) -> Email:
        """To the old address: the change, and the way back."""
        return self._compose("email_changed", language, recipient, new_email=new_email, when=when, not_me=not_me)

    def new_email(self, language: str, recipient: str, link: str, code: str, minutes: int) -> Email:
        """To the new address: the link (any browser) and the code (the page that asked)."""
        return self._compose("new_email", language, recipient, link=link, code=code, minutes=minutes)

    def new_browser(self, language: str, recipient: str, device: str, when: datetime,
                    not_me: str | None = None) -> Email:
        return self._compose("new_browser", language, recipient, device=device, when=when, not_me=not_me)

    def account_closed(self, language: str, recipient: str, when: datetime) -> Email:
        return self._compose("account_closed", language, recipient, when=when)

    def email_code_without_phone(self, language: str, recipient: str, when: datetime) -> Email:
        return self._compose("email_code_without_phone", language, recipient, when=when)

    def incomplete_reminder(self, language: str, recipient: str, forgotten_on: date) -> Email:
        return self._compose("incomplete_reminder", language, recipient, forgotten_on=forgotten_on)

    def _compose(self, kind: str, language: str, recipient: str, **context) -> Email:
        """Rendered by the Jinja environment itself, not `render_template`: a mail needs only
        what it is given, and the pages' context processors (the journey, the session's
        idle warning, the brand's URLs) would run again for each of the two templates."""
        context = {**self.common, **context, "recipient": recipient, "language": language}
        templates = current_app.jinja_env
        with force_locale(language):
            subject = str(SUBJECTS[kind]) % {"service": self.common["service_name"]}
            return Email(recipient=recipient, subject=subject,
                         text=templates.get_template(f"mail/{kind}.txt").render(context),
                         html=INLINER.inline(templates.get_template(f"mail/{kind}.html").render(
                             context, subject=subject)))


class _TimeoutConnection(flask_mail.Connection):
    """Flask-Mail opens smtplib.SMTP without a timeout: a silent server would hold a
    worker forever. Same steps as Flask-Mail's configure_host, with a timeout."""

    def __init__(self, mail, timeout: float):
        super().__init__(mail)
        self.timeout = timeout

    def configure_host(self):
        smtp = smtplib.SMTP_SSL if self.mail.use_ssl else smtplib.SMTP
        host = smtp(self.mail.server, self.mail.port, timeout=self.timeout)
        host.set_debuglevel(int(self.mail.debug))
        if self.mail.use_tls:
            host.starttls()
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host


class SmtpTransport:
    """Delivers outbox rows with Flask-Mail (MAIL_* settings). Raises when SMTP fails."""

    def __init__(self, config: dict):
        # Built from the settings, not from app.testing: a test that starts an SMTP
        # server wants its mail really sent.
        self.state = self._mail = flask_mail.Mail().init_mail({**config, "MAIL_SUPPRESS_SEND": False})
        self._timeout = config["MAIL_TIMEOUT_SECONDS"]
        # Each step of the SMTP dialogue (connect, EHLO, STARTTLS, login, MAIL, RCPT, DATA,
        # QUIT) may take up to the timeout: a send ends within ten of them.
        self.lease = timedelta(seconds=10 * self._timeout)
        self._domain = config["MAIL_DEFAULT_SENDER"].rpartition("@")[2].rstrip(">") or "localhost"

    def send(self, message: OutboxMessage) -> None:
        email = flask_mail.Message(subject=message.subject, recipients=[message.recipient], body=message.body_text,
                                   html=message.body_html, sender=self._mail.default_sender)
        email.msgId = f"<{message.reference}@{self._domain}>"
        with _TimeoutConnection(self._mail, self._timeout) as connection:
            connection.send(email)
