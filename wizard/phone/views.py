"""The phone step: the number and the channel, then the code sent there."""
from flask import Blueprint, flash, redirect, url_for
from flask_babel import format_time
from flask_babel import gettext as _

from wizard import settings
from wizard.accounts import activity
from wizard.accounts.models import Account
from wizard.codes import delivery as code_delivery
from wizard.codes import one_time_codes
from wizard.core import clock, phones
from wizard.extensions import db, limiter
from wizard.phone.forms import OneTimeCodeForm, PhoneForm
from wizard.sign_in import service as sign_in
from wizard.web import account_session, resume
from wizard.web.account_session import signed_in_account_id
from wizard.web.forms import ResendForm
from wizard.web.limits import configured
from wizard.web.rendering import render_page

bp = Blueprint("phone", __name__, url_prefix="/inscription")

PHONE = code_delivery.PHONE


@bp.route("/telephone", methods=["GET", "POST"])
def number():
    account = _account()
    if account is None:
        return redirect(url_for("sign_in.start"), 303)
    if account.code_channel_confirmed_at is not None:
        return _already_confirmed()
    form = PhoneForm(data={"phone": phones.national(account.phone) if account.phone else "",
                           "channel": account.code_channel})
    if form.validate_on_submit() and (sent := _choose_and_send(account, form)) is not None:
        return sent
    return render_page("phone/number.html", form=form, account=account, progress=_progress(account))


@bp.route("/telephone/code", methods=["GET", "POST"])
@limiter.limit(configured("RATELIMIT_ACTIVATION_CODE"), methods=["POST"])
def code():
    account = _account()
    if account is None or not account.phone:
        return redirect(url_for("phone.number" if account else "sign_in.start"), 303)
    if account.code_channel_confirmed_at is not None:
        return _already_confirmed()
    form = OneTimeCodeForm(check=lambda typed: code_delivery.confirm(
        db.session, account, PHONE, typed, settings.codes(PHONE), clock.now()))
    if form.validate_on_submit():
        if account.phone_verified_at:  # for "Mon compte": its activity
            activity.record(db.session, account.id, activity.PHONE_CHANGED, account_session.device(), clock.now())
        return redirect(url_for("phone.confirmed"), 303)
    return _code_page(account, form)


@bp.post("/telephone/code/renvoyer")
def resend():
    account = _account()
    if account is None or not account.phone or account.code_channel_confirmed_at is not None \
            or not ResendForm().validate_on_submit():
        return redirect(url_for("phone.number"), 303)
    return _send_code(account)


@bp.get("/telephone/confirme")
def confirmed():
    account = _account()
    if account is None or account.code_channel_confirmed_at is None:
        return redirect(url_for("phone.number"), 303)
    return render_page("phone/confirmed.html", account=account, phone=phones.masked(account.phone))


def _choose_and_send(account: Account, form):
    """The number is kept only with a code on its way to it: inside the cool-down, neither."""
    limited = one_time_codes.send_limit(db.session, settings.codes(PHONE).policy, PHONE, account.id,
                                        form.phone.data if form.channel.data == "sms" else account.email,
                                        clock.now())
    if limited is None:
        code_delivery.choose_phone(account, form.phone.data, form.channel.data)
        return _send_code(account)
    if limited.reason != "cooldown":  # the number typed is not kept: the page says so
        return render_page("phone/locked.html", status=429, until=limited.until, account=account, kept_phone=None)
    form.phone.errors.append(_next_code_at(limited))
    return None


def _send_code(account: Account):
    try:
        code_delivery.send(db.session, account, PHONE, settings.codes(PHONE), clock.now())
    except one_time_codes.SendLimited as limited:
        if limited.reason == "cooldown":
            flash(_next_code_at(limited))
            return redirect(url_for("phone.code"), 303)
        return render_page("phone/locked.html", status=429, until=limited.until, account=account,
                           kept_phone=phones.masked(account.phone) if account.phone else None)
    return redirect(url_for("phone.code"), 303)


def _next_code_at(limited: one_time_codes.SendLimited) -> str:
    """Inside the cool-down nothing is sent, and the page says so, with when to ask again."""
    return _("Un code vient déjà d’être envoyé : vous pourrez en demander un autre à partir de %(time)s.",
             time=format_time(limited.until, "HH:mm:ss"))


def _already_confirmed():
    """The second factor is proven: only "Mon compte", after signing in again, changes it
    (the session left after activation proves the mailbox, not the person)."""
    return redirect(url_for("phone.confirmed"), 303)


def _code_page(account: Account, form):
    current = code_delivery.current_code(db.session, account, PHONE)
    limited = one_time_codes.send_limit(db.session, settings.codes(PHONE).policy, PHONE, account.id,
                                        account.phone if account.code_channel == "sms" else account.email,
                                        clock.now())
    wait = max(0, int((limited.until - clock.now()).total_seconds())) if limited else 0
    return render_page("phone/code.html", form=form, account=account, current=current,
                       masked_phone=phones.masked(account.phone), wait=wait,
                       locked_until=limited.until if limited and limited.reason != "cooldown" else None,
                       resend_form=ResendForm(formdata=None))


def _progress(account: Account) -> dict | None:
    """A signup's stage (not a change of number from "Mon compte")."""
    return resume.progress_of(account, "phone") if sign_in.can_continue_signup(account) else None


def _account() -> Account | None:
    """The signed-in account, once its address is proven: the phone step comes after."""
    account = db.session.get(Account, signed_in_account_id() or "")
    return account if account is not None and account.status == "active" else None
