"""The forms of the activation pages: the code, a new address, a new link."""

from flask_babel import lazy_gettext as _l
from wtforms import StringField

from wizard.web import validators as v
from wizard.web.forms import EMAIL_MESSAGES, BaseForm, CheckedForm, email_confirmation_field, email_field

ACTIVATION_CODE_MESSAGES = {
    "wrong_code": _l("Ce code ne correspond pas : recopiez le code du dernier e-mail reçu"),
    "expired": _l("Ce code a expiré : demandez un nouvel e-mail"),
    "too_many_codes": _l("Trop de codes erronés : pour votre sécurité, utilisez le lien reçu par e-mail"),
    "used": _l("Ce compte est déjà activé : vous pouvez vous connecter"),
}


def _code_field():
    return StringField(_l("Code reçu par e-mail"), validators=[
        v.Required(_l("Saisissez le code à 6 chiffres reçu par e-mail")),
        v.Digits(6, _l("Le code comporte 6 chiffres, par exemple 123456")),
    ], filters=[lambda s: "".join(s.split()) if isinstance(s, str) else s])


class ActivationCodeForm(CheckedForm):
    """`check` (the typed code -> an outcome of wizard.accounts.service) does the I/O."""

    code = _code_field()

    def refusal(self, outcome) -> str | None:
        return None if outcome == "activated" else ACTIVATION_CODE_MESSAGES[outcome]


class EmailAndCodeForm(ActivationCodeForm):
    """The code typed in another browser than the signup's: the address says whose it is
    (`check` reads it from the form). The address first, as the page asks for them."""

    email = email_field(_l("Adresse e-mail donnée à l’inscription"), _l("Saisissez votre adresse e-mail"))
    code = _code_field()


class ChangeEmailForm(BaseForm):
    email = email_field(_l("Nouvelle adresse e-mail"), _l("Saisissez votre nouvelle adresse e-mail"))
    email_confirmation = email_confirmation_field(
        _l("Confirmez la nouvelle adresse e-mail"), _l("Saisissez à nouveau la nouvelle adresse pour la confirmer"))


class NewLinkForm(BaseForm):
    """From an expired link: empty sends to the same address."""

    email = StringField(_l("Une autre adresse e-mail (facultatif)"),
                        validators=[v.Optional(), v.EmailAddress(EMAIL_MESSAGES)])
