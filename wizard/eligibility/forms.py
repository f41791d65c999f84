"""Correcting one's identity before the insurer is asked again.

The identifier is never written back into the page (it is shown in full only on the summary
the person checks before the account is made): its field comes empty, with the last
characters of the one given, and left empty it keeps that one."""
from flask_babel import lazy_gettext as _l
from wtforms import StringField

from wizard.signup.forms import IdentityForm, SubscriberForm
from wizard.web import validators as v
from wizard.web.forms import BaseForm


def masked_identifier(identifier: str) -> str:
    """••••••43: enough to recognise it, not enough to learn it."""
    return "•" * max(0, len(identifier) - 3) + identifier[-3:] if len(identifier) > 3 else "•••"


class _Correction:
    identifier = StringField("", validators=[
        v.Optional(),
        v.MaxLength(40, _l("Ce numéro est trop long : recopiez-le tel qu’il figure sur la carte")),
        v.Identifier(),
    ])

    def __init__(self, *args, kept_identifier: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.kept_identifier = kept_identifier
        self.kept_end = masked_identifier(kept_identifier)

    def corrected_answers(self) -> dict:
        data = self.answers()
        identity = {name: data[name] for name in ("last_name", "first_name", "birth_date")}
        identity["identifier"] = data["identifier"] or self.kept_identifier
        subscriber = {name: value for name, value in data.items() if name.startswith("subscriber_")}
        return {"identity": identity, **({"subscriber": subscriber} if subscriber else {})}


class IdentityCorrectionForm(_Correction, IdentityForm):
    pass


class BeneficiaryCorrectionForm(_Correction, IdentityForm, SubscriberForm):
    pass


def correction_form(answers: dict) -> BaseForm:
    """The answers the insurer compares, to correct after a "not found" or a "mismatch"."""
    identity = dict(answers.get("identity", {}))
    kept = identity.pop("identifier", "") or ""
    prefill = {**identity, **answers.get("subscriber", {})}
    form = BeneficiaryCorrectionForm if answers.get("subscriber") else IdentityCorrectionForm
    return form(data=prefill, kept_identifier=kept)
