"""Reading what people type about who they are: names, birth dates, identifiers.

Pure functions. Each refusal carries a `reason` that the form turns into a sentence
in the person's language.
"""
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from stdnum.exceptions import ValidationError
from stdnum.fr import nir as stdnum_nir

IDENTIFIER_KINDS = ("member_number", "nir", "vitale", "postal_code", "contract_number")
# The lengths an operator may change (IDENTIFIER_LENGTHS); the others are fixed by law.
DEFAULT_LENGTHS = {"member_number": (8, 8), "contract_number": (6, 20)}
MAX_AGE_YEARS = 120
# Letters (any script, accents included), spaces, hyphens and apostrophes.
_NAME = re.compile(r"^[^\W\d_]+(?:[ '’\-][^\W\d_]+)*\.?$")
_SEPARATORS = re.compile(r"[\s.\-]+")


class Refused(ValueError):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def clean_name(raw: str | None) -> str | None:
    """Trim and collapse inner spaces; the typed case and accents are kept."""
    return " ".join(raw.split()) if isinstance(raw, str) else raw


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise Refused("characters")
    return name


def name_key(name: str) -> str:
    """What two spellings of one name share: no case, accents, hyphens or apostrophes."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[\-'’]", " ", bare).split())


@dataclass(frozen=True)
class NameKeys:
    """A name as it is matched against the insurer's card, by every adapter: the identity
    screen promises that case, accents, hyphens, apostrophes and spaces do not count."""
    last_name: str                # "N'DIAYE" and "Ndiaye" both give "ndiaye"
    given_names: tuple[str, ...]  # "Jean-Étienne" gives ("jean", "etienne")

    @classmethod
    def of(cls, last_name: str, first_name: str) -> "NameKeys":
        return cls(name_key(last_name).replace(" ", ""), tuple(name_key(first_name).split()))

    def matches_card(self, card: "NameKeys") -> bool:
        """Same last name; the given names typed are all of the card's, in one word or
        several, or some of them in the card's order (people often type only the one they
        use: "Jean" or "Étienne" for "Jean-Étienne")."""
        if self.last_name != card.last_name or not self.given_names:
            return False
        if "".join(self.given_names) == "".join(card.given_names):
            return True
        remaining = iter(card.given_names)
        return all(name in remaining for name in self.given_names)


def parse_birth_date(day: str, month: str, year: str, today: date) -> date:
    parts = {"day": day.strip(), "month": month.strip(), "year": year.strip()}
    missing = [name for name, value in parts.items() if not value]
    if len(missing) == 3:
        raise Refused("missing")
    if missing:
        raise Refused("missing_" + missing[0])
    if not all(value.isdigit() for value in parts.values()):
        raise Refused("not_numbers")
    if len(parts["year"]) != 4:
        raise Refused("year_digits")
    try:
        born = date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
    except ValueError:
        raise Refused("not_real") from None
    if born > today:
        raise Refused("future")
    if today.year - born.year > MAX_AGE_YEARS:
        raise Refused("too_old")
    return born


def parse_identifier(kind: str, raw: str, lengths: tuple[int, int] | None = None) -> str:
    """The identifier without its separators (spaces, dots, hyphens), or Refused.
    `lengths` (shortest, longest) replaces DEFAULT_LENGTHS for the kinds that have one."""
    compact = _SEPARATORS.sub("", raw).upper()
    shortest, longest = lengths or DEFAULT_LENGTHS.get(kind, (0, 0))
    if kind == "member_number":
        return _digits(compact, shortest)
    if kind == "contract_number":
        return _contract_number(compact, shortest, longest)
    return {"nir": _nir, "vitale": _vitale, "postal_code": _postal_code}[kind](compact)


def _digits(compact: str, length: int) -> str:
    if not (compact.isascii() and compact.isdigit()):  # isdigit alone takes "²" and "٣"
        raise Refused("characters")
    if len(compact) != length:
        raise Refused("length")
    return compact


def _contract_number(compact: str, shortest: int, longest: int) -> str:
    """Letters and digits (insurers write them either way: "MS-2024-00042", "12345678")."""
    if not (compact.isascii() and compact.isalnum()):
        raise Refused("characters")
    if not shortest <= len(compact) <= longest:
        raise Refused("length")
    return compact


def _vitale(compact: str) -> str:
    return _digits(compact, 11)


def _postal_code(compact: str) -> str:
    code = _digits(compact, 5)
    if code.startswith("00") or code[:2] == "96" or code[:2] == "99":
        raise Refused("unknown")
    return code


def _nir(compact: str) -> str:
    if len(compact) != 15:
        raise Refused("length")
    if not re.fullmatch(r"\d{5}(\d{2}|2A|2B)\d{8}", compact, re.ASCII):
        raise Refused("characters")
    # python-stdnum checks the key and Corsica, not the sex digit.
    if compact[0] not in "123478":
        raise Refused("sex_digit")
    try:
        return stdnum_nir.validate(compact)
    except ValidationError:
        raise Refused("checksum") from None


def mask_identifier(value: str) -> str:
    """Shown on screens after entry: the last 4 characters only."""
    return "•" * max(len(value) - 4, 0) + value[-4:]
