"""Confirm, wait ("vérification en cours"), see the outcome, correct one's answers."""
import time
from types import SimpleNamespace
from urllib.parse import quote

from flask import Blueprint, abort, current_app, redirect, request, url_for
from markupsafe import escape

from wizard import settings
from wizard.accounts.models import Account
from wizard.core import clock
from wizard.eligibility import checks
from wizard.eligibility import service as eligibility
from wizard.eligibility.forms import correction_form
from wizard.eligibility.models import EligibilityCheck
from wizard.extensions import db, limiter
from wizard.web import locale, resume
from wizard.web.account_session import polling_account_id, signed_in_account_id
from wizard.web.limits import configured
from wizard.web.rendering import fragment, fragment_response, render_page, wants_partial

bp = Blueprint("eligibility", __name__, url_prefix="/inscription")


@bp.get("/eligibilite")
def confirm():
    account = _account()
    if account is None:
        return _elsewhere()
    return _confirm_page(account)


@bp.post("/eligibilite")
@limiter.limit(configured("RATELIMIT_ELIGIBILITY"))
def start():
    account = _account()
    if account is None:
        return _elsewhere()
    return _check(account)


@bp.get("/verification-en-cours")
def waiting():
    account = _account()
    check = eligibility.latest(db.session, account) if account else None
    if check is None:
        return redirect(url_for("eligibility.confirm"), 303)
    check = _wait_for_a_quick_answer(check)
    return render_page("eligibility/waiting.html", **_status(check, account, seen_stage=None))


@bp.get("/verification-en-cours/etat")
def status():
    """Polled every 2 s by everyone waiting: one read by primary key, no write, no session write."""
    check = eligibility.progress(db.session, request.args.get("verification", ""))
    if check is None or check.account_id != polling_account_id():
        abort(404)
    context = _status(check, None, seen_stage=request.args.get("vu", type=int))
    if context["finished"]:  # once per person: the outcome, their contract number
        return fragment_response(fragment(STATUS_FRAGMENT, **context))
    return fragment_response(_in_progress(check, context))


STATUS_FRAGMENT = "eligibility/_status.html"
# A check in progress shows the same fragment to everyone at its stage, in a language,
# but for the check's id in its URL: made once with this in its place, then filled in.
_CHECK_ID = "CHECK-ID"


def _in_progress(check: EligibilityCheck, context: dict) -> str:
    made = current_app.extensions.setdefault("sesame.status_fragments", {})  # a few dozen keys
    key = (locale.select(), wants_partial(), request.script_root, check.status, check.stage,
           context["slow"], context["announce"])
    if key not in made:
        stand_in = SimpleNamespace(id=_CHECK_ID, status=check.status, stage=check.stage)
        made[key] = fragment(STATUS_FRAGMENT, **{**context, "check": stand_in})
    return made[key].replace(_CHECK_ID, str(escape(quote(check.id, safe=""))))


@bp.route("/eligibilite/corriger", methods=["GET", "POST"])
def correct():
    account = _account()
    if account is None:
        return _elsewhere()
    if account.eligible_at is not None:  # the insurer confirmed this identity: only the operator changes it
        return render_page("eligibility/identity_locked.html", status=403,
                           advisors=current_app.config["ADVISORS_CONTACT"])
    check = eligibility.latest(db.session, account)
    if check is not None and check.status not in eligibility.FINISHED:  # not while the insurer is asked
        return redirect(url_for("eligibility.waiting"), 303)
    form = correction_form(account.answers)
    if form.validate_on_submit():
        account.answers = {**account.answers, **form.corrected_answers()}
        return _check(account)  # the corrected answers are checked again at once
    return render_page("eligibility/correct.html", form=form)


def _check(account: Account):
    try:
        check = eligibility.start(db.session, account, settings.eligibility_settings(), clock.now())
    except eligibility.TooManyAttempts as refusal:
        return render_page("eligibility/locked.html", status=429, until=refusal.until)
    checks.start(check.id)  # once this request has committed the check
    return redirect(url_for("eligibility.waiting"), 303)


def _confirm_page(account: Account):
    check = eligibility.latest(db.session, account)
    if check is not None and check.status not in eligibility.REFUSED + (eligibility.FAILED,):
        return redirect(url_for("eligibility.waiting"), 303)
    left = eligibility.attempts_left(db.session, account, settings.eligibility_settings(), clock.now())
    window_hours = int(settings.eligibility_settings().refusal_window.total_seconds() // 3600)
    return render_page("eligibility/confirm.html", account=account, last=check, attempts_left=left,
                       window_hours=window_hours, progress=resume.progress_of(account, "eligibility"))


def _status(check: EligibilityCheck, account: Account | None, seen_stage: int | None) -> dict:
    waited = (clock.now() - check.created_at).total_seconds()
    finished = check.status in eligibility.FINISHED
    if check.status == eligibility.ELIGIBLE and account is None:  # the poll's last answer only
        account = db.session.get(Account, check.account_id)
    return {"check": check, "finished": finished, "account": account, "identifiers": settings.identifiers(),
            "contract_number": account.contract_number if check.status == eligibility.ELIGIBLE else None,
            "advisors": {"contact": current_app.config["ADVISORS_CONTACT"], "url": current_app.config["ADVISORS_URL"]},
            "slow": not finished and waited > current_app.config["ELIGIBILITY_SLOW_SECONDS"],
            # The live region says a stage once: the poll tells which stage the screen shows.
            "announce": seen_stage != check.stage}


def _wait_for_a_quick_answer(check: EligibilityCheck) -> EligibilityCheck:
    """Most insurers answer within a second: a check just started is waited for a moment,
    so that the outcome shows at once rather than a wait. Reads only: the check was
    committed by the request that started it (POST, then this page)."""
    quick = current_app.config["ELIGIBILITY_QUICK_ANSWER_SECONDS"]
    deadline = time.monotonic() + quick - (clock.now() - check.created_at).total_seconds()
    pause = 0.01  # then 0.02, 0.04... up to 0.1 s: an answer in 20 ms is not seen 100 ms late
    check_id = check.id
    while check.status not in eligibility.FINISHED and time.monotonic() < deadline:
        time.sleep(pause)
        pause = min(2 * pause, 0.1)
        db.session.expire_all()
        fresh = db.session.get(EligibilityCheck, check_id)
        if fresh is None:
            break
        check = fresh
    return check


def _elsewhere():
    """Without a confirmed phone: that step; without a session: signing in leads back here."""
    return redirect(url_for("phone.number" if signed_in_account_id() else "sign_in.start"), 303)


def _account() -> Account | None:
    """The signed-in account, once its phone (or email) code is confirmed."""
    account = db.session.get(Account, signed_in_account_id() or "")
    if account is None or account.status != "active" or account.code_channel_confirmed_at is None:
        return None
    return account
