"""FranceConnect's routes: the button, the way back, linking from "Mon compte", and the
way back from FranceConnect's sign-out. Every route is a 404 unless FranceConnect is
configured. Thin views over client.py (the protocol) and service.py (our accounts)."""
from flask import Blueprint, abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _

from wizard import settings
from wizard.account.views import AFTER_REAUTH, signed_in
from wizard.accounts import activity
from wizard.core import clock
from wizard.extensions import db, limiter
from wizard.franceconnect import client
from wizard.franceconnect import service as franceconnect
from wizard.operator import events
from wizard.sign_in import service as sign_in
from wizard.sign_in import sessions
from wizard.web import account_change, account_session, franceconnect_state, resume
from wizard.web.forms import ResendForm
from wizard.web.journey_state import WizardState
from wizard.web.kiosk_mode import in_kiosk_mode
from wizard.web.limits import configured
from wizard.web.rendering import redirect_whole_page, render_page

bp = Blueprint("franceconnect", __name__, url_prefix="/franceconnect")

# The pages of a flow that did not open an account: (reason) -> what the page says.
REFUSED, NOT_READY, EMAIL_KNOWN, TAKEN, MISMATCH = "refused", "not_ready", "email_known", "taken", "mismatch"
NOT_LINKED, STALE = "not_linked", "stale"  # a re-authentication: another identity, or no fresh sign-in
# Their status. The page shows whatever it is: every way here is a whole page (the button
# and the "Mon compte" forms are not boosted, the way back is FranceConnect's redirect),
# never an htmx swap, which the layout's responseHandling drops for a 4xx. 400 (the
# default): the way back cannot be used: no flow of this browser, a forged, replayed or
# late state, an answer that does not check out, FranceConnect's own error. 403: the person
# or the proof does not allow it: consent refused, an acr too low, someone else's identity,
# an account not ready. 409: the identity belongs with another account. 502: FranceConnect,
# which this request needs, does not answer (not the person's fault).
STATUS = {REFUSED: 403, client.ACR_TOO_LOW: 403, MISMATCH: 403, NOT_READY: 403, NOT_LINKED: 403, STALE: 403,
          EMAIL_KNOWN: 409, TAKEN: 409, client.UNREACHABLE: 502}


@bp.app_context_processor
def _button():
    """Not on a kiosk: FranceConnect's own session would stay open in a shared browser."""
    return {"franceconnect_enabled": settings.franceconnect() is not None and not in_kiosk_mode()}


@bp.before_request
def _configured():
    if settings.franceconnect() is None:
        abort(404)


@bp.post("/connexion")
@limiter.limit(configured("RATELIMIT_FRANCECONNECT"))
def start():
    """The button: off to FranceConnect (sign in, or sign up when no account is linked)."""
    if in_kiosk_mode() or not ResendForm().validate_on_submit():
        return redirect(url_for("sign_in.start"), 303)
    return _to_franceconnect(franceconnect.SIGN_IN)


@bp.get("/retour")
@limiter.limit(configured("RATELIMIT_FRANCECONNECT"))
def callback():
    """The way back: the flow of this browser, used up; FranceConnect's answer checked."""
    flow, refused = franceconnect_state.take_flow(request.args.get("state"))
    if refused:
        return _failed(refused)
    if request.args.get("error"):
        return _failed(REFUSED if request.args["error"] == "access_denied" else client.PROVIDER_ERROR,
                       description=request.args.get("error_description"))
    try:
        identity = client.identity(settings.franceconnect(), request.args.get("code", ""), flow.nonce, clock.now())
    except client.Refused as refusal:
        return _failed(refusal.reason)
    if flow.purpose == franceconnect.LINK:
        return _link(flow, identity)
    if flow.purpose == franceconnect.REAUTH:
        return _reauthenticated(flow, identity)
    return _sign_in(identity)


@bp.post("/lier")
@signed_in
def link():
    if not ResendForm().validate_on_submit():
        return redirect(url_for("account.overview"), 303)
    return _to_franceconnect(franceconnect.LINK, g.account.id)


@bp.post("/reconfirmer")
@limiter.limit(configured("RATELIMIT_FRANCECONNECT"))
@signed_in
def reauthenticate():
    """Before a guarded action of "Mon compte", for an account linked to FranceConnect: a fresh
    sign-in there (prompt=login, max_age), as the linked identity, instead of the password."""
    what = request.form.get("what", "")
    if what not in AFTER_REAUTH or g.account.franceconnect_sub is None or not ResendForm().validate_on_submit():
        return redirect(url_for("account.overview"), 303)
    account_change.leave_for_franceconnect(g.account, what)
    return _to_franceconnect(franceconnect.REAUTH, g.account.id)


@bp.post("/delier")
@signed_in
def unlink():
    if ResendForm().validate_on_submit() and franceconnect.unlink(db.session, g.account, account_session.device(),
                                                                  clock.now()):
        account_session.tell("franceconnect_unlinked")
    return redirect(url_for("account.overview"), 303)


@bp.get("/deconnexion")
def signed_out():
    """Back from FranceConnect's end-session endpoint: signed out of both."""
    if franceconnect_state.logout_came_back(request.args.get("state")):
        everywhere = account_session.signed_out_reason() == "everywhere"
        flash(_("Vous êtes déconnecté de tous vos appareils et de FranceConnect.") if everywhere
              else _("Vous êtes déconnecté de votre compte et de FranceConnect."))
    return redirect(url_for("pages.landing"), 303)


# --- helpers ---------------------------------------------------------------------------------

def _to_franceconnect(purpose: str, account_id: str | None = None):
    try:
        return redirect(franceconnect_state.authorization_url(purpose, account_id), 303)
    except client.Refused as refusal:
        return _failed(refusal.reason)


def _sign_in(identity: client.Identity):
    account = franceconnect.linked_account(db.session, identity.sub)
    if account is None:
        if franceconnect.address_taken(db.session, identity.claims.get("email")):
            return _failed(EMAIL_KNOWN)  # never attached by its address: the owner signs in, then links
        # No account yet: a signup, its identity from FranceConnect.
        _count("signed_up")
        return redirect(WizardState.start_with_franceconnect(identity.sub, identity.claims).current_url(), 303)
    if not sign_in.may_sign_in(account):
        return _failed(NOT_READY)  # its address is not proven yet
    # FranceConnect's eidas1 is a verified sign-in already: no second factor here. An
    # unfinished signup goes on at its next stage, as after a sign-in with a password.
    unfinished = sign_in.can_continue_signup(account)
    account_session.begin(account.id, sessions.SIGNUP if unfinished else sessions.SIGN_IN, signed_in=True,
                          franceconnect_id_token=identity.id_token)
    activity.record(db.session, account.id, activity.FRANCECONNECT_SIGN_IN, account_session.device(), clock.now())
    _count("signed_in")
    return redirect_whole_page(resume.next_url(account))


def _link(flow, identity: client.Identity):
    account = account_session.signed_in_account()
    if account is None or account.id != flow.account_id:
        return _failed(franceconnect.NO_FLOW)  # signed out, or another account, meanwhile
    if not franceconnect.same_person(account, identity.claims):
        return _failed(MISMATCH)  # someone else's FranceConnect, in this person's account
    if franceconnect.link(db.session, account, identity.sub, account_session.device(), clock.now()) == TAKEN:
        return _failed(TAKEN)
    account_session.tell("franceconnect_linked")
    _count("linked")
    return redirect(url_for("account.overview"), 303)


def _reauthenticated(flow, identity: client.Identity):
    """Back from a fresh sign-in: the same person (the linked `sub`), just now; the action goes on."""
    account = account_session.signed_in_account()
    if account is None or account.id != flow.account_id:
        return _failed(franceconnect.NO_FLOW)  # signed out, or another account, meanwhile
    if not franceconnect.is_the_linked_one(account, identity.sub):
        return _failed(NOT_LINKED)
    if not identity.proven_within(clock.now(), franceconnect.REAUTH_SECONDS):
        return _failed(STALE)  # an open FranceConnect session answered, not the person
    what = account_change.back_from_franceconnect(account)
    _count("reauthenticated")
    return redirect(url_for("account" + AFTER_REAUTH[what]) if what else url_for("account.overview"), 303)


def _failed(reason: str, description: str | None = None):
    """A page that says what happened, with the usual ways in; nothing of the flow is kept."""
    _count(reason)
    return render_page("franceconnect/failed.html", STATUS.get(reason, 400), reason=reason,
                       description=(description or "")[:200], form=None)


def _count(outcome: str) -> None:
    """For the operator's console: how flows end, never who."""
    events.count(db.session, events.FRANCECONNECT, clock.now(), detail=outcome)
