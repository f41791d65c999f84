"""The identifiers the operator asks for, in order: their words, formats and pictures, once.

IDENTIFIERS lists them (`nir,postal_code`); unset, IDENTIFIER_KIND alone. SUBSCRIBER_IDENTIFIERS
says which a beneficiary also types for the subscriber; IDENTIFIER_LENGTHS and
IDENTIFIER_PICTURES change a format or the "Où trouver ?" picture. `from_config` reads them
at start-up and refuses a wrong one with the setting named (wizard/__init__.py).

The first identifier is the one the insurer finds the card by: its form field and answer
are `identifier` (as in the first version of the contract); the others are named by their
kind (`postal_code`, `subscriber_vitale`). Templates and forms receive an `Identifiers`
(wizard.settings.identifiers()); none of them decides which identifiers are configured.
"""
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from wizard.config import SettingError
from wizard.core.identity import DEFAULT_LENGTHS, IDENTIFIER_KINDS, mask_identifier

# `card`: the drawing of templates/components/where_to_find.html that shows where it is.
_TEXTS = {
    "member_number": {
        "find": _l("Où trouver mon numéro d’adhérent ?"),
        "subscriber_find": _l("Où trouver le numéro d’adhérent du souscripteur ?"),
        "label": _l("Numéro d’adhérent"),
        "subscriber_label": _l("Numéro d’adhérent du souscripteur"),
        "missing": _l("Saisissez votre numéro d’adhérent"),
        "subscriber_missing": _l("Saisissez le numéro d’adhérent du souscripteur"),
        "in_checklist": _l("votre numéro d’adhérent ;"),
        "hint": _l("%(length)s chiffres, sous votre nom sur la carte de tiers payant"),
        "where": _l("Sur la carte de tiers payant, le numéro d’adhérent est en haut à gauche, sous le nom de "
                    "votre complémentaire, après « N° adhérent »."),
        "card": "tiers_payant",
        "messages": {
            "characters": _l("Le numéro d’adhérent ne doit comporter que des chiffres"),
            "length": _l("Le numéro d’adhérent doit comporter %(length)s chiffres"),
        },
    },
    "contract_number": {
        "find": _l("Où trouver mon numéro de contrat ?"),
        "subscriber_find": _l("Où trouver le numéro de contrat du souscripteur ?"),
        "label": _l("Numéro de contrat"),
        "subscriber_label": _l("Numéro de contrat du souscripteur"),
        "missing": _l("Saisissez votre numéro de contrat"),
        "subscriber_missing": _l("Saisissez le numéro de contrat du souscripteur"),
        "in_checklist": _l("votre numéro de contrat ;"),
        "hint": _l("De %(shortest)s à %(longest)s lettres ou chiffres, sur la carte de tiers payant"),
        "where": _l("Sur la carte de tiers payant, le numéro de contrat est sous le numéro d’adhérent, après "
                    "« N° contrat »."),
        "card": "tiers_payant",
        "messages": {
            "characters": _l("Le numéro de contrat ne doit comporter que des lettres et des chiffres"),
            "length": _l("Le numéro de contrat doit comporter de %(shortest)s à %(longest)s lettres ou chiffres"),
        },
    },
    "nir": {
        "find": _l("Où trouver mon numéro de sécurité sociale ?"),
        "subscriber_find": _l("Où trouver le numéro de sécurité sociale du souscripteur ?"),
        "label": _l("Numéro de sécurité sociale"),
        "subscriber_label": _l("Numéro de sécurité sociale du souscripteur"),
        "missing": _l("Saisissez votre numéro de sécurité sociale"),
        "subscriber_missing": _l("Saisissez le numéro de sécurité sociale du souscripteur"),
        "in_checklist": _l("votre numéro de sécurité sociale ;"),
        "hint": _l("15 chiffres, clé comprise, comme sur votre carte Vitale, par exemple 2 85 03 75 123 456 88"),
        "where": _l("Sur la carte Vitale, le numéro de sécurité sociale est sous votre nom : 13 chiffres, "
                    "puis la clé de 2 chiffres. Il figure aussi sur votre attestation de droits."),
        "card": "vitale",
        "messages": {
            "characters": _l("Le numéro de sécurité sociale ne doit comporter que des chiffres (ou 2A, 2B pour la Corse)"),  # noqa: E501
            "length": _l("Le numéro de sécurité sociale doit comporter 15 chiffres, clé comprise"),
            "sex_digit": _l("Le numéro de sécurité sociale doit commencer par 1, 2, 3, 4, 7 ou 8"),
            "checksum": _l("Ce numéro de sécurité sociale n’est pas valide : vérifiez chaque chiffre et la clé"),
        },
    },
    "vitale": {
        "find": _l("Où trouver le numéro de série de ma carte Vitale ?"),
        "subscriber_find": _l("Où trouver le numéro de série de la carte Vitale du souscripteur ?"),
        "label": _l("Numéro de série de la carte Vitale"),
        "subscriber_label": _l("Numéro de série de la carte Vitale du souscripteur"),
        "missing": _l("Saisissez le numéro de série de votre carte Vitale"),
        "subscriber_missing": _l("Saisissez le numéro de série de la carte Vitale du souscripteur"),
        "in_checklist": _l("le numéro de série de votre carte Vitale ;"),
        "hint": _l("11 chiffres, à droite de la photo sur la carte Vitale"),
        "where": _l("Sur la carte Vitale, le numéro de série est à droite de la photo, en petits chiffres."),
        "card": "vitale",
        "messages": {
            "characters": _l("Le numéro de série ne doit comporter que des chiffres"),
            "length": _l("Le numéro de série doit comporter 11 chiffres"),
        },
    },
    "postal_code": {
        "find": _l("Où trouver mon code postal ?"),
        "subscriber_find": _l("Où trouver le code postal du souscripteur ?"),
        "label": _l("Code postal"),
        "subscriber_label": _l("Code postal du souscripteur"),
        "missing": _l("Saisissez votre code postal"),
        "subscriber_missing": _l("Saisissez le code postal du souscripteur"),
        "in_checklist": _l("votre code postal ;"),
        "hint": _l("Le code postal de l’adresse connue de votre complémentaire, 5 chiffres"),
        "where": _l("Sur les courriers de votre complémentaire, le code postal est sur la dernière ligne de "
                    "votre adresse, avant la ville."),
        "card": "letter",
        "messages": {
            "characters": _l("Le code postal ne doit comporter que des chiffres"),
            "length": _l("Le code postal doit comporter 5 chiffres"),
            "unknown": _l("Ce code postal n’existe pas"),
        },
    },
}
assert set(_TEXTS) == set(IDENTIFIER_KINDS)
MAX_LENGTH = 40  # the identity form's limit on what is typed, separators included


@dataclass(frozen=True)
class IdentifierWords:
    """One identifier as the operator configured it. Its sentences are lazy (translated
    when shown); those that name a length are filled in here."""
    kind: str
    position: int  # 0: the first, the one the insurer finds the card by
    asked_of_subscriber: bool = False
    lengths: tuple[int, int] | None = None  # for the kinds whose length an operator may change
    picture: Markup | None = None  # the operator's own "Où trouver ?" SVG, else ours

    def _fill(self, text) -> str:
        if not self.lengths:
            return str(text)
        return str(text) % {"length": self.lengths[0], "shortest": self.lengths[0], "longest": self.lengths[1]}

    def _text(self, name: str) -> str:
        return self._fill(_TEXTS[self.kind][name])

    label = property(lambda self: self._text("label"))
    subscriber_label = property(lambda self: self._text("subscriber_label"))
    missing = property(lambda self: self._text("missing"))
    subscriber_missing = property(lambda self: self._text("subscriber_missing"))
    in_checklist = property(lambda self: self._text("in_checklist"))  # "check these are your card's"
    hint = property(lambda self: self._text("hint"))
    where = property(lambda self: self._text("where"))  # the picture's text alternative
    find = property(lambda self: self._text("find"))  # "Où trouver ?", the help's summary
    subscriber_find = property(lambda self: self._text("subscriber_find"))

    @property
    def card(self) -> str:
        return _TEXTS[self.kind]["card"]

    def message(self, reason: str) -> str:
        return self._fill(_TEXTS[self.kind]["messages"][reason])

    @property
    def field(self) -> str:
        """Its form field and answer: `identifier` for the first, else its kind."""
        return "identifier" if self.position == 0 else self.kind

    @property
    def subscriber_field(self) -> str:
        return "subscriber_" + self.field

    @property
    def inputmode(self) -> str | None:
        # A NIR may hold 2A or 2B (Corsica); a contract number letters.
        return None if self.kind in ("nir", "contract_number") else "numeric"

    @property
    def autocomplete(self) -> str:
        return "postal-code" if self.kind == "postal_code" else "off"


@dataclass(frozen=True)
class Identifiers:
    """The identifiers asked, in order (never empty)."""
    asked: tuple[IdentifierWords, ...]

    @property
    def first(self) -> IdentifierWords:
        return self.asked[0]

    @property
    def others(self) -> tuple[IdentifierWords, ...]:
        return self.asked[1:]

    @property
    def of_subscriber(self) -> tuple[IdentifierWords, ...]:
        return tuple(words for words in self.asked if words.asked_of_subscriber)

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(words.kind for words in self.asked)

    def values(self, person) -> list[tuple[IdentifierWords, str]]:
        """(words, value) of each identifier `person` (an Applicant's Person) gave."""
        pairs = [(words, person.identifier if words.position == 0 else person.other(words.kind))
                 for words in self.asked]
        return [(words, value) for words, value in pairs if value]

    def value(self, person, kind: str) -> str | None:
        return next((value for words, value in self.values(person) if words.kind == kind), None)

    def masked(self, person) -> list[tuple[str, str]]:
        """(label, last characters) for Mon compte: enough to recognise, not to learn."""
        return [(words.label, mask_identifier(value)) for words, value in self.values(person)]


def words_for(kind: str) -> IdentifierWords:
    """One identifier alone, with its default format."""
    return IdentifierWords(kind=kind, position=0, lengths=DEFAULT_LENGTHS.get(kind))


# --- from the settings, at start-up ---------------------------------------------------------

def from_config(config) -> Identifiers:
    """The identifiers the settings ask for, or SettingError saying which setting is wrong."""
    kinds = tuple(config.get("IDENTIFIERS") or ()) or (config["IDENTIFIER_KIND"],)
    source = "IDENTIFIERS" if config.get("IDENTIFIERS") else "IDENTIFIER_KIND"
    choices = ", ".join(IDENTIFIER_KINDS)
    for kind in kinds:
        if kind not in IDENTIFIER_KINDS:
            raise SettingError(f"{source}: {kind!r} is not an identifier; choose among {choices}")
        if kinds.count(kind) > 1:
            raise SettingError(f"{source}: {kind!r} is listed twice")
    of_subscriber = tuple(config.get("SUBSCRIBER_IDENTIFIERS") or ())
    for kind in of_subscriber:
        if kind not in kinds:
            raise SettingError(f"SUBSCRIBER_IDENTIFIERS: {kind!r} is not among the identifiers asked "
                               f"({', '.join(kinds)})")
    lengths = _lengths(config.get("IDENTIFIER_LENGTHS") or ())
    pictures = _pictures(config.get("IDENTIFIER_PICTURES") or (), config.get("BRAND_FOLDER"), kinds)
    return Identifiers(tuple(
        IdentifierWords(kind=kind, position=position, asked_of_subscriber=kind in of_subscriber,
                        lengths=lengths.get(kind, DEFAULT_LENGTHS.get(kind)), picture=pictures.get(kind))
        for position, kind in enumerate(kinds)))


def _pairs(setting: str, items) -> dict[str, str]:
    """`kind=value` items, each kind known and given once."""
    pairs = {}
    for item in items:
        kind, equals, value = item.partition("=")
        kind, value = kind.strip(), value.strip()
        if not equals or not value:
            raise SettingError(f"{setting}: {item!r} should be kind=value")
        if kind not in IDENTIFIER_KINDS:
            raise SettingError(f"{setting}: {kind!r} is not an identifier; choose among {', '.join(IDENTIFIER_KINDS)}")
        if kind in pairs:
            raise SettingError(f"{setting}: {kind!r} is given twice")
        pairs[kind] = value
    return pairs


def _lengths(items) -> dict[str, tuple[int, int]]:
    lengths = {}
    for kind, value in _pairs("IDENTIFIER_LENGTHS", items).items():
        if kind not in DEFAULT_LENGTHS:
            raise SettingError(f"IDENTIFIER_LENGTHS: the length of {kind!r} is fixed; only "
                               f"{', '.join(DEFAULT_LENGTHS)} may change")
        found = re.fullmatch(r"(\d{1,2})(?:-(\d{1,2}))?", value, re.ASCII)
        shortest, longest = (int(found.group(1)), int(found.group(2) or found.group(1))) if found else (0, 0)
        if not found or not 1 <= shortest <= longest <= MAX_LENGTH or (kind == "member_number" and found.group(2)):
            shape = "N" if kind == "member_number" else "N or N-M"
            raise SettingError(f"IDENTIFIER_LENGTHS: {kind}={value!r} should be {shape}, from 1 to {MAX_LENGTH}")
        lengths[kind] = (shortest, longest)
    return lengths


SVG = "http://www.w3.org/2000/svg"
_UNSAFE = re.compile(r"^(script|foreignObject|iframe|object|embed|use|image|a|style)$")


def _pictures(items, folder: str | None, kinds) -> dict[str, Markup]:
    pairs = _pairs("IDENTIFIER_PICTURES", items)
    if pairs and not folder:
        raise SettingError("IDENTIFIER_PICTURES: the pictures are files of BRAND_FOLDER, which is not set")
    return {kind: operator_picture(Path(folder) / name, f"IDENTIFIER_PICTURES: {kind}={name!r}")
            for kind, name in pairs.items()}


def operator_picture(path: Path, setting: str) -> Markup:
    """An operator's SVG, checked once and put inline: no script, no link out, no styles or
    pictures loaded from elsewhere (the page's CSP would block them anyway), and a <title>,
    which becomes its text alternative."""
    if path.suffix != ".svg" or not path.is_file():
        raise SettingError(f"{setting}: {path} is not an .svg file")
    try:
        root = ET.fromstring(path.read_text("utf-8"))
    except (ET.ParseError, UnicodeDecodeError) as error:
        raise SettingError(f"{setting}: {path} is not well-formed SVG ({error})") from None
    if root.tag != f"{{{SVG}}}svg":
        raise SettingError(f"{setting}: {path} is not an SVG picture (its root is {root.tag})")
    for element in root.iter():
        name = element.tag.rpartition("}")[2]
        if _UNSAFE.match(name) or any(attribute.rpartition("}")[2].lower().startswith("on")
                                      or "href" in attribute for attribute in element.attrib):
            raise SettingError(f"{setting}: {path} holds <{name}> or an event or link attribute; "
                               "only shapes and text are allowed")
    title = root.find(f"{{{SVG}}}title")
    if title is None or not (title.text or "").strip():
        raise SettingError(f"{setting}: {path} needs a <title> saying what it shows (its text alternative)")
    root.set("role", "img")
    root.set("aria-label", title.text.strip())
    root.set("class", "where-to-find__picture")
    ET.register_namespace("", SVG)
    return Markup(ET.tostring(root, encoding="unicode"))
