"""Sésame's application factory. `flask --app app run` and gunicorn's `app:create_app()`
both load it."""
import gc
import os

from flask import Flask
from flask_babel import get_locale
from werkzeug.middleware.proxy_fix import ProxyFix

from wizard import commands, database, jobs
from wizard.account import views as account
from wizard.activation import views as activation
from wizard.branding import views as branding
from wizard.config import ROOT, configs
from wizard.content import texts as content
from wizard.dev import views as dev_views
from wizard.eligibility import checks
from wizard.eligibility import views as eligibility
from wizard.extensions import babel, compress, csrf, db, htmx, limiter
from wizard.franceconnect import views as franceconnect
from wizard.kiosk import views as kiosk
from wizard.messaging import delivery
from wizard.operator import views as operator
from wizard.pages import views as pages
from wizard.password_reset import views as password_reset
from wizard.phone import views as phone
from wizard.sign_in import views as sign_in
from wizard.signup import identifiers
from wizard.signup import views as signup
from wizard.web import assets, errors, funnel, limits, locale, metrics, request_log, security
from wizard.web.kiosk_mode import in_kiosk_mode


def create_app(config_name: str | None = None, **overrides) -> Flask:
    """Blueprints:
    - pages: landing, legal texts, language switch, /healthz: no journey needed.
    - signup: the steps of the journey, /inscription/<étape>, declared in wizard/signup/steps.py.
    - kiosk: a kiosk's screen and poster, scanned QR codes, typed codes, and hand-offs of
      a journey to another device.
    - activation: after the steps, "check your email", the activation link and code, a
      new address; same /inscription/ prefix, since for the person it is one journey.
    - phone: after activation, the mobile number and the code that proves it.
    - eligibility: the insurer confirms the person is covered (a background job), live.
    - sign_in: /connexion (password, then a code by email or SMS, or a remembered browser),
      /deconnexion; it also gives every page the idle warning of a signed-in session.
    - password: /mot-de-passe-oublie, the email's link or code, then a new password.
    - account: /compte ("Mon compte"), remembered browsers, activity, a new password.
    - operator: /operateur, the operator's console, for its staff only (own accounts, TOTP);
      monitoring: /metrics for the operator's Prometheus, behind METRICS_TOKEN.
    - franceconnect: /franceconnect/ (sign in or up through FranceConnect, link, unlink,
      the way back from its sign-out), only when FRANCECONNECT_* are set.
    - dev: development pages (the outbox of mails), only when DEVELOPMENT_PAGES is true.
    """
    app = Flask(__name__, root_path=str(ROOT))  # templates/, static/, migrations/ beside wizard/
    app.config.from_object(configs[config_name or os.environ.get("APP_ENV", "development")])
    app.config.update(overrides)
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True  # smaller pages on slow networks
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY must be set outside development")
    if app.config["PROXY_FIX_X_FOR"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"])

    metrics.init_app(app)  # first, so that its after_request runs last: the time includes the commit
    database.engine_options(app.config)
    db.init_app(app)
    database.init_app(app)  # SQLite: WAL, no fsync per commit
    funnel.init_app(app)  # after the unit of work's hook: counts before the commit
    if os.environ.get("FLASK_RUN_FROM_CLI") or app.testing:  # the `flask` command, the tests; never gunicorn
        database.init_migrations(app)
    babel.init_app(app, locale_selector=locale.select)
    locale.init_app(app)  # after babel's: the templates' gettext, faster
    assets.init_app(app)  # before compress, whose settings it chooses
    branding.init_app(app)  # refuses to start with colours of too little contrast
    content.init_app(app)  # the operator's texts, sanitised; refuses to start on a broken file
    identifiers.from_config(app.config)  # refuses to start with an identifier it cannot ask
    for extension in (csrf, htmx, limiter, compress):
        extension.init_app(app)

    jobs.init_app(app, {"deliver_outbox": delivery.deliver_outbox, "check_eligibility": checks.check_eligibility,
                        "sweep_eligibility": checks.sweep})
    delivery.init_app(app)

    for views in (branding, pages, signup, activation, phone, eligibility, kiosk, sign_in, password_reset, account,
                  operator, franceconnect):
        app.register_blueprint(views.bp)
    app.register_blueprint(operator.monitoring_bp)
    if app.config["DEVELOPMENT_PAGES"]:
        app.register_blueprint(dev_views.bp)
    limits.init_app(app)  # after the blueprints, which could have declared limits of their own
    errors.init_app(app)
    security.init_app(app)
    request_log.init_app(app)
    app.context_processor(lambda: {"service_name": app.config["SERVICE_NAME"],
                                   "insurer_name": app.config["INSURER_NAME"],
                                   "advisors": {"contact": app.config["ADVISORS_CONTACT"],
                                                "url": app.config["ADVISORS_URL"]},
                                   "current_locale": lambda: get_locale().language,
                                   "kiosk_mode": in_kiosk_mode()})
    commands.init_app(app)
    if not app.testing:  # the tests make an app per test: frozen, their garbage would stay
        # What the imports and the app made lives as long as the process: the collector's
        # full passes stop walking it (about 140,000 objects, 30 to 60 ms a pass, one every
        # 30 signups or so, landing in one request's time: 1 to 2 ms a signup on average).
        gc.freeze()
    return app
