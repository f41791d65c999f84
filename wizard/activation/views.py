"""The activation pages: thin views over wizard/accounts/service.py."""
from flask import Blueprint, abort, current_app, g, redirect, url_for
from flask_babel import get_locale

from wizard import settings
from wizard.accounts import service as accounts
from wizard.accounts.models import Account
from wizard.activation.forms import ActivationCodeForm, ChangeEmailForm, EmailAndCodeForm, NewLinkForm
from wizard.core import clock
from wizard.extensions import db, limiter
from wizard.sign_in import service as sign_in
from wizard.signup import journeys
from wizard.web.account_session import begin_after_activation, signed_in_account_id
from wizard.web.forms import ResendForm
from wizard.web.journey_state import WizardState
from wizard.web.limits import activation_email_limits, configured
from wizard.web.rendering import redirect_whole_page, render_page

bp = Blueprint("activation", __name__, url_prefix="/inscription")

# A refused link: its page, and its status (what a monitoring tool sees).
LINK_PAGES = {
    accounts.VALID: ("activation/confirm.html", 200),
    accounts.INVALID: ("activation/invalid.html", 400),
    accounts.EXPIRED: ("activation/expired.html", 410),
    accounts.USED: ("activation/used.html", 200),
    accounts.SUPERSEDED: ("activation/superseded.html", 410),
    accounts.ADDRESS_CHANGED: ("activation/address_changed.html", 410),
}


@bp.route("/verifiez-vos-emails", methods=["GET", "POST"])
@limiter.limit(configured("RATELIMIT_ACTIVATION_CODE"), methods=["POST"])
def check_email():
    state, account = _journey_account()
    if account is None:
        return _code_from_elsewhere(state)
    if account.status == "active":
        return render_page("activation/used.html")
    form = ActivationCodeForm(check=lambda code: accounts.activate_with_code(
        db.session, account, code, settings.activation(), clock.now()))
    if form.validate_on_submit():
        return _signed_in(account)
    return _check_email_page(account, form)


@bp.post("/verifiez-vos-emails/renvoyer")
@activation_email_limits
def resend():
    _state, account = _journey_account()
    if account is None or account.status == "active" or not ResendForm().validate_on_submit():
        return redirect(url_for(".check_email"), 303)
    try:
        accounts.resend(db.session, account, get_locale().language, settings.activation(), clock.now())
    except accounts.TooSoon as too_soon:
        return _check_email_page(account, ActivationCodeForm(formdata=None), refused_wait=too_soon.seconds)
    return redirect(url_for(".check_email"), 303)


@bp.route("/adresse-email", methods=["GET", "POST"])
@activation_email_limits
def change_email():
    _state, account = _journey_account()
    if account is None or account.status == "active":
        return redirect(url_for(".check_email"), 303)
    form = ChangeEmailForm()
    if form.validate_on_submit():
        accounts.change_email(db.session, account, form.email.data, get_locale().language,
                              settings.activation(), clock.now())
        return redirect(url_for(".check_email"), 303)
    return render_page("activation/change_email.html", form=form, account=account)


@bp.get("/email-non-recu")
def not_received():
    return render_page("activation/help.html")


@bp.get("/activation/<token>")
def link(token):
    """The link only shows a button: mail scanners open links, and must not use them up."""
    return _link_page(_link_check(token), token)


@bp.post("/activation/<token>")
@limiter.limit(configured("RATELIMIT_ACTIVATION_CODE"))
def activate(token):
    check = accounts.activate_with_link(db.session, token, settings.activation(), clock.now())
    if check.outcome == accounts.ACTIVATED:
        return _signed_in(check.account)
    return _link_page(check, token)


@bp.post("/activation/<token>/nouveau-lien")
@activation_email_limits
def renew(token):
    form = NewLinkForm()
    if not form.validate_on_submit():
        return _link_page(_link_check(token), token, form)
    check = accounts.renew_link(db.session, token, form.email.data or None, get_locale().language,
                                settings.activation(), clock.now())
    if check.outcome not in (accounts.EXPIRED, accounts.SUPERSEDED):
        return _link_page(check, token, form)
    return redirect(url_for(".link_sent"), 303)


@bp.get("/nouveau-lien-envoye")
def link_sent():
    return render_page("activation/link_sent.html")


@bp.get("/compte-active")
def activated():
    account = db.session.get(Account, signed_in_account_id() or "")
    if account is None or account.status != "active":
        return redirect(url_for("sign_in.start"), 303)  # which says so if the session has expired
    return render_page("activation/activated.html", account=account)


# --- helpers -------------------------------------------------------------------------------

def _link_check(token: str) -> accounts.LinkCheck:
    """Decoded once per request: the rate limit's key and the view both need it."""
    if "link_check" not in g:
        g.link_check = accounts.check_link(db.session, token, settings.activation())
    return g.link_check


def _journey_account() -> tuple[WizardState, Account | None]:
    """This browser's journey and the account it created; using the page keeps it alive."""
    state = WizardState.load()
    account = db.session.get(Account, state.account_id) if state.account_id else None
    if account is not None:
        journeys.touch(state.journey, clock.now())
    return state, account


def _code_from_elsewhere(state: WizardState):
    """No account made by this browser's journey (another browser, a journey expired, or
    an account forgotten): the code is asked with the address, and activates from here."""
    gone = state.account_id is not None  # its account was forgotten: this journey is over
    if gone:
        state = WizardState.start(kiosk_id=state.journey.kiosk_id)
    form = EmailAndCodeForm(check=lambda code: accounts.activate_with_email_and_code(
        db.session, form.email.data, code, settings.activation(), clock.now())[0])
    if form.validate_on_submit():
        return _signed_in(sign_in.active_account(db.session, form.email.data))
    return render_page("activation/code_elsewhere.html", form=form, gone=gone, expired=state.expired,
                       link_hours=settings.activation().link_hours,
                       idle_minutes=current_app.config["JOURNEY_IDLE_MINUTES"],
                       forget_days=current_app.config["UNCONFIRMED_EMAIL_DAYS"])


def _check_email_page(account: Account, form, refused_wait: int = 0):
    """`refused_wait`: the person asked for a new email too soon, and must wait that long."""
    activation = settings.activation()
    return render_page(
        "activation/check_email.html", form=form, account=account, refused_too_soon=bool(refused_wait),
        wait=refused_wait or accounts.seconds_before_resend(account, activation, clock.now()),
        link_hours=activation.link_hours,
    )


def _link_page(check: accounts.LinkCheck, token: str, form=None):
    template, status = LINK_PAGES.get(check.outcome) or abort(500)
    response = render_page(template, status=status, token=token, form=form or NewLinkForm(formdata=None),
                           account=check.account, push_url=False)
    response.headers["Cache-Control"] = "no-store"  # the page holds a credential in its address
    return response


def _signed_in(account: Account):
    """A whole page: the signup session's idle warning replaces the journey's."""
    begin_after_activation(account.id)
    return redirect_whole_page(url_for(".activated"))
