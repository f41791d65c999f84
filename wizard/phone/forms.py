"""The forms of the phone pages: the number, the code."""

from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice

from wizard.web import validators as v
from wizard.web.forms import BaseForm, CheckedForm


class PhoneForm(BaseForm):
    phone = StringField(_l("Numéro de téléphone portable"), validators=[
        v.Required(_l("Saisissez votre numéro de téléphone portable")),
        v.MaxLength(30, _l("Ce numéro est trop long : saisissez 10 chiffres, par exemple 06 12 34 56 78")),
        v.MobileNumber({
            "invalid": _l("Saisissez un numéro de téléphone valide, par exemple 06 12 34 56 78"),
            "landline": _l("Ce numéro est celui d’un téléphone fixe : saisissez un numéro de portable, "
                           "qui peut recevoir des SMS"),
            "foreign": _l("Saisissez un numéro de portable français (métropole ou outre-mer)"),
        }),
    ])
    channel = RadioField(_l("Comment voulez-vous recevoir votre code ?"), default="sms", choices=[
        SelectChoice("sms", _l("Par SMS, sur ce numéro")),
        SelectChoice("email", _l("Par e-mail, à votre adresse de connexion")),
    ], validators=[v.Required(_l("Choisissez comment recevoir votre code"))])


class OneTimeCodeForm(CheckedForm):
    """`check` (the typed code -> an outcome of wizard.codes.one_time_codes) does the I/O."""

    code = StringField(_l("Code de vérification"), validators=[
        v.Required(_l("Saisissez le code à 6 chiffres que vous avez reçu")),
        v.Digits(6, _l("Le code comporte 6 chiffres, par exemple 123456")),
    ], filters=[lambda s: "".join(c for c in s if c not in " -.") if isinstance(s, str) else s])

    def refusal(self, outcome) -> str | None:
        return None if outcome.outcome == "ok" else _code_message(outcome)


def _code_message(result) -> str:
    if result.outcome == "wrong":
        return ngettext("Ce code n’est pas le bon. Il vous reste %(num)s essai.",
                        "Ce code n’est pas le bon. Il vous reste %(num)s essais.", result.attempts_left)
    return {
        "expired": gettext("Ce code a expiré : demandez-en un nouveau"),
        "locked": gettext("Trop d’essais pour ce code : demandez-en un nouveau"),
    }.get(result.outcome, gettext("Demandez un code : aucun code en cours pour ce numéro"))
