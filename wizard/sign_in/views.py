"""Sign in: email and password, then a code by email or SMS (or a remembered browser);
sign out. Thin views over wizard/sign_in/service.py, code_delivery.py and sessions.py."""
from flask import Blueprint, current_app, redirect, url_for
from flask_babel import gettext

from wizard import settings
from wizard.accounts import activity
from wizard.accounts.models import Account
from wizard.codes import delivery as code_delivery
from wizard.codes import one_time_codes
from wizard.core import clock, phones
from wizard.extensions import db, limiter
from wizard.messaging import sms
from wizard.settings import sign_in_settings
from wizard.sign_in import devices, sessions
from wizard.sign_in import service as sign_in
from wizard.sign_in.forms import ChannelForm, NewCodeForm, SignInCodeForm, SignInForm, attempt_message, code_message
from wizard.web import account_session, browser_cookies, franceconnect_state, pending_sign_in, resume, timeouts
from wizard.web.kiosk_mode import in_kiosk_mode
from wizard.web.limits import configured
from wizard.web.rendering import redirect_whole_page, render_page

bp = Blueprint("sign_in", __name__,)


@bp.app_template_filter("device")
def device_label(device: str | None) -> str:
    """"Firefox|Windows" -> "Firefox sur Windows"; names are the same in every language."""
    browser, system = devices.parts(device)
    if browser and system:
        return gettext("%(browser)s sur %(system)s", browser=browser, system=system)
    return browser or system or gettext("Appareil inconnu")


@bp.app_context_processor
def _session_timeout():
    return timeouts.timeout_context()


bp.after_app_request(lambda response: browser_cookies.apply_cookies(response))



SIGN_IN = code_delivery.SIGN_IN


@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit(configured("RATELIMIT_SIGN_IN"), methods=["POST"])
def start():
    if account_session.signed_in_account() is not None:
        return redirect(url_for("account.overview"), 303)
    finished = account_session.resumed_and_finished()
    if finished is not None:  # taken up here by signing in, and now confirmed by the insurer
        return _complete(finished, remember=False)
    unfinished = account_session.signup_account()
    if unfinished is not None:  # this browser is already on its way (an email's link)
        return redirect(resume.next_url(unfinished), 303)
    remembered = browser_cookies.remembered_email()
    form = SignInForm(data={"email": remembered, "remember_email": bool(remembered)}, check=_check_credentials)
    if form.validate_on_submit():
        return _password_accepted(form.result.account, form.email.data if form.remember_email.data else None)
    return render_page("sign_in/sign_in.html", form=form, reason=account_session.signed_out_reason(),
                       kiosk=in_kiosk_mode())


@bp.get("/connexion/quelle-adresse")
def which_address():
    """Help: the identifier is the email address; how to find it; the operator's advisors."""
    return render_page("sign_in/which_address.html", identifier=settings.identifier())


@bp.route("/connexion/verification", methods=["GET", "POST"])
def choose_channel():
    account = pending_sign_in.pending_account()
    if account is None:
        return redirect(url_for(".start"), 303)
    form = ChannelForm(data={"channel": "sms" if _sms_possible(account) else "email"},
                       masked_email=sign_in.mask_email(account.email), masked_phone=_masked_phone(account))
    if form.validate_on_submit():
        return _send_code(account, form.channel.data)
    return render_page("sign_in/channel.html", form=form)


@bp.route("/connexion/sans-telephone", methods=["GET", "POST"])
@limiter.limit(configured("RATELIMIT_SIGN_IN_FALLBACK"), methods=["POST"])
def without_phone():
    """"Je n'ai plus accès à mon téléphone": the code by email, its owner warned by SMS and
    email; refused when the operator forbids it, or since a password reset."""
    account = pending_sign_in.pending_account()
    if account is None or not _sms_possible(account):
        return redirect(url_for(".code" if account else ".start"), 303)
    refused = sign_in.email_code_refused(account, current_app.config["SIGN_IN_EMAIL_FALLBACK"])
    form = NewCodeForm()
    if not refused and form.validate_on_submit():
        return _send_code(account, "email", without_phone=True)
    return render_page("sign_in/without_phone.html", form=NewCodeForm(formdata=None), refused=refused,
                       after_reset=account.phone_code_required_since is not None,
                       advisors=current_app.config["ADVISORS_CONTACT"],
                       masked_email=sign_in.mask_email(account.email), masked_phone=_masked_phone(account))


@bp.route("/connexion/code", methods=["GET", "POST"])
@limiter.limit(configured("RATELIMIT_ACTIVATION_CODE"), methods=["POST"])
def code():
    account = pending_sign_in.pending_account()
    if account is None or pending_sign_in.pending_channel() is None:
        return redirect(url_for(".choose_channel" if account else ".start"), 303)
    form = SignInCodeForm(check=lambda form: _check_code(account, form))
    valid = form.validate_on_submit()
    if valid:
        sign_in.second_factor_passed(account, pending_sign_in.pending_channel())
        return _complete(account, remember=form.remember.data and not in_kiosk_mode())
    return _code_page(account, form)


@bp.post("/connexion/code/renvoyer")
def resend():
    account, form = pending_sign_in.pending_account(), NewCodeForm()
    if account is None or not form.validate_on_submit():
        return redirect(url_for(".start"), 303)
    return _send_code(account, _chosen_channel(account, form.channel.data))


@bp.post("/deconnexion")
def sign_out():
    """Signed in through FranceConnect: its session ends too (its end-session endpoint)."""
    pending_sign_in.end_pending()
    id_token = account_session.end("user")
    return redirect((id_token and franceconnect_state.logout_url(id_token)) or url_for(".signed_out"), 303)


@bp.get("/deconnexion")
def signed_out():
    if account_session.signed_in_account() is not None:
        return redirect(url_for("account.overview"), 303)
    return render_page("sign_in/signed_out.html", reason=account_session.signed_out_reason())


# --- helpers ---------------------------------------------------------------------------------

def _check_credentials(form):
    attempt = sign_in.check_credentials(db.session, form.email.data, form.password.data, sign_in_settings(),
                                        account_session.device(), clock.now())
    accepted = attempt.outcome in (sign_in.OK, sign_in.UNFINISHED)
    return attempt, (None if accepted else attempt_message(attempt)), form.password


def _password_accepted(account: Account, email_to_remember: str | None):
    browser_cookies.remember_email(email_to_remember)
    if browser_cookies.recognised_browser(account.id) is not None:
        return _complete(account, remember=False)  # a remembered browser: no code
    pending_sign_in.start_pending(account)
    if _sms_possible(account):
        return redirect(url_for(".choose_channel"), 303)
    return _send_code(account, "email")


def _send_code(account: Account, channel: str, without_phone: bool = False):
    now = clock.now()
    try:
        code_delivery.send(db.session, account, SIGN_IN, settings.codes(SIGN_IN), now, channel=channel)
    except one_time_codes.SendLimited as limited:
        if limited.reason != "cooldown":
            return render_page("sign_in/locked.html", status=429, until=limited.until)
        current = code_delivery.current_code(db.session, account, SIGN_IN)
        if current is not None:  # the code page tells where that one went, not where this one would have
            pending_sign_in.note_code_sent(current.channel)
        return _code_page(account, SignInCodeForm(formdata=None), too_soon=limited.until)
    if without_phone:
        sign_in.warn_email_code_without_phone(
            db.session, account, sign_in_settings(),
            sms.email_code_warning_text(account.language, current_app.config["SERVICE_NAME"]),
            account_session.device(), now)
        pending_sign_in.note_without_phone()
    pending_sign_in.note_code_sent(channel)
    return redirect(url_for(".code"), 303)


def _check_code(account: Account, form):
    result = code_delivery.confirm(db.session, account, SIGN_IN, form.code.data, settings.codes(SIGN_IN),
                                   clock.now())
    return result, code_message(result, "sign_in"), form.code


def _complete(account: Account, remember: bool):
    """The second factor is passed: a new session (renewed), and the activity recorded. An
    unfinished signup goes on at its next stage (a signup session, as after activation)."""
    pending_sign_in.end_pending()
    unfinished = sign_in.can_continue_signup(account)
    account_session.begin(account.id, sessions.SIGNUP if unfinished else sessions.SIGN_IN, signed_in=True)
    activity.record(db.session, account.id, activity.SIGN_IN, account_session.device(), clock.now())
    if remember and browser_cookies.remember_browser(account.id) is not None:
        activity.record(db.session, account.id, activity.NEW_BROWSER, account_session.device(), clock.now())
        sign_in.tell_new_browser(db.session, account, sign_in_settings(), account_session.device(), clock.now())
    return redirect_whole_page(resume.next_url(account))


def _sms_possible(account: Account) -> bool:
    return sign_in.has_phone_factor(account)


def _masked_phone(account: Account) -> str | None:
    return phones.masked(account.phone) if _sms_possible(account) else None


def _chosen_channel(account: Account, chosen: str | None) -> str:
    """The button pressed: a new code the same way, or the other way."""
    if _sms_possible(account) and (chosen == "sms" or not pending_sign_in.without_phone()):
        return "sms"  # the email code only after "je n'ai plus accès à mon téléphone"
    return "email"


def _code_page(account: Account, form, too_soon=None):
    """`too_soon`: when a code may be asked again, if this request asked one inside the cool-down."""
    now = clock.now()
    current = code_delivery.current_code(db.session, account, SIGN_IN)
    if current is not None and current.used_at is not None:
        current = None  # none on its way: the page does not say one was sent
    channel = current.channel if current else pending_sign_in.pending_channel() or "email"
    destination = account.phone if channel == "sms" else account.email
    limited = one_time_codes.send_limit(db.session, settings.codes(SIGN_IN).policy, SIGN_IN, account.id,
                                        destination, now)
    return render_page(
        "sign_in/code.html", form=form, channel=channel, too_soon=too_soon, kiosk=in_kiosk_mode(), sent=current,
        without_phone_allowed=_sms_possible(account) and channel == "sms",
        masked_email=sign_in.mask_email(account.email), masked_phone=_masked_phone(account),
        code_expires_at=current.expires_at if current else None,
        code_seconds_left=max(0, int((current.expires_at - now).total_seconds())) if current else 0,
        wait=max(0, int((limited.until - now).total_seconds())) if limited else 0,
        locked_until=limited.until if limited and limited.reason != "cooldown" else None,
        remember_days=current_app.config["REMEMBER_BROWSER_DAYS"])

