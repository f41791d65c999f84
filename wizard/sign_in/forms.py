"""The forms of signing in, of the forgotten password and of "Mon compte".

Checks that need I/O (the password, a code) are passed in as functions, as in
wizard/web/forms.py, whose base form, validators and password messages these reuse.
"""
from flask_babel import format_time, gettext, ngettext
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, RadioField, StringField
from wtforms.fields.choices import SelectChoice

from wizard.phone.forms import PhoneForm
from wizard.sign_in import service as sign_in
from wizard.web import validators as v
from wizard.web.forms import (
    EMAIL_MESSAGES,
    PASSWORD_RULE_MESSAGES,
    BaseForm,
    PasswordRules,
    email_confirmation_field,
    email_field,
)

# A password longer than this is refused before it is hashed: nobody types 1,000 characters.
LONGEST_PASSWORD_TYPED = 1024
WRONG_CREDENTIALS = _l("L’adresse e-mail ou le mot de passe est incorrect. Vérifiez-les, ou choisissez "
                       "« Mot de passe oublié ? » pour en choisir un nouveau")


def _digits_only(value):
    return "".join(c for c in value if c not in " -.") if isinstance(value, str) else value


def code_field(label):
    return StringField(label, validators=[
        v.Required(_l("Saisissez le code à 6 chiffres que vous avez reçu")),
        v.Digits(6, _l("Le code comporte 6 chiffres, par exemple 123456")),
    ], filters=[_digits_only])


def current_password_field(label, missing):
    return PasswordField(label, validators=[
        v.Required(missing),
        v.MaxLength(LONGEST_PASSWORD_TYPED, _l("Ce mot de passe est trop long : vérifiez ce que vous avez saisi")),
    ])


def new_password_fields():
    return (
        PasswordField(_l("Nouveau mot de passe"), validators=[
            v.Required(_l("Saisissez un nouveau mot de passe")), v.PasswordPolicy(PASSWORD_RULE_MESSAGES)]),
        PasswordField(_l("Confirmez le nouveau mot de passe"), validators=[
            v.Required(_l("Saisissez à nouveau le nouveau mot de passe pour le confirmer")),
            v.SameAs("password", _l("Les deux mots de passe ne sont pas identiques"))]),
    )


def attempt_message(attempt: sign_in.Attempt) -> str:
    """What a refused password says; the same for a wrong address and a wrong password."""
    if attempt.outcome == sign_in.PAUSED:
        until = format_time(attempt.paused_until, "HH:mm")
        return gettext("Après plusieurs essais infructueux, la connexion avec cette adresse e-mail est suspendue "
                       "jusqu’à %(time)s pour protéger le compte. Vous pourrez réessayer à ce moment-là, ou "
                       "choisir dès maintenant un nouveau mot de passe", time=until)
    if attempt.outcome == sign_in.NEW_PASSWORD_REQUIRED:
        return gettext("Pour protéger votre compte après votre signalement « Ce n’était pas moi », choisissez "
                       "un nouveau mot de passe avec « Mot de passe oublié ? » avant de vous connecter")
    return str(WRONG_CREDENTIALS)


def current_password_message(attempt: sign_in.Attempt) -> str | None:
    """What "Mon compte" says of a refused current password (it is counted like a sign-in)."""
    if attempt.outcome in (sign_in.OK, sign_in.UNFINISHED):
        return None
    if attempt.outcome == sign_in.PAUSED:
        return attempt_message(attempt)
    return gettext("Le mot de passe actuel est incorrect")


class _Checked(BaseForm):
    """A form whose last word is an I/O check: `check(form) -> (ok, message)`."""

    def __init__(self, *args, check=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._check = check
        self.result = None

    def validate(self, extra_validators=None):
        if not super().validate(extra_validators):
            return False
        self.result, message, field = self._check(self)
        if message:
            field.errors.append(message)
            return False
        return True


class SignInForm(_Checked):
    email = StringField(_l("Adresse e-mail"), validators=[
        v.Required(_l("Saisissez votre adresse e-mail")), v.EmailAddress(EMAIL_MESSAGES)])
    password = current_password_field(_l("Mot de passe"), _l("Saisissez votre mot de passe"))
    remember_email = BooleanField(_l("Se souvenir de mon adresse e-mail sur cet appareil"))


class _OneOfTheChoices:
    """A radio's answer must be one of its choices; WTForms' own check has no message of ours."""

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        if field.data not in {choice.value for choice in field.choices}:
            raise v.StopValidation(self.message)


_NO_CHANNEL = _l("Choisissez comment recevoir votre code de sécurité")


class ChannelForm(BaseForm):
    channel = RadioField(_l("Comment souhaitez-vous recevoir votre code de sécurité ?"), validate_choice=False,
                         validators=[v.Required(_NO_CHANNEL), _OneOfTheChoices(_NO_CHANNEL)])

    def __init__(self, *args, masked_email: str = "", masked_phone: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # A confirmed phone is the second factor: the email code only through "je n'ai plus
        # accès à mon téléphone" (wizard/sign_in/views.py::without_phone).
        self.channel.choices = [SelectChoice("sms", gettext("Par SMS, au %(phone)s", phone=masked_phone))] \
            if masked_phone else [SelectChoice("email", gettext("Par e-mail, à %(email)s", email=masked_email))]


def code_message(result, new_code: str) -> str | None:
    """A refused one-time code; `new_code`: how to get another one, in this context."""
    if result.outcome == "ok":
        return None
    if result.outcome == "wrong":
        return ngettext("Ce code n’est pas le bon. Il vous reste %(num)s essai.",
                        "Ce code n’est pas le bon. Il vous reste %(num)s essais.", result.attempts_left)
    return {
        "expired": {"sign_in": gettext("Ce code a expiré : demandez-en un nouveau"),
                    "reset": gettext("Ce code a expiré : demandez un nouvel e-mail")},
        "locked": {"sign_in": gettext("Trop d’essais pour ce code : demandez-en un nouveau"),
                   "reset": gettext("Trop d’essais pour ce code : demandez un nouvel e-mail")},
    }.get(result.outcome, {
        "sign_in": gettext("Ce code n’est plus valable : demandez-en un nouveau"),
        "reset": gettext("Ce code n’est plus valable : utilisez le dernier e-mail reçu, ou demandez-en un nouveau"),
    })[new_code]


class SignInCodeForm(_Checked):
    code = code_field(_l("Code de sécurité à 6 chiffres"))
    remember = BooleanField(_l("Se souvenir de moi"))


class NewCodeForm(BaseForm):
    """"Envoyer un nouveau code", or "recevoir plutôt le code par SMS/e-mail": the button's channel."""

    channel = StringField("", filters=[lambda value: value if value in ("sms", "email") else None])


class ForgottenPasswordForm(BaseForm):
    email = StringField(_l("Adresse e-mail"), validators=[
        v.Required(_l("Saisissez l’adresse e-mail de votre compte")), v.EmailAddress(EMAIL_MESSAGES)])


class ResetCodeForm(_Checked):
    code = code_field(_l("Code reçu par e-mail"))


class NewPasswordForm(PasswordRules, BaseForm):
    password, password_confirmation = new_password_fields()


class ChangePhoneForm(_Checked):
    current_password = current_password_field(_l("Mot de passe actuel"), _l("Saisissez votre mot de passe actuel"))
    phone = StringField(_l("Nouveau numéro de téléphone portable"), validators=PhoneForm.phone.kwargs["validators"])


class ChangeEmailForm(_Checked):
    current_password = current_password_field(_l("Mot de passe actuel"), _l("Saisissez votre mot de passe actuel"))
    email = email_field(_l("Nouvelle adresse e-mail"), _l("Saisissez votre nouvelle adresse e-mail"))
    email_confirmation = email_confirmation_field(_l("Confirmez la nouvelle adresse e-mail"),
                                                  _l("Saisissez à nouveau la nouvelle adresse e-mail"))


class MarketingForm(BaseForm):
    marketing_email = BooleanField(_l("Par e-mail"))
    marketing_sms = BooleanField(_l("Par SMS"))
    marketing_phone = BooleanField(_l("Par téléphone"))

    def chosen(self) -> dict[str, bool]:
        return {name: bool(self[name].data) for name in ("marketing_email", "marketing_sms", "marketing_phone")}


class PasswordCheckForm(_Checked):
    """Before showing everything held, or closing the account: the password again."""
    current_password = current_password_field(_l("Mot de passe"), _l("Saisissez votre mot de passe"))


class ProofCodeForm(_Checked):
    """A code that proves the person (to their current phone or email), or a new number."""
    code = code_field(_l("Code de sécurité à 6 chiffres"))


class ChangePasswordForm(PasswordRules, _Checked):
    current_password = current_password_field(_l("Mot de passe actuel"), _l("Saisissez votre mot de passe actuel"))
    password, password_confirmation = new_password_fields()
