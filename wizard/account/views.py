"""Mon compte: thin views over the sign-in services. Every page needs a full sign-in."""
from functools import wraps

from flask import Blueprint, current_app, flash, g, jsonify, redirect, render_template, url_for
from flask_babel import format_datetime, format_time, gettext

from wizard import settings
from wizard.account import changes, not_me
from wizard.account import my_data as my_data_service
from wizard.accounts import activity, personal_data
from wizard.accounts import service as accounts
from wizard.accounts.models import Account
from wizard.codes import one_time_codes
from wizard.core import clock, phones
from wizard.extensions import db, limiter
from wizard.password_reset import service as password_resets
from wizard.settings import reset_settings, sign_in_settings
from wizard.sign_in import remembered_browsers
from wizard.sign_in import service as sign_in
from wizard.sign_in.forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    ChangePhoneForm,
    MarketingForm,
    PasswordCheckForm,
    ProofCodeForm,
    code_message,
    current_password_message,
)
from wizard.web import account_change, account_session, browser_cookies, franceconnect_state, resume
from wizard.web.forms import ResendForm, password_checklist
from wizard.web.limits import configured
from wizard.web.rendering import render_page
from wizard.web.timeouts import stayed

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
    person = account.applicant.person if account.applicant else None
    return render_page(
        "account/overview.html", account=account, notice=account_session.told(), person=person,
        identifiers=settings.identifiers().masked(person) if person else [],
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


# --- a new mobile number: the password, a code to the current phone (or email), a code to the new one --

PHONE_CHANGE = "phone"


@bp.route("/telephone", methods=["GET", "POST"])
@limiter.limit(configured("RATELIMIT_SIGN_IN"), methods=["POST"])
@signed_in
def change_phone():
    form, proof = _guarded(ChangePhoneForm, g.account, PHONE_CHANGE)
    if form.validate_on_submit():
        return _send_reauth_code(g.account, form.phone.data, by_email=False, form=form)
    return render_page("account/phone.html", form=form, phone=_masked_phone(g.account), proof=proof)


@bp.route("/telephone/verification", methods=["GET", "POST"])
@limiter.limit(configured("RATELIMIT_ACTIVATION_CODE"), methods=["POST"])
@signed_in
def phone_reauth():
    state = account_change.proven(g.account, PHONE_CHANGE)
    if state is None or "phone" not in state:
        return redirect(url_for(".change_phone"), 303)
    form = _code_form(lambda code: changes.check_reauth_code(
        db.session, g.account, code, settings.codes(changes.REAUTH), clock.now()))
    if form.validate_on_submit():
        return _send_new_phone_code(g.account, state["phone"])
    return _code_page(g.account, form, changes.REAUTH, state)


@bp.post("/telephone/verification/par-email")
@signed_in
def phone_reauth_by_email():
    state = account_change.proven(g.account, PHONE_CHANGE)
    if state is None or "phone" not in state or not ResendForm().validate_on_submit():
        return redirect(url_for(".change_phone"), 303)
    return _send_reauth_code(g.account, state["phone"], by_email=True)


@bp.route("/telephone/nouveau-numero", methods=["GET", "POST"])
@limiter.limit(configured("RATELIMIT_ACTIVATION_CODE"), methods=["POST"])
@signed_in
def new_phone_code():
    state = account_change.proven(g.account, PHONE_CHANGE)
    if state is None or state["proven"] != account_change.CODE:
        return redirect(url_for(".change_phone"), 303)
    form = _code_form(lambda code: changes.confirm_new_phone(
        db.session, g.account, code, settings.codes(changes.NEW_PHONE), settings.composer(),
        account_session.device(), clock.now()))
    if form.validate_on_submit():
        return _changed("phone_changed")
    return _code_page(g.account, form, changes.NEW_PHONE, state)


# --- a new address: the password, then a code sent to it ------------------------------------------

EMAIL_CHANGE = "email"


@bp.route("/adresse", methods=["GET", "POST"])
@limiter.limit(configured("RATELIMIT_ACTIVATION_EMAIL"), methods=["POST"])
@signed_in
def change_email():
    form, proof = _guarded(ChangeEmailForm, g.account, EMAIL_CHANGE)
    if form.validate_on_submit():
        new_email = accounts.normalise_email(form.email.data)
        try:
            changes.send_new_email_code(
                db.session, g.account, new_email, settings.codes(changes.NEW_EMAIL), settings.composer(),
                lambda token: settings.public_url("account.new_email_link", token=token), clock.now())
        except one_time_codes.SendLimited as limited:
            form.email.errors.append(_refused_send(limited))
        else:
            account_change.note(g.account, EMAIL_CHANGE, account_change.PASSWORD, email=new_email)
            return redirect(url_for(".new_email_code"), 303)
    return render_page("account/email.html", form=form, proof=proof)


@bp.route("/adresse/code", methods=["GET", "POST"])
@limiter.limit(configured("RATELIMIT_ACTIVATION_CODE"), methods=["POST"])
@signed_in
def new_email_code():
    state = account_change.proven(g.account, EMAIL_CHANGE)
    if state is None or "email" not in state:
        return redirect(url_for(".change_email"), 303)
    form = _code_form(lambda code: changes.confirm_new_email(
        db.session, g.account, code, settings.codes(changes.NEW_EMAIL), settings.composer(),
        account_session.device(), clock.now()))
    if form.validate_on_submit():
        return _changed("email_changed")
    return render_page("account/email_code.html", form=form, new_email=state["email"])


@bp.route("/adresse/lien/<token>", methods=["GET", "POST"])
@limiter.limit(configured("RATELIMIT_ACTIVATION_CODE"), methods=["POST"])
def new_email_link(token):
    """From the new address's email, in any browser: a page, then one button (a mail scanner
    opening the link changes nothing)."""
    codes = settings.codes(changes.NEW_EMAIL)
    if changes.account_of_link(db.session, token, codes) is None:
        return render_page("account/new_email_link.html", status=410, refused=True)
    form = ResendForm()
    if form.validate_on_submit():
        account = changes.confirm_new_email_by_link(db.session, token, codes, settings.composer(),
                                                    account_session.device(), clock.now())
        if account is None:
            return render_page("account/new_email_link.html", status=410, refused=True)
        return render_page("account/new_email_link.html", done=True, new_email=account.email)
    return render_page("account/new_email_link.html", form=form, token=token)


@bp.route("/consentements", methods=["GET", "POST"])
@signed_in
def consents():
    latest = changes.marketing_choices(g.account)
    form = MarketingForm(data={purpose: bool(consent and consent.granted) for purpose, consent in latest.items()})
    if form.validate_on_submit():
        changes.record_marketing(g.account, form.chosen(), current_app.config["MARKETING_CONSENT_VERSION"],
                                 clock.now())
        account_session.tell("consents_saved")
        return redirect(url_for(".overview"), 303)
    history = sorted(g.account.consents, key=lambda consent: consent.id, reverse=True)
    return render_page("account/consents.html", form=form, latest=latest, history=history)


# --- my data, and closing the account: the password first ----------------------------------------

MY_DATA, CLOSE = "data", "close"
# Where a FranceConnect re-authentication for each guarded action goes on.
AFTER_REAUTH = {PHONE_CHANGE: ".change_phone", EMAIL_CHANGE: ".change_email", MY_DATA: ".my_data_shown",
                CLOSE: ".close"}
PASSWORD, FRANCECONNECT, FRESH = "password", "franceconnect", "fresh"  # how the person proves it is them


@bp.route("/mes-donnees", methods=["GET", "POST"])
@limiter.limit(configured("RATELIMIT_SIGN_IN"), methods=["POST"])
@signed_in
def my_data():
    form, proof = _guarded(PasswordCheckForm, g.account, MY_DATA)
    if form.validate_on_submit():
        account_change.note(g.account, MY_DATA, account_change.PASSWORD)
        return redirect(url_for(".my_data_shown"), 303)
    return render_page("account/my_data_password.html", form=form, proof=proof)


@bp.get("/mes-donnees/consulter")
@signed_in
def my_data_shown():
    if account_change.proven(g.account, MY_DATA) is None:
        return redirect(url_for(".my_data"), 303)
    data = my_data_service.everything(db.session, g.account, current_app.config["SECRET_KEY"])
    return render_page("account/my_data.html", sections=my_data_service.readable(data, moment=format_datetime))


@bp.get("/mes-donnees/telecharger")
@signed_in
def my_data_download():
    if account_change.proven(g.account, MY_DATA) is None:
        return redirect(url_for(".my_data"), 303)
    response = jsonify(my_data_service.everything(db.session, g.account, current_app.config["SECRET_KEY"]))
    response.headers["Content-Disposition"] = "attachment; filename=mes-donnees.json"
    return response


@bp.route("/fermer", methods=["GET", "POST"])
@limiter.limit(configured("RATELIMIT_SIGN_IN"), methods=["POST"])
@signed_in
def close():
    form, proof = _guarded(PasswordCheckForm, g.account, CLOSE)
    if form.validate_on_submit():
        my_data_service.close(db.session, g.account, current_app.config["SECRET_KEY"], settings.composer(),
                              clock.now())
        account_session.end("user")
        browser_cookies.forget_this_browser()
        return redirect(url_for(".closed"), 303)
    return render_page("account/close.html", form=form, proof=proof, deleted=my_data_service.deleted_at_closure(),
                       last_email_kept=personal_data.say(personal_data.kept(current_app.config, "outbox")))


@bp.get("/ferme")
def closed():
    return render_page("account/closed.html")


@bp.route("/ce-n-etait-pas-moi/<token>", methods=["GET", "POST"])
@limiter.limit(configured("RATELIMIT_ACTIVATION_CODE"), methods=["POST"])
def not_me_link(token):
    """From a security email: a page, then one button (a mail scanner opening the link ends nothing)."""
    payload = not_me.read(current_app.config["SECRET_KEY"], token, clock.now())
    if payload is None:
        return render_page("account/not_me.html", status=410, refused=True)
    if ResendForm().validate_on_submit():
        if not_me.undo(db.session, payload, account_session.device(), clock.now()) is not None:
            account_session.end("user")
        return render_page("account/not_me.html", done=True)
    return render_page("account/not_me.html", kind=payload["k"], form=ResendForm(formdata=None))


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
    unfinished = account_session.signup_account()
    return stayed(left, resume.next_url(unfinished) if unfinished else url_for(".overview"))


def _send_reauth_code(account: Account, new_phone: str, by_email: bool, form=None):
    """The password is right: a code to prove the person. Inside the cool-down, none is sent and
    the page says when one can be asked."""
    try:
        changes.send_reauth_code(db.session, account, settings.codes(changes.REAUTH), clock.now(), by_email)
    except one_time_codes.SendLimited as limited:
        if form is None:  # a second code asked too soon: the page of the first says when
            return redirect(url_for(".phone_reauth"), 303)
        form.phone.errors.append(_refused_send(limited))
        return render_page("account/phone.html", form=form, phone=_masked_phone(account),
                           proof=_proof(account, PHONE_CHANGE), status=429 if limited.reason != "cooldown" else 200)
    account_change.note(account, PHONE_CHANGE, account_change.PASSWORD, phone=new_phone,
                        by_email=by_email or not sign_in.has_phone_factor(account))
    return redirect(url_for(".phone_reauth"), 303)


def _send_new_phone_code(account: Account, new_phone: str):
    state = account_change.proven(account, PHONE_CHANGE)
    try:
        changes.send_new_phone_code(db.session, account, new_phone, settings.codes(changes.NEW_PHONE), clock.now())
    except one_time_codes.SendLimited as limited:
        flash(_refused_send(limited))
    account_change.note(account, PHONE_CHANGE, account_change.CODE, phone=new_phone, by_email=state["by_email"])
    return redirect(url_for(".new_phone_code"), 303)


def _refused_send(limited: one_time_codes.SendLimited) -> str:
    if limited.reason == "cooldown":
        return gettext("Un code vient déjà d’être envoyé : vous pourrez en demander un autre à partir de %(time)s.",
                       time=format_time(limited.until, "HH:mm:ss"))
    return gettext("Vous avez demandé beaucoup de codes : vous pourrez en demander un nouveau à partir de %(time)s.",
                   time=format_time(limited.until, "HH:mm"))


def _code_form(check) -> ProofCodeForm:
    """A code page's form; `check(code)` is the service's verdict on the code typed."""
    return ProofCodeForm(check=lambda form: (result := check(form.code.data), code_message(result, "sign_in"),
                                             form.code))


def _changed(notice: str):
    """A change confirmed: its state forgotten, Mon compte says it."""
    account_change.forget()
    account_session.tell(notice)
    return redirect(url_for(".overview"), 303)


def _code_page(account: Account, form, purpose: str, state: dict):
    current = one_time_codes.current(db.session, purpose, account.id)
    return render_page("account/phone_code.html", form=form, step=purpose, by_email=state["by_email"],
                       phone=_masked_phone(account), new_phone=phones.masked(state["phone"]),
                       masked_email=sign_in.mask_email(account.email),
                       sent=current if current is not None and current.used_at is None else None,
                       resend_form=ResendForm(formdata=None))


def _masked_phone(account: Account) -> str | None:
    return phones.masked(account.phone) if sign_in.has_phone_factor(account) else None


def _forget(account: Account, browser_id: str) -> bool:
    this_one = browser_id == browser_cookies.this_browser_id()
    if not remembered_browsers.revoke(db.session, account.id, browser_id, clock.now()):
        return False
    activity.record(db.session, account.id, activity.BROWSER_FORGOTTEN, account_session.device(), clock.now())
    if this_one:
        browser_cookies.forget_this_browser()
    return True


def _proof(account: Account, what: str) -> str:
    """How the person proves it is them before `what`: the PASSWORD, or FRANCECONNECT for an
    account that has none; FRESH once a fresh FranceConnect sign-in came back for it."""
    state = account_change.proven(account, what)
    if state is not None and state["proven"] == account_change.FRANCECONNECT:
        return FRESH
    return PASSWORD if account.password_hash else FRANCECONNECT


def _guarded(form_class, account: Account, what: str):
    """The action's form, and the proof its page asks. FRESH: no password field. Otherwise the
    password is checked; an account with none cannot pass that way (its page offers FranceConnect)."""
    proof = _proof(account, what)
    if proof != FRESH:
        return form_class(check=lambda form: _check_current(account, form)), proof
    form = form_class(check=lambda form: (None, None, None))
    del form.current_password
    return form, proof


def _change_password_form(account: Account) -> ChangePasswordForm:
    return ChangePasswordForm(policy=settings.password_policy(), personal=_personal_data(account),
                              check=lambda form: _check_current(account, form))


def _personal_data(account: Account):
    return accounts.personal_data(account.applicant, account.email, settings.identifiers())


def _check_current(account: Account, form):
    attempt = sign_in.check_password(db.session, account, form.current_password.data, sign_in_settings(),
                                     account_session.device(), clock.now())
    return attempt, current_password_message(attempt), form.current_password


