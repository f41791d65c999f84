"""The forms of the signup, one per step. Field order here is the order on the page
and in the error summary."""
import re
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, RadioField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice

from wizard import validators as v
from wizard.services import clock
from wizard.services.identity import clean_name

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _clean_text(value):
    """Strip, and drop control characters: a NUL byte would break PostgreSQL."""
    if isinstance(value, str):
        return _CONTROL_CHARACTERS.sub("", value).strip()
    return value


class BaseForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = [_clean_text, *unbound_field.kwargs.get("filters", ())]
            return unbound_field.bind(form=form, filters=filters, **options)

    def answers(self) -> dict:
        """What the step keeps in the journey: every field but the token and buttons."""
        return {name: _serialisable(field.data) for name, field in self._fields.items()
                if name != "csrf_token" and not isinstance(field, SubmitField)}


def _serialisable(value):
    return value.isoformat() if isinstance(value, date) else value


class DateOfBirthField(Field):
    """Day, month and year in three inputs (`<id>-day`, ...), one error for the group."""

    def process(self, formdata, data=None, extra_filters=None):
        self.process_errors = []
        self.errors = []
        self.data = date.fromisoformat(data) if isinstance(data, str) and data else None
        self.parts = ("", "", "")
        if self.data:
            self.parts = (str(self.data.day), str(self.data.month), str(self.data.year))
        if formdata is not None:
            self.parts = tuple(_clean_text(formdata.get(f"{self.name}-{part}", ""))[:8]
                               for part in ("day", "month", "year"))
            self.raw_data = list(self.parts)

    def _value(self):
        return self.parts


# --- field factories: one wording for a field wherever it appears -----------------------

_DATE_MESSAGES = {
    "missing": _l("Saisissez la date de naissance"),
    "missing_day": _l("La date de naissance doit comporter un jour"),
    "missing_month": _l("La date de naissance doit comporter un mois"),
    "missing_year": _l("La date de naissance doit comporter une année"),
    "not_numbers": _l("La date de naissance ne doit comporter que des chiffres, par exemple 27 3 1985"),
    "year_digits": _l("L’année de naissance doit comporter 4 chiffres, par exemple 1985"),
    "not_real": _l("La date de naissance doit être une date réelle"),
    "future": _l("La date de naissance doit être dans le passé"),
    "too_old": _l("La date de naissance doit être postérieure à il y a 120 ans"),
}


def last_name_field(label, missing):
    return StringField(label, validators=[
        v.Required(missing),
        v.MaxLength(100, _l("Le nom doit comporter 100 caractères au maximum")),
        v.PersonName(_l("Le nom ne peut contenir que des lettres, des espaces, des tirets et des apostrophes")),
    ], filters=[clean_name])


def first_name_field(label, missing):
    return StringField(label, validators=[
        v.Required(missing),
        v.MaxLength(100, _l("Le prénom doit comporter 100 caractères au maximum")),
        v.PersonName(_l("Le prénom ne peut contenir que des lettres, des espaces, des tirets et des apostrophes")),
    ], filters=[clean_name])


def birth_date_field(label):
    return DateOfBirthField(label, validators=[v.BirthDate(_DATE_MESSAGES)])


# The identifier depends on the operator's IDENTIFIER_KIND: its words live here, once.
IDENTIFIER_TEXTS = {
    "member_number": {
        "label": _l("Numéro d’adhérent"),
        "hint": _l("8 chiffres, sous votre nom sur la carte de tiers payant"),
        "messages": {
            "characters": _l("Le numéro d’adhérent ne doit comporter que des chiffres"),
            "length": _l("Le numéro d’adhérent doit comporter 8 chiffres"),
        },
    },
    "nir": {
        "label": _l("Numéro de sécurité sociale"),
        "hint": _l("15 chiffres, clé comprise, comme sur votre carte Vitale, par exemple 2 85 03 75 123 456 78"),
        "messages": {
            "characters": _l("Le numéro de sécurité sociale ne doit comporter que des chiffres (ou 2A, 2B pour la Corse)"),  # noqa: E501
            "length": _l("Le numéro de sécurité sociale doit comporter 15 chiffres, clé comprise"),
            "sex_digit": _l("Le numéro de sécurité sociale doit commencer par 1, 2, 3, 4, 7 ou 8"),
            "checksum": _l("Ce numéro de sécurité sociale n’est pas valide : vérifiez chaque chiffre et la clé"),
        },
    },
    "vitale": {
        "label": _l("Numéro de série de la carte Vitale"),
        "hint": _l("11 chiffres, à droite de la photo sur la carte Vitale"),
        "messages": {
            "characters": _l("Le numéro de série ne doit comporter que des chiffres"),
            "length": _l("Le numéro de série doit comporter 11 chiffres"),
        },
    },
    "postal_code": {
        "label": _l("Code postal"),
        "hint": _l("Le code postal de l’adresse connue de votre complémentaire, 5 chiffres"),
        "messages": {
            "characters": _l("Le code postal ne doit comporter que des chiffres"),
            "length": _l("Le code postal doit comporter 5 chiffres"),
            "unknown": _l("Ce code postal n’existe pas"),
        },
    },
}
_IDENTIFIER_MISSING = {
    "member_number": _l("Saisissez votre numéro d’adhérent"),
    "nir": _l("Saisissez votre numéro de sécurité sociale"),
    "vitale": _l("Saisissez le numéro de série de votre carte Vitale"),
    "postal_code": _l("Saisissez votre code postal"),
}


class _IdentifierRequired(v.Required):
    def __init__(self):
        super().__init__(None)

    def __call__(self, form, field):
        self.message = _IDENTIFIER_MISSING[current_app.config["IDENTIFIER_KIND"]]
        super().__call__(form, field)


# --- the forms -----------------------------------------------------------------------

class CaptchaForm(BaseForm):
    """The proof that a person is there comes from the widget or from the spoken code.

    `verify` does the I/O (the widget's server check, the stored code) and is passed in.
    """

    code = StringField(_l("Code de sécurité"), filters=[lambda s: "".join((s or "").split())[:32]])
    renew = SubmitField(_l("Nouveau code"))

    def __init__(self, *args, verify=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._verify = verify

    def validate(self, extra_validators=None):
        if not super().validate(extra_validators):
            return False
        if not self._verify():
            self.code.errors.append(_l("Le code saisi ne correspond pas ou a expiré. "
                                       "Recopiez le code de l’image ou de l’enregistrement, ou demandez-en un nouveau"))
            return False
        return True


class IdentityForm(BaseForm):
    last_name = last_name_field(_l("Nom de famille"), _l("Saisissez votre nom de famille"))
    first_name = first_name_field(_l("Prénom(s)"), _l("Saisissez votre prénom"))
    birth_date = birth_date_field(_l("Date de naissance"))
    identifier = StringField("", validators=[
        _IdentifierRequired(),
        v.MaxLength(40, _l("Ce numéro est trop long : recopiez-le tel qu’il figure sur la carte")),
        v.Identifier({kind: texts["messages"] for kind, texts in IDENTIFIER_TEXTS.items()}),
    ])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.identifier.label.text = IDENTIFIER_TEXTS[current_app.config["IDENTIFIER_KIND"]]["label"]


class RoleForm(BaseForm):
    role = RadioField(_l("Qui est le souscripteur du contrat ?"), choices=[
        SelectChoice("subscriber", _l("C’est moi : je suis le souscripteur (l’assuré principal)")),
        SelectChoice("beneficiary", _l("Une autre personne : je suis bénéficiaire de son contrat (conjoint, enfant…)")),
    ], validators=[v.Required(_l("Indiquez qui est le souscripteur du contrat"))])


class SubscriberForm(BaseForm):
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
        return {"accepted_at": clock.now().isoformat(timespec="seconds"),
                "terms_version": current_app.config["TERMS_VERSION"],
                "privacy_version": current_app.config["PRIVACY_VERSION"]}


class StartCodeForm(BaseForm):
    code = StringField(_l("Code affiché sur la borne ou l’écran"), validators=[
        v.Required(_l("Saisissez le code de 6 caractères affiché")),
        v.MaxLength(20, _l("Le code comporte 6 caractères")),
    ])
