"""The kiosk's screen and poster, scanned links, typed codes, and hand-offs."""
from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _

from wizard.core import clock
from wizard.extensions import db, limiter
from wizard.kiosk import qr, start_codes
from wizard.kiosk.forms import StartCodeForm
from wizard.web.journey_state import WizardState, has_answers, leave_kiosk
from wizard.web.kiosk_mode import enter_kiosk_mode, in_kiosk_mode, note_kiosk
from wizard.web.rendering import render_page

bp = Blueprint("kiosk", __name__)


def _kiosk_id() -> str:
    kiosk_id = request.values.get("kiosque", "")
    config = current_app.config
    if not start_codes.is_kiosk(kiosk_id, config["KIOSKS"], config["KIOSKS_ANY_ID"]):
        abort(404)
    return kiosk_id


def _lifetime() -> timedelta:
    return timedelta(minutes=current_app.config["START_CODE_MINUTES"])


def _code_view(start_code) -> dict:
    """What a screen shows of a code: the QR of its signed link, the code, the address to type."""
    link = _public_url(url_for("kiosk.scanned", token=start_codes.sign(start_code.code, _secret())))
    return {"code": start_code.code, "qr_svg": qr.svg(link), "expires_at": start_code.expires_at,
            "typed_address": _public_url(url_for("kiosk.typed_code")).split("://", 1)[-1]}


@bp.get("/borne")
def kiosk_screen():
    kiosk_id = _kiosk_id()
    start_code = start_codes.current_kiosk_code(db.session, kiosk_id, None, clock.now(), _lifetime(),
                                                renew_before=timedelta(minutes=1))
    return render_page("kiosk/screen.html", kiosk_id=kiosk_id, **_code_view(start_code))


@bp.get("/borne/code")
def kiosk_code():
    """Polled by the kiosk's screen: the same code until it is used or about to expire."""
    kiosk_id = _kiosk_id()
    start_code = start_codes.current_kiosk_code(db.session, kiosk_id, request.args.get("actuel"), clock.now(),
                                                _lifetime(), renew_before=timedelta(minutes=1))
    return render_page("kiosk/_code.html", push_url=False, kiosk_id=kiosk_id, **_code_view(start_code))


@bp.get("/borne/affiche")
def poster():
    kiosk_id = _kiosk_id()
    link = _public_url(url_for("pages.landing", kiosque=kiosk_id))
    return render_page("kiosk/poster.html", kiosk_id=kiosk_id, qr_svg=qr.svg(link), link=link)


@bp.post("/borne/commencer")
def start_on_kiosk():
    enter_kiosk_mode(_kiosk_id())
    WizardState.start(kiosk_id=_kiosk_id())
    return redirect(url_for("signup.start"), 303)


@bp.post("/borne/quitter")
def leave():
    kiosk_id = leave_kiosk(db.session)
    return redirect(url_for("kiosk.kiosk_screen", kiosque=kiosk_id) if kiosk_id else url_for("pages.landing"), 303)


@bp.get("/k/<token>")
@limiter.limit("30 per minute")
def scanned(token):
    """A scanned QR code. A GET may come from another site: a journey in progress here is
    not replaced without asking (the question's button posts to the same address)."""
    if has_answers():
        return render_page("kiosk/replace_journey.html", token=token)
    return take_scanned(token)


@bp.post("/k/<token>")
@limiter.limit("30 per minute")
def take_scanned(token):
    try:
        return _open(start_codes.unsign(token, _secret()))
    except start_codes.CodeRefused as refusal:
        return _refused(refusal)


@bp.route("/code", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def typed_code():
    form = StartCodeForm()
    if form.validate_on_submit():
        try:
            return _open(start_codes.normalise(form.code.data))
        except start_codes.CodeRefused as refusal:
            form.code.errors.append(_refusal_message(refusal.reason))
    return render_page("kiosk/typed_code.html", form=form)


@bp.get("/inscription/continuer-sur-mon-telephone")
def handoff():
    state = WizardState.load()
    state.keep()  # a journey not kept yet (the CAPTCHA step's link) is, to be handed over
    start_code = start_codes.issue(db.session, "handoff", clock.now(), _lifetime(), journey_id=state.journey.id)
    return render_page("kiosk/handoff.html", back_url=state.current_url(), **_code_view(start_code))


@bp.get("/inscription/continuer-sur-mon-telephone/etat")
def handoff_status():
    """Polled by the first device: has the phone taken the journey yet? Reads only."""
    code = start_codes.normalise(request.args.get("code", ""))
    taken = start_codes.was_used(db.session, code)
    return render_page("kiosk/_handoff_status.html", push_url=False, code=code, taken=taken,
                       kiosk_mode=in_kiosk_mode())


def _open(code: str):
    start_code = start_codes.consume(db.session, code, clock.now())
    if start_code.purpose == "handoff":
        if WizardState.adopt(start_code.journey_id):
            flash(_("Votre inscription continue sur cet appareil : vos réponses sont là."))
            return redirect(url_for("signup.start"), 303)
        raise start_codes.CodeRefused("expired")
    _start_fresh(start_code.kiosk_id)
    return redirect(url_for("signup.start"), 303)


def _start_fresh(kiosk_id):
    if not in_kiosk_mode():
        note_kiosk(kiosk_id)
        WizardState.start(kiosk_id=kiosk_id)


def _refused(refusal):
    """A used or expired QR code says so, and starts a fresh journey anyway."""
    flash(_refusal_message(refusal.reason) + " " + _("Une nouvelle inscription commence."))
    _start_fresh(refusal.kiosk_id)
    return redirect(url_for("signup.start"), 303)


def _refusal_message(reason: str) -> str:
    return {
        "used": _("Ce code a déjà servi : chaque code ne peut servir qu’une fois."),
        "expired": _("Ce code a expiré : il n’est valable que quelques minutes."),
    }.get(reason, _("Ce code n’est pas valable : vérifiez chaque caractère."))


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def _public_url(path: str) -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path
