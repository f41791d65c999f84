"""The signup, declared once, as data.

Everything about order is derived from STEPS: which steps apply to a person, which one
they are on, the previous one, "Étape X sur N", and which answers a change invalidates.
Views and templates never name a next or previous step themselves.
"""
from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from wizard.signup import forms

Answers = dict


def _always(answers: Answers) -> bool:
    return True


def _is_beneficiary(answers: Answers) -> bool:
    return answers.get("role", {}).get("role") == "beneficiary"


@dataclass(frozen=True)
class Step:
    name: str
    slug: str  # the public URL, in French: /inscription/<slug>
    title: str
    form: type
    condition: Callable[[Answers], bool] = _always
    # Steps whose answers, when changed, void this step's answers.
    depends_on: tuple[str, ...] = field(default=())
    # A passed CAPTCHA is not an answer one goes back to change.
    revisitable: bool = True
    # Answering it submits the journey (the account is created from the answers): after
    # that, no step can be entered again; the address is changed from its own page.
    submits: bool = False

    @property
    def template(self) -> str:
        return f"wizard/steps/{self.name}.html"


STEPS = (
    Step("captcha", "verification", _l("Vérification de sécurité"), forms.CaptchaForm, revisitable=False),
    Step("identity", "identite", _l("Votre identité"), forms.IdentityForm),
    Step("role", "qualite", _l("Votre lien avec le contrat"), forms.RoleForm),
    Step("subscriber", "souscripteur", _l("Le souscripteur du contrat"), forms.SubscriberForm,
         condition=_is_beneficiary, depends_on=("role",)),
    Step("summary", "recapitulatif", _l("Vérifiez vos réponses"), forms.SummaryForm,
         depends_on=("identity", "role", "subscriber")),
    Step("credentials", "identifiants", _l("Votre adresse e-mail et votre mot de passe"), forms.CredentialsForm,
         depends_on=("summary",), revisitable=False, submits=True),
)
BY_SLUG = {step.slug: step for step in STEPS}
BY_NAME = {step.name: step for step in STEPS}
assert len(BY_SLUG) == len(BY_NAME) == len(STEPS), "step names and slugs must be unique"
# Pages of the journey that are not steps (wizard/activation/views.py).
RESERVED_SLUGS = {"verifiez-vos-emails", "adresse-email", "email-non-recu", "activation", "nouveau-lien-envoye",
                  "compte-active"}
assert not RESERVED_SLUGS & set(BY_SLUG), "these pages follow the steps; they are not steps"


def active_steps(answers: Answers) -> list[Step]:
    return [step for step in STEPS if step.condition(answers)]


def current_step(answers: Answers) -> Step | None:
    """The first step that applies and is not answered; None once all are."""
    return next((step for step in active_steps(answers) if step.name not in answers), None)


def submitted(answers: Answers) -> bool:
    return any(step.submits and step.name in answers for step in STEPS)


def can_enter(step: Step, answers: Answers) -> bool:
    if submitted(answers):
        return False
    active = active_steps(answers)
    if step not in active:
        return False
    if step.name in answers:
        return step.revisitable
    return step is current_step(answers)


def previous_step(step: Step, answers: Answers) -> Step | None:
    active = active_steps(answers)
    earlier = active[: active.index(step)] if step in active else []
    return next((s for s in reversed(earlier) if s.revisitable), None)


def position(step: Step, answers: Answers) -> tuple[int, int]:
    active = active_steps(answers)
    return active.index(step) + 1, len(active)


def record(answers: Answers, step: Step, values: dict) -> Answers:
    """The answers after this step is (re)answered.

    A changed answer voids the steps that depend on it, transitively, and the answers of
    steps that no longer apply are dropped: nothing is kept that the person did not
    confirm, and nothing is kept that is no longer needed.
    """
    updated = dict(answers)
    changed = updated.get(step.name) != values
    updated[step.name] = values
    voided = {step.name} if changed else set()
    for later in STEPS:
        if voided.intersection(later.depends_on) and later.name in updated:
            del updated[later.name]
            voided.add(later.name)
    return {name: value for name, value in updated.items()
            if name not in BY_NAME or BY_NAME[name].condition(updated)}
