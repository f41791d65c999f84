"""Where the eligibility service meets the app: its settings, the insurer, the job."""
from flask import current_app

from wizard import database, jobs, settings
from wizard.core import clock
from wizard.eligibility import service as eligibility
from wizard.eligibility.insurer import ELIGIBLE, DirectoryInsurer, HttpInsurer
from wizard.extensions import db
from wizard.messaging import outbox

_INSURERS = "sesame.insurer"


def insurer():
    """The HTTP API when configured, else the directory; one per app (the CSV is cached)."""
    if _INSURERS not in current_app.extensions:
        config = current_app.config
        current_app.extensions[_INSURERS] = (
            HttpInsurer(config["INSURER_API_URL"], config["INSURER_API_TOKEN"], config["INSURER_TIMEOUT_SECONDS"],
                        settings.identifiers().kinds)
            if config["INSURER_API_URL"] else DirectoryInsurer(config["INSURER_DIRECTORY"]))
    return current_app.extensions[_INSURERS]


def _tell_outcome(db_session, account, check) -> None:
    composer = settings.composer()
    kind = {ELIGIBLE: "eligible", eligibility.FAILED: "insurer_unavailable"}.get(check.status, "not_eligible")
    # Signing in leads on from any browser: to "Mon compte", or back to the check.
    link = settings.public_url("sign_in.start")
    email = composer.eligibility_outcome(account.language, account.email, kind, link,
                                         contract_number=account.contract_number if kind == "eligible" else None)
    outbox.queue_email(db_session, email, f"eligibility_{kind}", account.id, clock.now())


def start(check_id: str) -> None:
    """Once the request that created the check has committed it."""
    database.after_commit(db.session, lambda: jobs.enqueue("check_eligibility", check_id))


def check_eligibility(check_id: str) -> str | None:
    deps = eligibility.Run(ask=insurer().check, now=clock.now, tell_outcome=_tell_outcome,
                           again_in=lambda check, delay: jobs.enqueue("check_eligibility", check, delay=delay))
    return eligibility.run(db.session, check_id, settings.eligibility_settings(), deps)


def sweep() -> int:
    """Restarts the checks that no worker holds any more (cron: every minute)."""
    stale = eligibility.stale(db.session, clock.now(), grace=settings.eligibility_settings().lease)
    for check_id in stale:
        jobs.enqueue("check_eligibility", check_id)
    return len(stale)
