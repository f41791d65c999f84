"""The operator's console, /operateur: for its staff only (password, then TOTP code).
Thin views over wizard/operator/staff.py (signing in) and reports.py (the figures)."""
from flask import Blueprint, abort, current_app, jsonify, redirect, request, url_for
from prometheus_client import CONTENT_TYPE_LATEST

from wizard import jobs, settings
from wizard.core import clock
from wizard.extensions import db, limiter
from wizard.kiosk import qr
from wizard.messaging import delivery
from wizard.operator import charts, monitoring, reports, staff
from wizard.operator.forms import WRONG_CODE, WRONG_PASSWORD, PeriodForm, StaffCodeForm, StaffSignInForm, refusal
from wizard.web import metrics, staff_session, timeouts
from wizard.web.forms import ResendForm
from wizard.web.limits import configured
from wizard.web.rendering import redirect_whole_page, render_page

bp = Blueprint("operator", __name__, url_prefix="/operateur")
# /metrics, for the operator's monitoring: a bearer token, no staff session.
monitoring_bp = Blueprint("monitoring", __name__)
# The rest needs a signed-in member of staff. The idle warning's poll answers 0 without.
OPEN = {"operator.sign_in", "operator.code", "operator.session_status"}


bp.context_processor(lambda: {"reports": reports.REPORTS})
bp.context_processor(timeouts.staff_timeout)


@bp.before_request
def _staff_only():
    if request.endpoint not in OPEN and staff_session.current_member() is None:
        return redirect(url_for("operator.sign_in"), 303)
    return None


@bp.after_request
def _private(response):
    response.headers["Cache-Control"] = "no-store"  # nothing of the console stays in a cache
    return response


@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit(configured("RATELIMIT_STAFF_SIGN_IN"), methods=["POST"])
def sign_in():
    if staff_session.current_member() is not None:
        return redirect(url_for("operator.overview"), 303)
    form = StaffSignInForm(check=_check_password)
    if form.validate_on_submit():
        staff_session.start_pending(form.result.member)
        return redirect(url_for("operator.code"), 303)
    return render_page("operator/sign_in.html", form=form, reason=staff_session.ended_reason())


@bp.route("/connexion/code", methods=["GET", "POST"])
@limiter.limit(configured("RATELIMIT_STAFF_SIGN_IN"), methods=["POST"])
def code():
    member = staff_session.pending_member()
    if member is None:
        return redirect(url_for("operator.sign_in"), 303)
    form = StaffCodeForm(check=lambda form: _check_code(member, form))
    if form.validate_on_submit():
        staff_session.begin(member)
        return redirect_whole_page(url_for("operator.overview"))
    enrolment = None if member.enrolled_at else _enrolment(member)
    return render_page("operator/code.html", form=form, enrolment=enrolment)


@bp.post("/deconnexion")
def sign_out():
    staff_session.end()
    return redirect_whole_page(url_for("operator.sign_in"))


@bp.get("/session")
def session_status():
    """For the idle warning: seconds before the session ends."""
    return jsonify(seconds_left=staff_session.seconds_left())


@bp.post("/session")
def stay():
    """The idle warning's "Rester connecté" (a fetch); without JavaScript, the console."""
    left = staff_session.stay() if ResendForm().validate_on_submit() else staff_session.seconds_left()
    return timeouts.stayed(left, url_for("operator.overview"))


@bp.get("/")
def overview():
    readings = _readings()
    return render_page("operator/overview.html", member=staff_session.current_member(), readings=readings,
                       alerts=readings.active())


@monitoring_bp.get("/metrics")
def metrics_page():
    token = current_app.config["METRICS_TOKEN"]
    if not token:
        abort(404)
    if not metrics.authorised(token):
        return current_app.response_class("", 401, {"WWW-Authenticate": 'Bearer realm="metrics"'})
    return current_app.response_class(metrics.exposition(_readings()), content_type=CONTENT_TYPE_LATEST,
                                      headers={"Cache-Control": "no-store"})


def _readings() -> monitoring.Readings:
    return monitoring.read(db.session, clock.now(), delivery.current().channels, jobs.queue().depth())


@bp.route("/<page>", methods=["GET", "POST"])
def report(page):
    title, build = reports.REPORTS.get(page) or abort(404)
    form = _period_form()
    if request.method == "POST" and not form.errors:
        return redirect(url_for("operator.report", page=page, **form.query()), 303)
    tables = build(db.session, form.period(), form.split())
    return render_page("operator/report.html", form=form, title=title, page=page, query=form.query(),
                       period=form.period(),
                       tables=[(table, charts.bars(table, table.caption) if table.chart_columns else None)
                               for table in tables])


@bp.get("/<page>/<slug>.csv")
def table_csv(page, slug):
    _, build = reports.REPORTS.get(page) or abort(404)
    form = _period_form()
    table = next((t for t in build(db.session, form.period(), form.split()) if t.slug == slug), None) or abort(404)
    return current_app.response_class(reports.csv_text(table), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{page}-{slug}-{form.query()["du"]}.csv"'})


def _period_form() -> PeriodForm:
    """Posted: the person's choice; else read from the address (no token: reading only)."""
    today = clock.now().date()
    if request.method == "POST":
        form = PeriodForm(today=today)
        form.validate_on_submit()
    else:
        form = PeriodForm(formdata=request.args or None, today=today, meta={"csrf": False})
        if request.args:
            form.validate()
    return form


def _check_password(form):
    attempt = staff.check_password(db.session, form.email.data, form.password.data, settings.staff_settings(),
                                   clock.now())
    return attempt, refusal(attempt, WRONG_PASSWORD), form.password


def _check_code(member, form):
    attempt = staff.check_code(db.session, member, form.code.data, settings.staff_settings(), clock.now())
    return attempt, refusal(attempt, WRONG_CODE), form.code


def _enrolment(member) -> dict:
    """The first sign-in: the seed as a QR code for the authenticator app, and as text."""
    staff_settings = settings.staff_settings()
    # Not through qr.svg's cache: the seed stays in memory no longer than the request.
    return {"qr": qr.svg.__wrapped__(staff.provisioning_uri(member, staff_settings)),
            "secret": staff.secret_for_typing(member, staff_settings)}
