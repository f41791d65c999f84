"""The identifier the operator asks for (IDENTIFIER_KIND): its words, once.

Templates and forms receive an `IdentifierWords` (from `wizard.settings.identifier()`);
none of them decides which identifier is configured.
"""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from wizard.core.identity import IDENTIFIER_KINDS

_TEXTS = {
    "member_number": {
        "label": _l("Numéro d’adhérent"),
        "missing": _l("Saisissez votre numéro d’adhérent"),
        "in_checklist": _l("votre numéro d’adhérent ;"),
        "hint": _l("8 chiffres, sous votre nom sur la carte de tiers payant"),
        "messages": {
            "characters": _l("Le numéro d’adhérent ne doit comporter que des chiffres"),
            "length": _l("Le numéro d’adhérent doit comporter 8 chiffres"),
        },
    },
    "nir": {
        "label": _l("Numéro de sécurité sociale"),
        "missing": _l("Saisissez votre numéro de sécurité sociale"),
        "in_checklist": _l("votre numéro de sécurité sociale ;"),
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
        "missing": _l("Saisissez le numéro de série de votre carte Vitale"),
        "in_checklist": _l("le numéro de série de votre carte Vitale ;"),
        "hint": _l("11 chiffres, à droite de la photo sur la carte Vitale"),
        "messages": {
            "characters": _l("Le numéro de série ne doit comporter que des chiffres"),
            "length": _l("Le numéro de série doit comporter 11 chiffres"),
        },
    },
    "postal_code": {
        "label": _l("Code postal"),
        "missing": _l("Saisissez votre code postal"),
        "in_checklist": _l("votre code postal ;"),
        "hint": _l("Le code postal de l’adresse connue de votre complémentaire, 5 chiffres"),
        "messages": {
            "characters": _l("Le code postal ne doit comporter que des chiffres"),
            "length": _l("Le code postal doit comporter 5 chiffres"),
            "unknown": _l("Ce code postal n’existe pas"),
        },
    },
}
assert set(_TEXTS) == set(IDENTIFIER_KINDS)


@dataclass(frozen=True)
class IdentifierWords:
    kind: str
    label: str
    hint: str
    missing: str
    in_checklist: str  # a line of "check that these are exactly those of your card"
    messages: dict  # refusal reason -> message

    @property
    def is_nir(self) -> bool:
        return self.kind == "nir"

    @property
    def inputmode(self) -> str | None:
        return None if self.is_nir else "numeric"  # a NIR may hold 2A or 2B (Corsica)

    @property
    def autocomplete(self) -> str:
        return "postal-code" if self.kind == "postal_code" else "off"


def words_for(kind: str) -> IdentifierWords:
    return IdentifierWords(kind=kind, **_TEXTS[kind])


ALL_MESSAGES = {kind: texts["messages"] for kind, texts in _TEXTS.items()}
