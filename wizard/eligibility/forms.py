"""Correcting one's identity before the insurer is asked again.

The identifier is never written back into the page (it is shown in full only on the summary
the person checks before the account is made): its field comes empty, with the last
characters of the one given, and left empty it keeps that one."""
from wizard.core.identity import IDENTIFIER_KINDS
from wizard.signup.forms import IdentityForm, SubscriberForm, identifier_field
from wizard.web.forms import BaseForm

_IDENTITY_NAMES = ("last_name", "first_name", "birth_date")


def masked_identifier(identifier: str) -> str:
    """••••••43: enough to recognise it, not enough to learn it."""
    return "•" * max(0, len(identifier) - 3) + identifier[-3:] if len(identifier) > 3 else "•••"


def identifier_names() -> set[str]:
    """The answers that may hold an identifier: `identifier`, a kind, and the subscriber's."""
    names = {"identifier", *IDENTIFIER_KINDS}
    return names | {"subscriber_" + name for name in names}


class _Correction:
    identifiers_optional = True
    identifier = identifier_field(optional=True)

    def __init__(self, *args, kept: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kept = kept or {}

    def kept_end(self, field) -> str:
        return masked_identifier(self.kept.get(field.name, ""))

    def corrected_answers(self) -> dict:
        data = {name: value or self.kept.get(name, "") if name in identifier_names() else value
                for name, value in self.answers().items()}
        identity = {name: value for name, value in data.items() if not name.startswith("subscriber_")}
        subscriber = {name: value for name, value in data.items() if name.startswith("subscriber_")}
        return {"identity": identity, **({"subscriber": subscriber} if subscriber else {})}


class IdentityCorrectionForm(_Correction, IdentityForm):
    pass


class BeneficiaryCorrectionForm(_Correction, IdentityForm, SubscriberForm):
    pass


def correction_form(answers: dict) -> BaseForm:
    """The answers the insurer compares, to correct after a "not found" or a "mismatch"."""
    given = {**answers.get("identity", {}), **answers.get("subscriber", {})}
    kept = {name: value for name, value in given.items() if name in identifier_names() and value}
    prefill = {name: value for name, value in given.items() if name not in kept}
    form = BeneficiaryCorrectionForm if answers.get("subscriber") else IdentityCorrectionForm
    return form(data=prefill, kept=kept)
