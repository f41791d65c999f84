"""Step views: build the form, validate, save, redirect (post/redirect/get), or re-render."""
from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address

from wizard import settings
from wizard.accounts import service as accounts
from wizard.core import clock
from wizard.extensions import db, limiter
from wizard.signup import captcha, journeys, steps
from wizard.signup.forms import CredentialsForm, FranceConnectCredentialsForm, FranceConnectIdentityForm
from wizard.web import journey_state, limits, spoken_code
from wizard.web.forms import password_checklist
from wizard.web.journey_state import WizardState, journey_seconds_left
from wizard.web.limits import activation_email_limits, configured
from wizard.web.rendering import render_page
from wizard.web.timeouts import journey_timeout, stayed

bp = Blueprint("signup", __name__, url_prefix="/inscription")


bp.app_context_processor(journey_timeout)


def _load_state() -> WizardState:
    state = WizardState.load()
    if state.moved:
        flash(_("Votre inscription se poursuit sur un autre appareil. Vous pouvez en commencer une nouvelle ici."))
    elif state.expired:
        flash(_("Votre session a expiré après une longue inactivité : vos réponses ont été effacées "
                "pour les protéger. Vous pouvez recommencer."))
    return state


def render_step(step, form, state, **context):
    number, total = steps.position(step, state.answers)
    back = steps.previous_step(step, state.answers)
    return render_page(
        step.template, step=step, form=form, number=number, total=total,
        back_url=url_for("signup.step", slug=back.slug) if back else url_for("pages.landing"),
        back_is_step=back is not None, **context,
    )


@bp.get("/")
def start():
    return redirect(_load_state().current_url(), 303)


@bp.route("/<slug>", methods=["GET", "POST"])
@limiter.limit(configured("RATELIMIT_IDENTITY"), methods=["POST"])
def step(slug):
    step = steps.BY_SLUG.get(slug) or abort(404)
    state = _load_state()
    if not steps.can_enter(step, state.answers):
        return redirect(state.current_url(), 303)
    form = _step_form(step, state)
    if form.validate_on_submit():
        state.save(step, form.answers())
        return redirect(state.current_url(), 303)
    return render_step(step, form, state, summary=steps.summary_rows(state.answers, settings.identifiers()))


# More specific than /<slug>, so url_for("signup.step", slug="verification") lands here.
@bp.route("/verification", methods=["GET", "POST"])
@limiter.limit(configured("RATELIMIT_CAPTCHA"), methods=["POST"])
def captcha_step():
    step = steps.BY_NAME["captcha"]
    state = _load_state()
    if not steps.can_enter(step, state.answers):
        return redirect(state.current_url(), 303)
    form = step.form(check=lambda typed: _captcha_passed())
    if not form.renew.data and form.validate_on_submit():
        spoken_code.forget()
        state.save(step, {"passed_at": clock.now().isoformat(timespec="seconds")})  # the journey kept
        return redirect(state.current_url(), 303)
    # A code is good for one try: a wrong guess, a renewal or the expiry brings a new one.
    if request.method == "POST" or spoken_code.expired(clock.now()):
        spoken_code.draw(clock.now(), current_app.config["CAPTCHA_MINUTES"])
    return render_step(step, form, state, captcha=_widget_settings(), code_expires_at=spoken_code.expires_at())


@bp.get("/verification/defi.json")
def altcha_challenge():
    """Costlier for a network that asks for many (captcha.AltchaCost)."""
    config = current_app.config
    network = captcha.network(get_remote_address())
    recent = limits.count_recent("altcha-challenges", network, config["ALTCHA_COST_WINDOW_SECONDS"])
    cost = captcha.AltchaCost(config["ALTCHA_COST"], config["ALTCHA_COST_FREE"], config["ALTCHA_COST_MAX"])
    return captcha.altcha_challenge(_altcha_secret(), cost.for_recent(recent), clock.now(), config["CAPTCHA_MINUTES"])


@bp.get("/verification/code.png")
@limiter.limit(configured("RATELIMIT_SPOKEN_CODE"))
def spoken_code_image():
    code = spoken_code.current() or abort(404)
    return _no_store(captcha.spoken_code_image(code), "image/png")


@bp.get("/verification/code.wav")
@limiter.limit(configured("RATELIMIT_SPOKEN_CODE"))
def spoken_code_audio():
    code = spoken_code.current() or abort(404)
    return _no_store(captcha.spoken_code_audio(code, get_locale().language), "audio/wav")


# More specific than /<slug>: this step creates the account instead of saving answers.
@bp.route("/identifiants", methods=["GET", "POST"])
@limiter.limit(configured("RATELIMIT_IDENTITY"), methods=["POST"])
@activation_email_limits
def credentials_step():
    step = steps.BY_NAME["credentials"]
    state = _load_state()
    if not steps.can_enter(step, state.answers):
        return redirect(state.current_url(), 303)
    form = _credentials_form(state)
    if form.validate_on_submit():
        tampered = steps.first_invalid(state.answers)
        if tampered is not None:
            state.forget(tampered)
            return redirect(state.current_url(), 303)
        account = accounts.register(db.session, _signup(form, state), settings.password_hashing(),
                                    settings.activation(), clock.now())
        state.save(step, {"account_id": account.id})  # one commit: account, email, journey
        return redirect(state.current_url(), 303)
    return render_step(step, form, state, password_rules_list=password_checklist(form))


@bp.post("/identifiants/regles")
@limiter.limit(configured("RATELIMIT_PASSWORD_RULES"))
def password_rules():
    """The checklist, ticked for what is typed (an HTMX request, 400 ms after typing stops)."""
    state = _load_state()
    if not steps.can_enter(steps.BY_NAME["credentials"], state.answers):
        abort(404)
    form = _credentials_form(state)
    return render_template("wizard/steps/_password_rules.html",
                           password_rules_list=password_checklist(form))


# --- helpers ---------------------------------------------------------------------------

def _step_form(step, state):
    """A journey FranceConnect opened has its identity from FranceConnect."""
    if step.name == "identity" and state.franceconnect and FranceConnectIdentityForm.usable(state.franceconnect):
        return FranceConnectIdentityForm(data=state.data_for(step), franceconnect=state.franceconnect)
    return step.form(data=state.data_for(step))


def _credentials_form(state) -> CredentialsForm:
    applicant, asked, franceconnect = state.applicant, settings.identifiers(), state.franceconnect
    # FranceConnect's address, filled in (the activation email still proves it); a password optional.
    given = {"email": franceconnect.get("email"), "email_confirmation": franceconnect.get("email")} \
        if franceconnect else None
    return (FranceConnectCredentialsForm if franceconnect else CredentialsForm)(
        data=given, policy=settings.password_policy(),
        personal=lambda form: accounts.personal_data(applicant, form.email.data or "", asked))


def _signup(form: CredentialsForm, state) -> accounts.Signup:
    return accounts.Signup(email=form.email.data, password=form.password.data or None,
                           language=get_locale().language, answers=state.answers, marketing=form.marketing(),
                           marketing_version=current_app.config["MARKETING_CONSENT_VERSION"],
                           franceconnect_sub=(state.franceconnect or {}).get("sub"))


def _altcha_secret() -> str:
    return "altcha:" + current_app.config["SECRET_KEY"]


def _widget_settings() -> dict:
    config = current_app.config
    if config["HCAPTCHA_SITEKEY"] and config["HCAPTCHA_SECRET"]:
        return {"widget": "hcaptcha", "sitekey": config["HCAPTCHA_SITEKEY"]}
    return {"widget": "altcha", "challenge_url": url_for("signup.altcha_challenge")}


def _captcha_passed() -> bool:
    config, form = current_app.config, request.form
    if _widget_settings()["widget"] == "hcaptcha" and form.get("h-captcha-response"):
        settings = captcha.HCaptchaSettings(config["HCAPTCHA_SITEKEY"], config["HCAPTCHA_SECRET"],
                                            config["HCAPTCHA_VERIFY_URL"], config["HCAPTCHA_TIMEOUT_SECONDS"])
        return captcha.hcaptcha_verified(form["h-captcha-response"], settings, request.remote_addr)
    if _widget_settings()["widget"] == "altcha" and form.get("altcha"):
        return captcha.altcha_verified(form["altcha"], _altcha_secret(), db.session)
    return spoken_code.tried(form.get("code", ""), db.session, clock.now())


def _no_store(body: bytes, mimetype: str):
    response = current_app.response_class(body, mimetype=mimetype)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/session")
def journey_status():
    """For the warning before the journey expires: seconds left. Reading it is not activity."""
    return jsonify(seconds_left=journey_state.seconds_left())


@bp.post("/session")
def stay():
    """The warning's "Continuer mon inscription": the journey counts from now again."""
    state = WizardState.load()
    journeys.touch(state.journey, clock.now())
    return stayed(journey_seconds_left(state.journey, clock.now()), state.current_url())
