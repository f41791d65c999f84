"""What every form shares: the base form that trims and drops control characters, the
fields that come back on several pages, and the messages they share."""
import re
from datetime import date

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.form import SUBMIT_METHODS, _Auto
from wtforms import Field, PasswordField, StringField, SubmitField

from wizard.core import passwords
from wizard.core.identity import clean_name
from wizard.web import validators as v

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _clean_text(value):
    """Strip, and drop control characters: a NUL byte would break PostgreSQL."""
    if isinstance(value, str):
        return _CONTROL_CHARACTERS.sub("", value).strip()
    return value


class BaseForm(FlaskForm):
    class Meta:
        def wrap_formdata(self, form, formdata):
            """Only the form's text fields: Flask-WTF would also read file parts and a JSON
            body, whose values (a file, a list, a number) no text field expects."""
            if formdata is not _Auto:
                return formdata
            return request.form if request.method in SUBMIT_METHODS else None

        def bind_field(self, form, unbound_field, options):
            filters = list(unbound_field.kwargs.get("filters", ()))
            # A password is kept exactly as typed: spaces and any character are allowed.
            if not issubclass(unbound_field.field_class, PasswordField):
                filters.insert(0, _clean_text)
            return unbound_field.bind(form=form, filters=filters, **options)

    @classmethod
    def accepts_stored(cls, stored: dict) -> bool:
        """Whether what this form returned earlier would still be accepted if typed again."""
        return cls(formdata=None, data=stored, meta={"csrf": False}).validate()

    def answers(self) -> dict:
        """What the step keeps in the journey: every field but the token and buttons."""
        return {name: _serialisable(field.data) for name, field in self._fields.items()
                if name != "csrf_token" and not isinstance(field, SubmitField)}


class CheckedForm(BaseForm):
    """A form whose last word is an I/O check, passed in (`check(typed) -> outcome`, on
    the data of `checked_field`); `refusal(outcome)` is the message when it is a no."""

    checked_field = "code"

    def __init__(self, *args, check=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._check, self.outcome = check, None

    def validate(self, extra_validators=None):
        if not super().validate(extra_validators):
            return False
        field = self[self.checked_field]
        self.outcome = self._check(field.data)
        message = self.refusal(self.outcome)
        if message:
            field.errors.append(message)
        return not message

    def refusal(self, outcome) -> str | None:
        raise NotImplementedError


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
    return _name_field(label, missing, _l("Le nom doit comporter 100 caractères au maximum"),
                       _l("Le nom ne peut contenir que des lettres, des espaces, des tirets et des apostrophes"))


def first_name_field(label, missing):
    return _name_field(label, missing, _l("Le prénom doit comporter 100 caractères au maximum"),
                       _l("Le prénom ne peut contenir que des lettres, des espaces, des tirets et des apostrophes"))


def _name_field(label, missing, too_long, letters_only):
    return StringField(label, validators=[v.Required(missing), v.MaxLength(100, too_long), v.PersonName(letters_only)],
                       filters=[clean_name])


def birth_date_field(label):
    return DateOfBirthField(label, validators=[v.BirthDate(_DATE_MESSAGES)])


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
    "some_classes": _l("Le mot de passe doit comporter au moins %(number)s de ces types de caractères : "
                       "%(classes)s"),
    "allowed": _l("Le mot de passe ne peut contenir que des lettres, des chiffres et ces caractères spéciaux : "
                  "%(specials)s"),
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
    "some_classes": _l("Au moins %(number)s de ces types : %(classes)s"),
    "allowed": _l("Seulement des lettres, des chiffres et ces caractères spéciaux : %(specials)s"),
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


class PasswordRules:
    """What PasswordPolicy asks of a form: the policy, and what the password must not
    contain (`personal`: PersonalData, or a function of the form that gives it)."""

    def __init__(self, *args, policy=None, personal=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._policy, self._personal = policy, personal

    def password_policy(self):
        return self._policy

    def personal_data(self):
        return self._personal(self) if callable(self._personal) else self._personal


def password_checklist(form) -> list[dict]:
    """The checklist's lines for what is typed in `form.password`, each met (True), not met
    (False) or not known yet (None). The form brings its policy and the personal data."""
    password = (form.password.data or "")[:1024]  # a long paste is refused, not scanned
    policy, personal = form.password_policy(), form.personal_data()
    broken = set(passwords.broken_rules(password, policy, personal)) if password else set()
    groups = [("min_length", ["min_length"]), *[(name, [name]) for name in policy.required_classes],
              *([("some_classes", ["some_classes"])] if policy.some_classes else []),
              *([("allowed", ["allowed"])] if policy.allowed_specials is not None else []),
              ("max_length", ["max_length"]),
              ("personal_nir" if personal.nir else "personal", list(passwords.PERSONAL_RULES)),
              ("common", ["common"])]
    lines = []
    for key, rules in groups:
        lines.append({"rule": key, "text": v.password_rule_text(PASSWORD_CHECKLIST[key], key, policy),
                      "met": None if not password else broken.isdisjoint(rules)})
    return lines


class ResendForm(BaseForm):
    """A button only: the address is the account's."""
