"""The forms of the signup, one per step. Field order here is the order on the page
and in the error summary."""
import re
from datetime import date

from flask import current_app
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, PasswordField, RadioField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice

from wizard import validators as v
from wizard.services import clock, passwords
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
            filters = list(unbound_field.kwargs.get("filters", ()))
            # A password is kept exactly as typed: spaces and any character are allowed.
            if not issubclass(unbound_field.field_class, PasswordField):
                filters.insert(0, _clean_text)
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


# --- credentials and activation ------------------------------------------------------------

EMAIL_MESSAGES = {
    "too_long": _l("L’adresse e-mail doit comporter 254 caractères au maximum"),
    "no_at": _l("L’adresse e-mail doit comporter un @, par exemple nom@exemple.fr"),
    "invalid": _l("Saisissez une adresse e-mail valide, par exemple nom@exemple.fr"),
}
PASSWORD_RULE_MESSAGES = {
    "min_length": _l("Le mot de passe doit comporter au moins %(number)s caractères"),
    "max_length": _l("Le mot de passe doit comporter %(number)s caractères au maximum"),
    "lower": _l("Le mot de passe doit comporter au moins une lettre minuscule"),
    "upper": _l("Le mot de passe doit comporter au moins une lettre majuscule"),
    "digit": _l("Le mot de passe doit comporter au moins un chiffre"),
    "special": _l("Le mot de passe doit comporter au moins un caractère spécial, par exemple ! ? @ # * $"),
    "nir": _l("Le mot de passe ne doit pas contenir votre numéro de sécurité sociale"),
    "birth_date": _l("Le mot de passe ne doit pas contenir votre date de naissance"),
    "name": _l("Le mot de passe ne doit pas contenir votre nom ou votre prénom"),
    "email": _l("Le mot de passe ne doit pas contenir le début de votre adresse e-mail (avant le @)"),
    "common": _l("Ce mot de passe est trop courant : choisissez-en un plus difficile à deviner"),
}
# The checklist shown beside the password: one line per rule, or per group of rules.
PASSWORD_CHECKLIST = {
    "min_length": _l("Au moins %(number)s caractères"),
    "max_length": _l("%(number)s caractères au maximum"),
    "lower": _l("Au moins une lettre minuscule"),
    "upper": _l("Au moins une lettre majuscule"),
    "digit": _l("Au moins un chiffre"),
    "special": _l("Au moins un caractère spécial, par exemple ! ? @ # * $"),
    "personal": _l("Aucune information personnelle : nom, prénom, date de naissance, début de l’adresse e-mail"),
    "personal_nir": _l("Aucune information personnelle : nom, prénom, date de naissance, numéro de sécurité "
                       "sociale, début de l’adresse e-mail"),
    "common": _l("Pas un mot de passe courant, comme Azerty123! ou Motdepasse1"),
}


def _email_key(value: str) -> str:
    """How two typings of one address compare: as stored, or lower case if not valid."""
    try:
        return v.normalise_email(value)
    except v.Refused:
        return value.lower()


def email_field(label, missing):
    return StringField(label, validators=[v.Required(missing), v.EmailAddress(EMAIL_MESSAGES)])


def email_confirmation_field(label, missing, other="email"):
    return StringField(label, validators=[
        v.Required(missing),
        v.SameAs(other, _l("Les deux adresses e-mail ne sont pas identiques"), key=_email_key),
    ])


def password_checklist(password: str | None, policy, personal, identifier_kind: str) -> list[dict]:
    """The checklist's lines, each met (True), not met (False) or not known yet (None)."""
    broken = set(passwords.broken_rules(password, policy, personal)) if password else set()
    groups = [("min_length", ["min_length"]), *[(name, [name]) for name in policy.required_classes],
              ("max_length", ["max_length"]),
              ("personal_nir" if identifier_kind == "nir" else "personal", list(passwords.PERSONAL_RULES)),
              ("common", ["common"])]
    lines = []
    for key, rules in groups:
        number = policy.max_length if key == "max_length" else policy.min_length
        lines.append({"rule": key, "text": str(PASSWORD_CHECKLIST[key]) % {"number": number},
                      "met": None if not password else broken.isdisjoint(rules)})
    return lines


class CredentialsForm(BaseForm):
    """`policy` and `personal` (email -> PersonalData) come from the settings and the journey."""

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

    def __init__(self, *args, policy=None, personal=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._policy, self._personal = policy, personal

    def password_policy(self):
        return self._policy

    def personal_data(self):
        return self._personal(self.email.data or "")

    def marketing(self) -> dict[str, bool]:
        return {"marketing_email": self.marketing_email.data, "marketing_sms": self.marketing_sms.data,
                "marketing_phone": self.marketing_phone.data}


ACTIVATION_CODE_MESSAGES = {
    "wrong_code": _l("Ce code ne correspond pas : recopiez le code du dernier e-mail reçu"),
    "expired": _l("Ce code a expiré : demandez un nouvel e-mail"),
    "too_many_codes": _l("Trop de codes erronés : pour votre sécurité, utilisez le lien reçu par e-mail"),
    "used": _l("Ce compte est déjà activé : vous pouvez vous connecter"),
}


class ActivationCodeForm(BaseForm):
    """`activate` (the typed code -> an outcome of wizard.services.accounts) does the I/O."""

    code = StringField(_l("Code reçu par e-mail"), validators=[
        v.Required(_l("Saisissez le code à 6 chiffres reçu par e-mail")),
        v.Digits(6, _l("Le code comporte 6 chiffres, par exemple 123456")),
    ], filters=[lambda s: "".join(s.split()) if isinstance(s, str) else s])

    def __init__(self, *args, activate=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._activate = activate

    def validate(self, extra_validators=None):
        if not super().validate(extra_validators):
            return False
        outcome = self._activate(self.code.data)
        if outcome != "activated":
            self.code.errors.append(ACTIVATION_CODE_MESSAGES[outcome])
            return False
        return True


class ResendForm(BaseForm):
    """A button only: the address is the account's."""


class ChangeEmailForm(BaseForm):
    email = email_field(_l("Nouvelle adresse e-mail"), _l("Saisissez votre nouvelle adresse e-mail"))
    email_confirmation = email_confirmation_field(
        _l("Confirmez la nouvelle adresse e-mail"), _l("Saisissez à nouveau la nouvelle adresse pour la confirmer"))


class NewLinkForm(BaseForm):
    """From an expired link: empty sends to the same address."""

    email = StringField(_l("Une autre adresse e-mail (facultatif)"),
                        validators=[v.Optional(), v.EmailAddress(EMAIL_MESSAGES)])


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


class OneTimeCodeForm(BaseForm):
    """`check` (the typed code -> an outcome of wizard.services.one_time_codes) does the I/O."""

    code = StringField(_l("Code de vérification"), validators=[
        v.Required(_l("Saisissez le code à 6 chiffres que vous avez reçu")),
        v.Digits(6, _l("Le code comporte 6 chiffres, par exemple 123456")),
    ], filters=[lambda s: "".join(c for c in s if c not in " -.") if isinstance(s, str) else s])

    def __init__(self, *args, check=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._check = check

    def validate(self, extra_validators=None):
        if not super().validate(extra_validators):
            return False
        result = self._check(self.code.data)
        if result.outcome != "ok":
            self.code.errors.append(_code_message(result))
            return False
        return True


def _code_message(result) -> str:
    if result.outcome == "wrong":
        return ngettext("Ce code n’est pas le bon. Il vous reste %(num)s essai.",
                        "Ce code n’est pas le bon. Il vous reste %(num)s essais.", result.attempts_left)
    return {
        "expired": gettext("Ce code a expiré : demandez-en un nouveau"),
        "locked": gettext("Trop d’essais pour ce code : demandez-en un nouveau"),
    }.get(result.outcome, gettext("Demandez un code : aucun code en cours pour ce numéro"))


class _Correction:
    def corrected_answers(self) -> dict:
        data = self.answers()
        identity = {name: data[name] for name in ("last_name", "first_name", "birth_date", "identifier")}
        subscriber = {name: value for name, value in data.items() if name.startswith("subscriber_")}
        return {"identity": identity, **({"subscriber": subscriber} if subscriber else {})}


class IdentityCorrectionForm(_Correction, IdentityForm):
    pass


class BeneficiaryCorrectionForm(_Correction, IdentityForm, SubscriberForm):
    pass


def correction_form(answers: dict) -> BaseForm:
    """The answers the insurer compares, to correct after a "not found" or a "mismatch"."""
    prefill = {**answers.get("identity", {}), **answers.get("subscriber", {})}
    form = BeneficiaryCorrectionForm if answers.get("subscriber") else IdentityCorrectionForm
    return form(data=prefill)
