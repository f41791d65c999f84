"""Validators: small callable classes, each with its own whole-sentence message.

Messages are lazy strings so that they are translated when shown, in the person's
language. Validators that normalise (identifier, birth date) also store the clean value.
"""
from flask import current_app
from wtforms.validators import StopValidation, ValidationError

from wizard.services import clock
from wizard.services.identity import Refused, check_name, parse_birth_date, parse_identifier


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
    """Checks the identifier of the kind the operator configured (IDENTIFIER_KIND)."""

    def __init__(self, messages):
        self.messages = messages

    def __call__(self, form, field):
        kind = current_app.config["IDENTIFIER_KIND"]
        try:
            field.data = parse_identifier(kind, field.data)
        except Refused as refusal:
            raise StopValidation(self.messages[kind][refusal.reason]) from None
