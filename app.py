"""Sésame's application factory. `flask --app app run` and gunicorn's `app:create_app()`
both load it."""
import os

from flask import Flask, current_app, request, session
from flask_babel import get_locale
from flask_wtf.csrf import CSRFError
from werkzeug.middleware.proxy_fix import ProxyFix

from wizard import assets, commands, database, delivery, jobs
from wizard.config import configs
from wizard.extensions import babel, compress, csrf, db, htmx, limiter, migrate
from wizard.rendering import render_page
from wizard.signup.state import in_kiosk_mode


def create_app(config_name: str | None = None, **overrides) -> Flask:
    """Blueprints:
    - pages: landing, legal texts, language switch, /healthz: no journey needed.
    - signup: the steps of the journey, /inscription/<étape>, declared in wizard/steps.py.
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
    - dev: development pages (the outbox of mails), only when DEVELOPMENT_PAGES is true.
    """
    app = Flask(__name__)
    app.config.from_object(configs[config_name or os.environ.get("APP_ENV", "development")])
    app.config.update(overrides)
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True  # smaller pages on slow networks
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY must be set outside development")
    if app.config["PROXY_FIX_X_FOR"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"])

    db.init_app(app)
    database.init_app(app)  # SQLite: WAL, no fsync per commit
    migrate.init_app(app, db, directory=os.path.join(app.root_path, "migrations"))
    babel.init_app(app, locale_selector=_locale)
    assets.init_app(app)  # before compress, whose settings it chooses
    for extension in (csrf, htmx, limiter, compress):
        extension.init_app(app)

    jobs.init_app(app)
    delivery.init_app(app)

    from wizard import account, activation, dev, eligibility, kiosk, pages, password, phone, sign_in, signup
    app.register_blueprint(pages.bp)
    app.register_blueprint(signup.bp)
    app.register_blueprint(activation.bp)
    app.register_blueprint(phone.bp)
    app.register_blueprint(eligibility.bp)
    app.register_blueprint(kiosk.bp)
    app.register_blueprint(sign_in.bp)
    app.register_blueprint(password.bp)
    app.register_blueprint(account.bp)
    if app.config["DEVELOPMENT_PAGES"]:
        app.register_blueprint(dev.bp)
    _register_error_handlers(app)
    app.config["CONTENT_SECURITY_POLICY"] = _content_security_policy(app.config)
    app.after_request(_security_headers)
    app.context_processor(lambda: {"service_name": app.config["SERVICE_NAME"],
                                   "current_locale": lambda: get_locale().language,
                                   "kiosk_mode": in_kiosk_mode()})
    commands.init_app(app)
    return app


# English dates read the British way ("6 March 1977"); its translations are those of "en".
_LOCALES = {"fr": "fr_FR", "en": "en_GB"}


def _locale():
    chosen = session.get("lang")
    if chosen not in _LOCALES:
        chosen = request.accept_languages.best_match(_LOCALES, "fr")
    return _LOCALES[chosen]


def _register_error_handlers(app):
    def page(template, status):
        return lambda error: render_page(template, status=status, push_url=False)

    app.register_error_handler(404, page("errors/404.html", 404))
    app.register_error_handler(405, page("errors/404.html", 405))
    app.register_error_handler(429, page("errors/429.html", 429))
    app.register_error_handler(500, page("errors/500.html", 500))
    app.register_error_handler(CSRFError, page("errors/csrf.html", 400))


def _content_security_policy(config) -> str:
    """Everything from this origin; hCaptcha's hosts only when the operator turns it on."""
    extra = " https://hcaptcha.com https://*.hcaptcha.com" if config["HCAPTCHA_SITEKEY"] else ""
    return (
        "default-src 'self'; img-src 'self' data:; media-src 'self'; object-src 'none'; "
        "base-uri 'none'; frame-ancestors 'none'; form-action 'self'; "
        f"script-src 'self'{extra}; style-src 'self'{extra}; connect-src 'self'{extra}; "
        f"frame-src {extra.strip() or chr(39) + 'none' + chr(39)}; worker-src 'self' blob:"
    )


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", current_app.config["CONTENT_SECURITY_POLICY"])
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response
