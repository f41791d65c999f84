"""Passwords: the rules a new one must meet, and how it is stored.

The policy
    Configurable (`Policy`); by default NIST SP 800-63B's: length first (at least 12
    characters, at most 128), no composition rule, and not a commonly used password (the
    lists of wizard/data/passwords, and runs like "aaaaaaaaaaaa" or "123456789012"). An
    operator may ask for character classes (a lower case letter, an upper case letter, a
    digit, a special character: anything that is neither a letter nor a digit, spaces
    included), "at least N of these classes" (ameli: a digit *or* a special character),
    allow only some special characters, and refuse parts of the birth date (its year, its
    day and month). It never may contain the person's NIR, birth date, first or last name,
    or the part of their email address before the @. Why 12 and not NIST's 8 or 15: see
    "Passwords" in the README.

Storage: Argon2id (argon2-cffi), the winner of the Password Hashing Competition and the
first choice of RFC 9106 and of OWASP's password storage cheat sheet.
    time_cost=3, memory_cost=64 MiB, parallelism=1 by default: the memory and passes of
    RFC 9106's second recommended option, with one lane because our servers have few
    cores and each gunicorn worker hashes on its own (four lanes gave no speed-up on two
    cores). About 150 ms and 64 MiB per hash on the 2-core reference machine: well above
    OWASP's minimum (19 MiB, 2 passes), affordable once per signup or sign-in. Salt 16
    bytes, hash 32 bytes (argon2-cffi's defaults). When the numbers change, hashes made
    with the old ones are replaced at the next successful verification (`verify`).

Passwords are normalised to NFKC before hashing, so that the same password typed on two
keyboards that compose accents differently still matches.
"""
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

COMMON_PASSWORDS = Path(__file__).resolve().parent.parent / "data" / "passwords"
CHARACTER_CLASSES = ("lower", "upper", "digit", "special")
# Every rule, in the order people read them; `broken_rules` answers in this order.
RULES = ("min_length", "max_length", *CHARACTER_CLASSES, "some_classes", "allowed",
         "nir", "birth_date", "name", "email", "common")
BIRTH_DATE_PARTS = ("year", "day_month")
PERSONAL_RULES = ("nir", "birth_date", "name", "email")
# Shorter names or address parts would refuse too much ("Li" is in many words).
_SHORTEST_PERSONAL_PART = 3
# Common substitutions, undone before looking a password up: P@ssw0rd is password.
_LEET = str.maketrans({"@": "a", "4": "a", "3": "e", "1": "i", "!": "i", "0": "o", "$": "s", "5": "s", "7": "t"})
_EDGES = re.compile(r"^[\W\d_]+|[\W\d_]+$")


@dataclass(frozen=True)
class Policy:
    # NIST SP 800-63B's defaults: length first, no composition rule, the blocklist (is_common).
    min_length: int = 12
    max_length: int = 128
    required_classes: tuple[str, ...] = ()
    # At least `some_count` of `some_classes` (none: no such rule).
    some_classes: tuple[str, ...] = ()
    some_count: int = 1
    # None: any character; else only letters, digits and these.
    allowed_specials: str | None = None
    # Besides the whole date: its year alone, its day and month together.
    birth_date_parts: tuple[str, ...] = ()

    def __post_init__(self):
        unknown = set(self.required_classes + self.some_classes) - set(CHARACTER_CLASSES)
        if unknown:
            raise ValueError(f"unknown character classes: {sorted(unknown)}")
        if self.some_classes and not 1 <= self.some_count <= len(self.some_classes):
            raise ValueError(f"at least {self.some_count} of {len(self.some_classes)} character classes")
        if set(self.birth_date_parts) - set(BIRTH_DATE_PARTS):
            raise ValueError(f"birth date parts are {BIRTH_DATE_PARTS}")
        if not 1 <= self.min_length <= self.max_length:
            raise ValueError("the shortest password is longer than the longest")


@dataclass(frozen=True)
class PersonalData:
    """What a password must not contain, from the journey's answers and the form."""

    first_name: str = ""
    last_name: str = ""
    birth_date: date | None = None
    nir: str | None = None  # only when the operator asks for the NIR
    email: str = ""


@dataclass(frozen=True)
class Hashing:
    time_cost: int = 3
    memory_kib: int = 65536
    parallelism: int = 1

    def hasher(self) -> PasswordHasher:
        return _hasher(self.time_cost, self.memory_kib, self.parallelism)


@cache
def _hasher(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism,
                          hash_len=32, salt_len=16, type=Type.ID)


# --- the policy ----------------------------------------------------------------------------

def broken_rules(password: str, policy: Policy, personal: PersonalData) -> list[str]:
    """The rules this password breaks, in the order of RULES; [] when it is acceptable."""
    broken = []
    if len(password) < policy.min_length:
        broken.append("min_length")
    if len(password) > policy.max_length:
        broken.append("max_length")
    broken += [name for name in policy.required_classes if not _has_class(password, name)]
    if policy.some_classes and sum(_has_class(password, name) for name in policy.some_classes) < policy.some_count:
        broken.append("some_classes")
    if policy.allowed_specials is not None and any(
            not (c.isalnum() or c in policy.allowed_specials) for c in password):
        broken.append("allowed")
    broken += contained_personal_data(password, personal, policy.birth_date_parts)
    if is_common(password):
        broken.append("common")
    return broken


def _has_class(password: str, name: str) -> bool:
    tests = {
        "lower": str.islower,
        "upper": str.isupper,
        "digit": lambda c: c in "0123456789",
        "special": lambda c: not c.isalnum(),
    }
    return any(tests[name](character) for character in password)


def contained_personal_data(password: str, personal: PersonalData, birth_date_parts=()) -> list[str]:
    folded = _fold(password)
    found = []
    if personal.nir and _fold(personal.nir[:13]) in folded:
        found.append("nir")
    if personal.birth_date and any(form in folded for form in _date_forms(personal.birth_date, birth_date_parts)):
        found.append("birth_date")
    names = _name_parts(personal.first_name) | _name_parts(personal.last_name)
    if any(name in folded for name in names):
        found.append("name")
    local_part = _fold(personal.email.rpartition("@")[0])
    if len(local_part) >= _SHORTEST_PERSONAL_PART and local_part in folded:
        found.append("email")
    return found


def _fold(text: str) -> str:
    """Lower case, no accents, letters and digits only: "Jean-Éric 06/03" is "jeaneric0603"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c))


def _name_parts(name: str) -> set[str]:
    words = re.split(r"[\s\-'’]+", name)
    parts = {_fold(word) for word in words} | {_fold(name)}
    return {part for part in parts if len(part) >= _SHORTEST_PERSONAL_PART}


def _date_forms(born: date, parts=()) -> set[str]:
    """The usual ways of writing a birth date, separators removed (as `_fold` does), and
    the parts the policy refuses too."""
    day, month, year = f"{born.day:02}", f"{born.month:02}", f"{born.year:04}"
    forms = {day + month + year, day + month + year[2:], year + month + day, year[2:] + month + day,
             f"{born.day}{born.month}{year}"}
    if "year" in parts:
        forms.add(year)
    if "day_month" in parts:
        forms |= {day + month, f"{born.day}{born.month}"}
    return forms


def is_common(password: str) -> bool:
    """In the lists of wizard/data/passwords, as typed or with its decorations removed:
    Azerty123! is azerty, P@ssw0rd is password."""
    lowered = password.casefold()
    core = _EDGES.sub("", lowered)
    candidates = {lowered, lowered.translate(_LEET)}
    if len(core) >= _SHORTEST_PERSONAL_PART:
        candidates |= {core, core.translate(_LEET)}
    return not candidates.isdisjoint(common_passwords()) or _is_run(lowered)


def _is_run(password: str) -> bool:
    """One character repeated, or a run of consecutive ones ("123456789012", "azertyuiop" is
    in the lists): NIST SP 800-63B's "repetitive or sequential characters"."""
    steps = {(ord(b) - ord(a)) % 10 if a.isdigit() and b.isdigit() else ord(b) - ord(a)
             for a, b in zip(password, password[1:], strict=False)}
    return len(password) >= 4 and len(steps) == 1 and steps <= {0, 1, -1, 9}


@cache
def common_passwords() -> frozenset[str]:
    words = set()
    for path in sorted(COMMON_PASSWORDS.glob("*.txt")):
        words |= {line.strip().casefold() for line in path.read_text(encoding="utf-8").splitlines()}
    words.discard("")
    return frozenset(words)


# --- storage -------------------------------------------------------------------------------

def _normalised(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


def hash_password(password: str, hashing: Hashing) -> str:
    return hashing.hasher().hash(_normalised(password))


def verify(stored_hash: str, password: str, hashing: Hashing) -> tuple[bool, str | None]:
    """Whether the password matches, and a new hash to store when the stored one was made
    with other parameters (None when it need not change)."""
    hasher = hashing.hasher()
    try:
        hasher.verify(stored_hash, _normalised(password))
    except (VerificationError, InvalidHashError):
        return False, None
    if hasher.check_needs_rehash(stored_hash):
        return True, hasher.hash(_normalised(password))
    return True, None
