"""Correcting one's identity before the insurer is asked again."""



from wizard.signup.forms import IdentityForm, SubscriberForm
from wizard.web.forms import BaseForm


class _Correction:
    def corrected_answers(self) -> dict:
        data = self.answers()
        identity = {name: data[name] for name in ("last_name", "first_name", "birth_date", "identifier")}
        subscriber = {name: value for name, value in data.items() if name.startswith("subscriber_")}
        return {"identity": identity, **({"subscriber": subscriber} if subscriber else {})}


class IdentityCorrectionForm(_Correction, IdentityForm):
    pass


class BeneficiaryCorrectionForm(_Correction, IdentityForm, SubscriberForm):
    pass


def correction_form(answers: dict) -> BaseForm:
    """The answers the insurer compares, to correct after a "not found" or a "mismatch"."""
    prefill = {**answers.get("identity", {}), **answers.get("subscriber", {})}
    form = BeneficiaryCorrectionForm if answers.get("subscriber") else IdentityCorrectionForm
    return form(data=prefill)
