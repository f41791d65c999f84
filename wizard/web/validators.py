"""Validators: small callable classes, each with its own whole-sentence message.

Messages are lazy strings so that they are translated when shown, in the person's
language. Validators that normalise (identifier, birth date) also store the clean value.
"""
from flask_babel import lazy_gettext as _l
from wtforms.validators import Optional, StopValidation, ValidationError  # noqa: F401 (Optional: for forms)

from wizard import settings
from wizard.accounts.service import normalise_email
from wizard.core import clock, phones
from wizard.core.identity import Refused, check_name, parse_birth_date, parse_identifier
from wizard.core.passwords import broken_rules


class Required:
    """Like DataRequired, with a message that must be given (no 'This field is required')."""

    field_flags = {"required": True}

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        if not field.data or (isinstance(field.data, str) and not field.data.strip()):
            field.errors[:] = []
            raise StopValidation(self.message)


class MaxLength:
    def __init__(self, maximum, message):
        self.maximum, self.message = maximum, message

    def __call__(self, form, field):
        if field.data and len(field.data) > self.maximum:
            raise StopValidation(self.message)


class PersonName:
    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        try:
            check_name(field.data)
        except Refused:
            raise ValidationError(self.message) from None


class BirthDate:
    """Reads the day, month and year parts of a DateOfBirthField into a date."""

    def __init__(self, messages):
        self.messages = messages

    def __call__(self, form, field):
        try:
            field.data = parse_birth_date(*field.parts, today=clock.now().date())
        except Refused as refusal:
            field.data = None
            raise StopValidation(self.messages[refusal.reason]) from None


class Identifier:
    """Checks one of the identifiers asked (wizard.settings.identifiers: the first unless
    `words` says which) and keeps it without its separators."""

    def __init__(self, words=None):
        self.words = words

    def __call__(self, form, field):
        words = self.words or settings.identifier()
        try:
            field.data = parse_identifier(words.kind, field.data, words.lengths)
        except Refused as refusal:
            raise StopValidation(words.message(refusal.reason)) from None


class EmailAddress:
    """Checks the syntax (no network look-up) and keeps the normalised address."""

    def __init__(self, messages):
        self.messages = messages

    def __call__(self, form, field):
        try:
            field.data = normalise_email(field.data)
        except Refused as refusal:
            raise StopValidation(self.messages[refusal.reason]) from None


class SameAs:
    """The second of two fields typed twice. `key` says how they compare (addresses: as stored)."""

    def __init__(self, other: str, message, key=lambda value: value):
        self.other, self.message, self.key = other, message, key

    def __call__(self, form, field):
        if form[self.other].errors:
            return  # the first field's own error is the one to fix first
        if self.key(form[self.other].data or "") != self.key(field.data or ""):
            raise StopValidation(self.message)


class Digits:
    def __init__(self, length: int, message):
        self.length, self.message = length, message

    def __call__(self, form, field):
        if not (field.data.isascii() and field.data.isdigit() and len(field.data) == self.length):
            raise StopValidation(self.message)


class PasswordPolicy:
    """Every rule the password breaks gets its own message, all shown at once.

    The form provides `password_policy()` and `personal_data()`: the policy comes from
    the settings, the personal data from the journey and the email typed in the form.
    """

    def __init__(self, messages):
        self.messages = messages

    def __call__(self, form, field):
        policy = form.password_policy()
        broken = broken_rules(field.data or "", policy, form.personal_data())
        if broken:
            messages = [password_rule_text(self.messages[rule], rule, policy) for rule in broken]
            # WTForms keeps one message per raised error: the others go in directly.
            field.errors.extend(messages[:-1])
            raise StopValidation(messages[-1])


CHARACTER_CLASS_NAMES = {"lower": _l("lettre minuscule"), "upper": _l("lettre majuscule"), "digit": _l("chiffre"),
                         "special": _l("caractère spécial")}


def password_rule_values(policy) -> dict:
    """What the rules' sentences name: the lengths, the classes to choose from, the specials."""
    return {"number": policy.min_length, "max_length": policy.max_length, "some_count": policy.some_count,
            "classes": ", ".join(str(CHARACTER_CLASS_NAMES[name]) for name in policy.some_classes),
            "specials": " ".join(policy.allowed_specials or "")}


def password_rule_text(template, rule: str, policy) -> str:
    values = password_rule_values(policy)
    number = {"max_length": values["max_length"], "some_classes": values["some_count"]}.get(rule, values["number"])
    return str(template) % {**values, "number": number}


class MobileNumber:
    """A French mobile number (overseas included); stores it in E.164."""

    def __init__(self, messages):
        self.messages = messages

    def __call__(self, form, field):
        try:
            field.data = phones.parse_mobile(field.data)
        except Refused as refusal:
            raise StopValidation(self.messages[refusal.reason]) from None
