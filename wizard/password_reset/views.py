"""Forgotten password: thin views over wizard/password_reset/service.py.

Every answer is the same whether or not the address has an account: the service writes
a request in both cases, and these views never look at the account before the mailbox
is proven (the code typed, or the link opened).
"""
from flask import Blueprint, redirect, render_template, url_for
from flask_babel import get_locale

from wizard import settings
from wizard.accounts import service as accounts
from wizard.accounts.models import Account
from wizard.core import clock
from wizard.extensions import db, limiter
from wizard.password_reset import service as password_resets
from wizard.settings import reset_settings
from wizard.sign_in.forms import ForgottenPasswordForm, NewPasswordForm, ResetCodeForm, code_message
from wizard.web import account_session, browser_cookies, password_reset_state
from wizard.web.forms import password_checklist
from wizard.web.limits import configured
from wizard.web.rendering import render_page

bp = Blueprint("password", __name__, url_prefix="/mot-de-passe-oublie")

LINK_PAGES = {password_resets.INVALID: 400, password_resets.EXPIRED: 410, password_resets.USED: 410,
              password_resets.SUPERSEDED: 410}


@bp.route("", methods=["GET", "POST"])
@limiter.limit(configured("RATELIMIT_PASSWORD_RESET"), methods=["POST"])
def forgotten():
    typed = password_reset_state.reset_followed().get("email") or browser_cookies.remembered_email()
    form = ForgottenPasswordForm(data={"email": typed})
    if form.validate_on_submit():
        reset = password_resets.request(db.session, form.email.data, get_locale().language, reset_settings(),
                                        clock.now())
        password_reset_state.follow_reset(reset.id, form.email.data)
        return redirect(url_for(".check_email"), 303)
    return render_page("password/forgotten.html", form=form)


@bp.route("/code", methods=["GET", "POST"])
@limiter.limit(configured("RATELIMIT_ACTIVATION_CODE"), methods=["POST"])
def check_email():
    followed = password_reset_state.reset_followed()
    if not followed:
        return redirect(url_for(".forgotten"), 303)
    form = ResetCodeForm(check=lambda form: _check_code(followed["id"], form))
    valid = form.validate_on_submit()
    if valid:
        password_reset_state.reset_proven()
        return redirect(url_for(".new_password"), 303)
    return render_page("password/check_email.html", form=form, email=followed["email"],
                       minutes=reset_settings().minutes)


@bp.get("/lien/<token>")
def link(token):
    outcome, reset = password_resets.open_link(db.session, token, clock.now())
    if reset is None:
        response = render_page("password/link_refused.html", status=LINK_PAGES[outcome], outcome=outcome,
                               push_url=False)
        response.headers["Cache-Control"] = "no-store"
        return response
    password_reset_state.follow_reset(reset.id, "", proven=True)
    return redirect(url_for(".new_password"), 303)  # the token leaves the address bar


@bp.route("/nouveau", methods=["GET", "POST"])
def new_password():
    reset, account = _usable()
    if reset is None:
        return redirect(url_for(".forgotten"), 303)
    form = _new_password_form(account)
    if form.validate_on_submit():
        password_resets.complete(db.session, reset, form.password.data, reset_settings(), account_session.device(),
                                 clock.now())
        password_reset_state.forget_reset()
        account_session.end("password")
        return redirect(url_for(".done"), 303)
    return render_page("password/new.html", form=form, password_rules_list=password_checklist(form))


@bp.post("/regles")
def password_rules():
    """The checklist, ticked as the new password is typed (HTMX)."""
    reset, account = _usable()
    form = _new_password_form(account) if reset else None
    return render_template("wizard/steps/_password_rules.html",
                           password_rules_list=password_checklist(form) if form else [])


@bp.get("/termine")
def done():
    account_session.signed_out_reason()  # this page says it: the sign-in page need not say it again
    return render_page("password/done.html")


def _check_code(reset_id: int, form):
    result = password_resets.check_code(db.session, reset_id, form.code.data, reset_settings(), clock.now())
    return result, code_message(result, "reset"), form.code


def _usable() -> tuple:
    followed = password_reset_state.reset_followed()
    reset = password_resets.usable(db.session, followed.get("id"), clock.now()) if followed.get("proven") else None
    return (reset, db.session.get(Account, reset.account_id)) if reset else (None, None)


def _new_password_form(account: Account) -> NewPasswordForm:
    return NewPasswordForm(policy=settings.password_policy(),
                           personal=accounts.personal_data(account.applicant, account.email,
                                                           settings.identifiers()))

