"""The signup, declared once, as data.

Everything about order is derived from STEPS: which steps apply to a person, which one
they are on, the previous one, "Étape X sur N", and which answers a change invalidates.
Views and templates never name a next or previous step themselves.
"""
from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from wizard.core.applicant import Applicant
from wizard.signup import forms

Answers = dict


def _always(answers: Answers) -> bool:
    return True


def _is_beneficiary(answers: Answers) -> bool:
    return answers.get("role", {}).get("role") == "beneficiary"


# How each step shows on "Vérifiez vos réponses": (label, value) pairs from the Applicant.

def _identity_rows(applicant: Applicant, identifiers) -> list[tuple]:
    person = applicant.person
    return [(_l("Nom de famille"), person.last_name), (_l("Prénom(s)"), person.first_name),
            (_l("Date de naissance"), format_date(person.birth_date, "long")),
            *((words.label, value) for words, value in identifiers.values(person))]


def _role_rows(applicant: Applicant, identifiers) -> list[tuple]:
    return [(_l("Souscripteur du contrat"), forms.role_label(applicant.role))]


def _subscriber_rows(applicant: Applicant, identifiers) -> list[tuple]:
    subscriber = applicant.subscriber
    return [(_l("Nom de famille du souscripteur"), subscriber.last_name),
            (_l("Prénom(s) du souscripteur"), subscriber.first_name),
            (_l("Date de naissance du souscripteur"), format_date(subscriber.birth_date, "long")),
            *((words.subscriber_label, value) for words, value in identifiers.values(subscriber))]


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
    # Its rows on the summary: (applicant, the identifiers asked) -> [(label, value)].
    summary: Callable[[Applicant, object], list[tuple]] | None = None
    # Its stored answer is checked again by its form before the account is created (the
    # CAPTCHA's answer is a time, not what a form returns).
    revalidated: bool = True

    @property
    def template(self) -> str:
        return f"wizard/steps/{self.name}.html"


STEPS = (
    Step("captcha", "verification", _l("Vérification de sécurité"), forms.CaptchaForm, revisitable=False,
         revalidated=False),
    Step("identity", "identite", _l("Votre identité"), forms.IdentityForm, summary=_identity_rows),
    Step("role", "qualite", _l("Votre lien avec le contrat"), forms.RoleForm, summary=_role_rows),
    Step("subscriber", "souscripteur", _l("Le souscripteur du contrat"), forms.SubscriberForm,
         condition=_is_beneficiary, depends_on=("role",), summary=_subscriber_rows),
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
    return _void(updated, {step.name} if changed else set())


def forget(answers: Answers, step: Step) -> Answers:
    """The answers without this step's, nor those of the steps that depend on it."""
    return _void({name: value for name, value in answers.items() if name != step.name}, {step.name})


def _void(answers: Answers, voided: set[str]) -> Answers:
    for later in STEPS:
        if voided.intersection(later.depends_on) and later.name in answers:
            del answers[later.name]
            voided.add(later.name)
    return {name: value for name, value in answers.items()
            if name not in BY_NAME or BY_NAME[name].condition(answers)}


def summary_rows(answers: Answers, identifiers) -> list[dict]:
    """The check-your-answers list: label, value, and the step where it is changed."""
    applicant = Applicant.from_answers(answers)
    if applicant is None:
        return []
    return [{"label": str(label), "value": value, "slug": step.slug}
            for step in active_steps(answers) if step.summary and step.name in answers
            for label, value in step.summary(applicant, identifiers)]


def first_invalid(answers: Answers) -> Step | None:
    """The first answered step whose stored answer its form no longer accepts: answers are
    checked again before the account is created, so that no tampering gets through."""
    return next((step for step in active_steps(answers) if step.revalidated and step.name in answers
                 and not step.form.accepts_stored(answers[step.name])), None)
