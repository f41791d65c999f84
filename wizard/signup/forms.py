"""The forms of the signup's steps. Field order here is the order on the page and in the
error summary."""
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, RadioField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice

from wizard import settings
from wizard.content import texts as content
from wizard.core import clock
from wizard.signup import identifiers
from wizard.web import validators as v
from wizard.web.forms import (
    PASSWORD_RULE_MESSAGES,
    BaseForm,
    CheckedForm,
    PasswordRules,
    birth_date_field,
    email_confirmation_field,
    email_field,
    first_name_field,
    last_name_field,
)


class _IdentifierRequired(v.Required):
    """Its message is the identifier's, in the language of the request that shows it."""

    def __init__(self, words=None, subscriber=False):
        super().__init__(None)
        self.words, self.subscriber = words, subscriber

    def __call__(self, form, field):
        words = self.words or settings.identifier()
        self.message = words.subscriber_missing if self.subscriber else words.missing
        super().__call__(form, field)


def identifier_field(words=None, subscriber=False, optional=False) -> StringField:
    first = v.Optional() if optional else _IdentifierRequired(words, subscriber)
    return StringField("", validators=[
        first, v.MaxLength(identifiers.MAX_LENGTH, _l("Ce numéro est trop long : recopiez-le tel qu’il figure sur la "
                                                      "carte")),
        v.Identifier(words)])


class _AsksIdentifiers:
    """A form with a field per identifier the operator asks (IDENTIFIERS): the first's,
    `identifier`, is declared; the others are added here, in the configured order, after
    it (or, for the subscriber's, after the form's own fields)."""

    identifiers_optional = False  # the correction page: left empty, an identifier is kept
    asks_subscriber = False

    def __init__(self, *args, **kwargs):
        asked, fields = settings.identifiers(), list(self._unbound_fields)
        names = [name for name, _field in fields]
        if "identifier" in names:
            at = names.index("identifier") + 1
            fields[at:at] = [(words.field, identifier_field(words, optional=self.identifiers_optional))
                             for words in asked.others]
        if self.asks_subscriber:
            fields += [(words.subscriber_field, identifier_field(words, True, self.identifiers_optional))
                       for words in asked.of_subscriber]
        self._unbound_fields = fields  # this form's own list: WTForms binds from it
        super().__init__(*args, **kwargs)
        for field, words in self.identifier_fields():
            field.label.text = words.label
        for field, words in self.subscriber_identifier_fields():
            field.label.text = words.subscriber_label

    def identifier_fields(self) -> list:
        """(field, words) of the person's identifiers, for the template."""
        return [(self[words.field], words) for words in settings.identifiers().asked if words.field in self]

    def subscriber_identifier_fields(self) -> list:
        return [(self[words.subscriber_field], words) for words in settings.identifiers().of_subscriber
                if words.subscriber_field in self]


# --- the forms -----------------------------------------------------------------------

class CaptchaForm(CheckedForm):
    """The proof that a person is there comes from the widget or from the spoken code.

    `check` does the I/O (the widget's server check, the stored code) and is passed in.
    """

    code = StringField(_l("Code de sécurité"), filters=[lambda s: "".join((s or "").split())[:32]])
    renew = SubmitField(_l("Nouveau code"))

    def refusal(self, passed: bool) -> str | None:
        return None if passed else _l("Le code saisi ne correspond pas ou a expiré. Recopiez le code de l’image "
                                      "ou de l’enregistrement, ou demandez-en un nouveau")


class IdentityForm(_AsksIdentifiers, BaseForm):
    last_name = last_name_field(_l("Nom de famille"), _l("Saisissez votre nom de famille"))
    first_name = first_name_field(_l("Prénom(s)"), _l("Saisissez votre prénom"))
    birth_date = birth_date_field(_l("Date de naissance"))
    identifier = identifier_field()


class FranceConnectIdentityForm(IdentityForm):
    """Signing up through FranceConnect: the names and the birth date are FranceConnect's
    (shown, not editable, never read from the form); only the identifier is typed."""

    last_name = first_name = birth_date = None

    def __init__(self, *args, franceconnect: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.franceconnect = self.identity_of(franceconnect)

    @staticmethod
    def identity_of(franceconnect: dict) -> dict:
        """FranceConnect's claims as the identity step's answers."""
        return {"last_name": franceconnect.get("family_name", ""), "first_name": franceconnect.get("given_name", ""),
                "birth_date": franceconnect.get("birthdate", "")}

    def answers(self) -> dict:
        return {**self.franceconnect, **{field.name: field.data for field, _words in self.identifier_fields()}}

    @classmethod
    def usable(cls, franceconnect: dict) -> bool:
        """Whether FranceConnect gave names and a birth date our identity step accepts (an
        operator may not ask for all of them): else the person types them as usual."""
        typed = IdentityForm(formdata=None, data=cls.identity_of(franceconnect), meta={"csrf": False})
        typed.validate()
        return not {"last_name", "first_name", "birth_date"} & set(typed.errors)

    def birth_day(self) -> date | None:
        try:
            return date.fromisoformat(self.franceconnect["birth_date"])
        except ValueError:
            return None


class RoleForm(BaseForm):
    role = RadioField(_l("Qui est le souscripteur du contrat ?"), choices=[
        SelectChoice("subscriber", _l("C’est moi : je suis le souscripteur (l’assuré principal)")),
        SelectChoice("beneficiary", _l("Une autre personne : je suis bénéficiaire de son contrat (conjoint, enfant…)")),
    ], validators=[v.Required(_l("Indiquez qui est le souscripteur du contrat"))])


def role_label(role: str) -> str:
    return next(str(choice.label) for choice in RoleForm.role.kwargs["choices"] if choice.value == role)


class SubscriberForm(_AsksIdentifiers, BaseForm):
    asks_subscriber = True

    subscriber_last_name = last_name_field(_l("Nom de famille du souscripteur"),
                                           _l("Saisissez le nom de famille du souscripteur"))
    subscriber_first_name = first_name_field(_l("Prénom(s) du souscripteur"),
                                             _l("Saisissez le prénom du souscripteur"))
    subscriber_birth_date = birth_date_field(_l("Date de naissance du souscripteur"))


class SummaryForm(BaseForm):
    accept_terms = BooleanField(
        _l("J’accepte les conditions générales d’utilisation et j’ai pris connaissance "
           "de la politique de confidentialité"),
        validators=[v.Required(_l("Pour continuer, acceptez les conditions générales d’utilisation"))],
    )

    def answers(self) -> dict:
        """The acceptance is evidence: keep when, and which versions of the texts."""
        return {"accepted_at": clock.now().isoformat(timespec="seconds"), **self._versions()}

    @classmethod
    def accepts_stored(cls, stored: dict) -> bool:
        """Accepted, and the texts have not changed since (else they are accepted again)."""
        return bool(stored.get("accepted_at")) and all(stored.get(k) == v for k, v in cls._versions().items())

    @staticmethod
    def _versions() -> dict:
        library = content.of(current_app)  # the operator's files, or Sésame's texts
        return {"terms_version": library.version("terms"), "privacy_version": library.version("privacy")}


class CredentialsForm(PasswordRules, BaseForm):
    """`policy` and `personal` (the form -> PersonalData) come from the settings and the journey."""

    email = email_field(_l("Adresse e-mail"), _l("Saisissez votre adresse e-mail"))
    email_confirmation = email_confirmation_field(_l("Confirmez l’adresse e-mail"),
                                                  _l("Saisissez à nouveau votre adresse e-mail pour la confirmer"))
    password = PasswordField(_l("Mot de passe"), validators=[
        v.Required(_l("Saisissez un mot de passe")), v.PasswordPolicy(PASSWORD_RULE_MESSAGES)])
    password_confirmation = PasswordField(_l("Confirmez le mot de passe"), validators=[
        v.Required(_l("Saisissez à nouveau le mot de passe pour le confirmer")),
        v.SameAs("password", _l("Les deux mots de passe ne sont pas identiques")),
    ])
    marketing_email = BooleanField(_l("Par e-mail"))
    marketing_sms = BooleanField(_l("Par SMS"))
    marketing_phone = BooleanField(_l("Par téléphone"))

    def marketing(self) -> dict[str, bool]:
        return {"marketing_email": self.marketing_email.data, "marketing_sms": self.marketing_sms.data,
                "marketing_phone": self.marketing_phone.data}


class FranceConnectCredentialsForm(CredentialsForm):
    """Through FranceConnect a password is a choice: without one, the account opens with
    FranceConnect only (and cannot be unlinked from it until one is chosen)."""

    password = PasswordField(_l("Mot de passe (facultatif)"), validators=[
        v.Optional(), v.PasswordPolicy(PASSWORD_RULE_MESSAGES)])
    password_confirmation = PasswordField(_l("Confirmez le mot de passe"), validators=[
        v.SameAs("password", _l("Les deux mots de passe ne sont pas identiques")),
    ])
