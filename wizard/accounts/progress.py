"""Where an account stands in finishing its signup, once the answers are given: the
address, then the phone (or codes by email), then the insurer's confirmation.

Declared once, as data, like the steps of the journey (wizard/signup/steps.py): the next
stage, "Étape X sur N" and what is already done are derived from this list. Signing in
with an unfinished account leads to `next_stage` (wizard/web/resume.py)."""
from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from wizard.accounts.models import Account


@dataclass(frozen=True)
class Stage:
    name: str
    title: str  # as the step's heading says it
    done_label: str  # as "Déjà fait" lists it
    done: Callable[[Account], bool]


STAGES = (
    Stage("answers", _l("Vos informations"), _l("Vos informations enregistrées"), lambda account: True),
    Stage("email", _l("Confirmer votre adresse e-mail"), _l("Adresse e-mail confirmée"),
          lambda account: account.status == "active"),
    Stage("phone", _l("Votre téléphone portable"), _l("Réception des codes confirmée"),
          lambda account: account.code_channel_confirmed_at is not None),
    Stage("eligibility", _l("Confirmer l’éligibilité à nos services"), _l("Éligibilité confirmée"),
          lambda account: account.eligible_at is not None),
)
BY_NAME = {stage.name: stage for stage in STAGES}


def next_stage(account: Account) -> Stage | None:
    """The first stage not done; None once the signup is over."""
    return next((stage for stage in STAGES if not stage.done(account)), None)


def position(stage: Stage) -> tuple[int, int]:
    return STAGES.index(stage) + 1, len(STAGES)


def done(account: Account) -> list[Stage]:
    return [stage for stage in STAGES if stage.done(account)]
