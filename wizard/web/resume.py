"""Where an unfinished signup continues (wizard/accounts/progress.py): the address of its
next stage, and what its screens show of the progress ("Étape X sur N", what is done)."""
from flask import url_for

from wizard.accounts import progress
from wizard.accounts.models import Account
from wizard.core import phones
from wizard.sign_in import service as sign_in

URLS = {"email": "activation.check_email", "phone": "phone.number", "eligibility": "eligibility.confirm"}


def next_url(account: Account) -> str:
    """The next stage's page; "Mon compte" once the signup is over."""
    stage = progress.next_stage(account)
    return url_for(URLS[stage.name]) if stage else url_for("account.overview")


def progress_of(account: Account, stage_name: str) -> dict:
    """For the heading and the "Déjà fait" list of a stage's screen."""
    stage = progress.BY_NAME[stage_name]
    number, total = progress.position(stage)
    done = [{"label": finished.done_label, "detail": _detail(account, finished.name)}
            for finished in progress.done(account) if finished is not stage]
    return {"number": number, "total": total, "title": stage.title, "done": done}


def _detail(account: Account, stage_name: str) -> str | None:
    """What a done stage recorded, masked: enough to recognise one's own."""
    if stage_name == "email":
        return sign_in.mask_email(account.email)
    if stage_name == "phone":
        return phones.masked(account.phone) if account.phone_verified_at else sign_in.mask_email(account.email)
    return None
