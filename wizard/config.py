"""Settings, read from the environment under the names in DESIGN.md.

`APP_ENV` chooses the class: development (the default), test or production.
Every part has an embedded default so that the app runs with no configuration.
"""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _int(name, default):
    return int(os.environ.get(name, default))


def _bool(name, default=False):
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    SERVICE_NAME = os.environ.get("SERVICE_NAME", "Sésame")
    INSURER_NAME = os.environ.get("INSURER_NAME", "Mutuelle Démo")

    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{ROOT / 'instance' / 'sesame.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL")
    RATELIMIT_STORAGE_URI = REDIS_URL or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # Number of proxies in front of the app that set X-Forwarded-For (0: none).
    PROXY_FIX_X_FOR = _int("PROXY_FIX_X_FOR", 0)

    # Flask-WTF: the token is bound to the session cookie; a time limit would make a
    # slow reader lose what they typed.
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    SESSION_COOKIE_NAME = "sesame"

    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("TIME_ZONE", "Europe/Paris")
    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "translations")
    LANGUAGES = ("fr", "en")

    # The identifier the operator asks for: member_number, nir, vitale or postal_code.
    IDENTIFIER_KIND = os.environ.get("IDENTIFIER_KIND", "member_number")
    INSURER_DIRECTORY = os.environ.get("INSURER_DIRECTORY", str(ROOT / "wizard" / "data" / "demo_directory.csv"))
    JOURNEY_IDLE_MINUTES = _int("JOURNEY_IDLE_MINUTES", 30)
    TERMS_VERSION = "2026-11-01"
    PRIVACY_VERSION = "2026-11-01"
    ACTIVATION_LINK_HOURS = _int("ACTIVATION_LINK_HOURS", 72)
    UNCONFIRMED_EMAIL_DAYS = _int("UNCONFIRMED_EMAIL_DAYS", 21)

    HCAPTCHA_SITEKEY = os.environ.get("HCAPTCHA_SITEKEY")
    HCAPTCHA_SECRET = os.environ.get("HCAPTCHA_SECRET")
    HCAPTCHA_VERIFY_URL = os.environ.get("HCAPTCHA_VERIFY_URL", "https://api.hcaptcha.com/siteverify")
    HCAPTCHA_TIMEOUT_SECONDS = 5
    # ALTCHA proof of work: PBKDF2 iterations per attempt; about 256 attempts on average.
    ALTCHA_COST = _int("ALTCHA_COST", 2000)
    CAPTCHA_MINUTES = 5
    RATELIMIT_CAPTCHA = os.environ.get("RATELIMIT_CAPTCHA", "10 per minute;60 per hour")
    RATELIMIT_IDENTITY = os.environ.get("RATELIMIT_IDENTITY", "20 per minute;100 per hour")

    # Kiosks: any id of lower-case letters, digits and hyphens, or only those listed
    # (comma-separated) in KIOSKS.
    KIOSKS = tuple(filter(None, os.environ.get("KIOSKS", "").split(",")))
    START_CODE_MINUTES = _int("START_CODE_MINUTES", 10)
    KIOSK_IDLE_SECONDS = _int("KIOSK_IDLE_SECONDS", 120)
    KIOSK_WARNING_SECONDS = _int("KIOSK_WARNING_SECONDS", 30)

    DEVELOPMENT_PAGES = False


class Development(Config):
    SECRET_KEY = Config.SECRET_KEY or "dev-only-secret-key-not-for-production"
    DEVELOPMENT_PAGES = True


class Test(Development):
    TESTING = True
    SECRET_KEY = "test-secret-key"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    RATELIMIT_STORAGE_URI = "memory://"
    ALTCHA_COST = 50
    WTF_CSRF_ENABLED = False


class Production(Config):
    SESSION_COOKIE_SECURE = True


configs = {"development": Development, "test": Test, "production": Production}
