"""Mon compte: thin views over the sign-in services. Every page needs a full sign-in."""
from functools import wraps

from flask import Blueprint, current_app, g, jsonify, redirect, render_template, request, url_for

from wizard import settings
from wizard.accounts import activity
from wizard.accounts import service as accounts
from wizard.accounts.models import Account
from wizard.core import clock, phones
from wizard.extensions import db, limiter
from wizard.password_reset import service as password_resets
from wizard.settings import reset_settings, sign_in_settings
from wizard.sign_in import remembered_browsers
from wizard.sign_in import service as sign_in
from wizard.sign_in.forms import ChangePasswordForm, current_password_message
from wizard.web import account_session, browser_cookies, franceconnect_state
from wizard.web.forms import ResendForm, password_checklist
from wizard.web.limits import configured
from wizard.web.rendering import render_page

bp = Blueprint("account", __name__, url_prefix="/compte")


def signed_in(view):
    """The view runs for a full sign-in only (`g.account`); anyone else goes to sign in."""
    @wraps(view)
    def guarded(*args, **kwargs):
        g.account = account_session.signed_in_account()
        if g.account is None:
            return redirect(url_for("sign_in.start"), 303)
        return view(*args, **kwargs)
    return guarded


@bp.after_request
def _private(response):
    """Personal data: the browser keeps no copy, so Back after signing out shows nothing."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("")
@signed_in
def overview():
    account, now = g.account, clock.now()
    return render_page(
        "account/overview.html", account=account, notice=account_session.told(),
        person=account.applicant.person if account.applicant else None,
        phone=phones.masked(account.phone) if account.phone and account.phone_verified_at else None,
        browsers=remembered_browsers.live(db.session, account.id, now), this_browser=browser_cookies.this_browser_id(),
        events=activity.recent(db.session, account.id), idle_minutes=current_app.config["SESSION_IDLE_MINUTES"],
        form=ResendForm(formdata=None))


@bp.route("/mot-de-passe", methods=["GET", "POST"])
@limiter.limit(configured("RATELIMIT_SIGN_IN"), methods=["POST"])
@signed_in
def change_password():
    form = _change_password_form(g.account)
    if form.validate_on_submit():
        password_resets.replace_password(
            db.session, g.account, form.password.data, reset_settings(), account_session.device(), clock.now(),
            keep_session=account_session.session_token(), keep_browser=browser_cookies.this_browser_id())
        return redirect(url_for(".password_changed"), 303)
    return render_page("account/password.html", form=form, password_rules_list=password_checklist(form))


@bp.post("/mot-de-passe/regles")
@signed_in
def password_rules():
    form = _change_password_form(g.account)
    return render_template("wizard/steps/_password_rules.html", password_rules_list=password_checklist(form))


@bp.get("/mot-de-passe/modifie")
@signed_in
def password_changed():
    return render_page("account/password_changed.html")


@bp.post("/navigateurs/<browser_id>/oublier")
@signed_in
def forget_browser(browser_id):
    if ResendForm().validate_on_submit() and _forget(g.account, browser_id[:64]):
        account_session.tell("browser_forgotten")
    return redirect(url_for(".overview"), 303)


@bp.post("/deconnexion-partout")
@signed_in
def sign_out_everywhere():
    id_token = None
    if ResendForm().validate_on_submit():
        activity.record(db.session, g.account.id, activity.SIGNED_OUT_EVERYWHERE, account_session.device(), clock.now())
        id_token = account_session.end_everywhere(g.account.id)
    return redirect((id_token and franceconnect_state.logout_url(id_token)) or url_for("sign_in.signed_out"), 303)


@bp.get("/session")
def session_status():
    """For the idle warning: seconds before the session ends. Reading it is not activity."""
    return jsonify(seconds_left=account_session.seconds_left())


@bp.post("/session")
def stay_signed_in():
    """The idle warning's "Rester connecté" (a fetch); without JavaScript, back to the account."""
    left = account_session.stay_signed_in() if ResendForm().validate_on_submit() else account_session.seconds_left()
    if request.accept_mimetypes.best == "application/json":
        return jsonify(seconds_left=left)
    return redirect(url_for(".overview"), 303)


def _forget(account: Account, browser_id: str) -> bool:
    this_one = browser_id == browser_cookies.this_browser_id()
    if not remembered_browsers.revoke(db.session, account.id, browser_id, clock.now()):
        return False
    activity.record(db.session, account.id, activity.BROWSER_FORGOTTEN, account_session.device(), clock.now())
    if this_one:
        browser_cookies.forget_this_browser()
    return True


def _change_password_form(account: Account) -> ChangePasswordForm:
    return ChangePasswordForm(policy=settings.password_policy(), personal=_personal_data(account),
                              check=lambda form: _check_current(account, form))


def _personal_data(account: Account):
    return accounts.personal_data(account.applicant, account.email, settings.identifier().is_nir)


def _check_current(account: Account, form):
    attempt = sign_in.check_password(db.session, account, form.current_password.data, sign_in_settings(),
                                     account_session.device(), clock.now())
    return attempt, current_password_message(attempt), form.current_password


