"""French mobile numbers, overseas departments included.

`phonenumbers` knows 0690 (Guadeloupe), 0692 (La Réunion)... only under their own
regions, not under FR: each region where a French number may live is tried in turn.
"""
import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

from wizard.core.identity import Refused

FRENCH_REGIONS = ("FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF")
_MOBILE = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}


def parse_mobile(raw: str) -> str:
    """The number in E.164 (+33612345678), or Refused: "invalid", "landline" or "foreign"."""
    typed = "".join(c for c in raw if c.isdigit() or c == "+")
    if not 8 <= len(typed.lstrip("+")) <= 15:
        raise Refused("invalid")
    for region in FRENCH_REGIONS:
        try:
            number = phonenumbers.parse(typed, region)
        except NumberParseException:
            raise Refused("invalid") from None
        if phonenumbers.is_valid_number(number):
            if phonenumbers.region_code_for_number(number) not in FRENCH_REGIONS:
                raise Refused("foreign")
            if phonenumbers.number_type(number) not in _MOBILE:
                raise Refused("landline")
            return phonenumbers.format_number(number, PhoneNumberFormat.E164)
    international = typed.startswith("+") or typed.startswith("00")
    if international and phonenumbers.is_valid_number(_parse_or_none(typed)):
        raise Refused("foreign")
    raise Refused("invalid")


def _parse_or_none(typed: str):
    try:
        return phonenumbers.parse(typed.replace("00", "+", 1) if typed.startswith("00") else typed, None)
    except NumberParseException:
        return phonenumbers.PhoneNumber()


def national(e164: str) -> str:
    """06 12 34 56 78, as the person knows their number."""
    number = phonenumbers.parse(e164, None)
    return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)


def masked(e164: str) -> str:
    """06 •• •• •• 78: enough to recognise one's number, not enough to learn it."""
    groups = national(e164).split(" ")
    return " ".join([groups[0], *("••" for _ in groups[1:-1]), groups[-1]])
