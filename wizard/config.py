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

    # Request size: no form of ours comes near these; a bigger body is refused (413) before
    # it is parsed, so that a 30 MB POST costs no worker memory.
    MAX_CONTENT_LENGTH = _int("MAX_REQUEST_BYTES", 1024 * 1024)
    MAX_FORM_MEMORY_SIZE = 64 * 1024  # per text field
    MAX_FORM_PARTS = 200

    # Flask-WTF: the token is bound to the session cookie; a time limit would make a
    # slow reader lose what they typed.
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    SESSION_COOKIE_NAME = "sesame"
    # Production: "__Host-" before every cookie's name, so that a browser takes it only if
    # set by this host over HTTPS for the whole site (no subdomain can plant or widen one).
    COOKIE_PREFIX = ""
    # Strict-Transport-Security's max-age (0: not sent; production: two years).
    HSTS_SECONDS = _int("HSTS_SECONDS", 0)

    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("TIME_ZONE", "Europe/Paris")
    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "translations")
    LANGUAGES = ("fr", "en")

    # The identifier the operator asks for: member_number, nir, vitale or postal_code.
    IDENTIFIER_KIND = os.environ.get("IDENTIFIER_KIND", "member_number")
    # Fernet keys for the identifier at rest, comma-separated; the first encrypts (see
    # wizard/identifier_encryption.py). Unset: one key derived from SECRET_KEY.
    IDENTIFIER_KEYS = tuple(filter(None, os.environ.get("IDENTIFIER_KEYS", "").split(",")))
    INSURER_DIRECTORY = os.environ.get("INSURER_DIRECTORY", str(ROOT / "wizard" / "data" / "demo_directory.csv"))
    JOURNEY_IDLE_MINUTES = _int("JOURNEY_IDLE_MINUTES", 30)
    TERMS_VERSION = "2026-11-01"
    PRIVACY_VERSION = "2026-11-01"
    ACTIVATION_LINK_HOURS = _int("ACTIVATION_LINK_HOURS", 72)
    UNCONFIRMED_EMAIL_DAYS = _int("UNCONFIRMED_EMAIL_DAYS", 21)
    # Between two activation emails to one journey; shown on the "check your email" page.
    ACTIVATION_RESEND_SECONDS = _int("ACTIVATION_RESEND_SECONDS", 60)
    # Wrong short codes allowed per account, all emails together: the link still works after.
    ACTIVATION_CODE_ATTEMPTS = _int("ACTIVATION_CODE_ATTEMPTS", 10)
    # Activation emails (first, resent, to a changed address), per address and per IP.
    RATELIMIT_ACTIVATION_EMAIL = os.environ.get("RATELIMIT_ACTIVATION_EMAIL", "5 per hour")
    RATELIMIT_ACTIVATION_CODE = os.environ.get("RATELIMIT_ACTIVATION_CODE", "10 per minute;30 per hour")
    RATELIMIT_PASSWORD_RULES = os.environ.get("RATELIMIT_PASSWORD_RULES", "120 per minute")
    MARKETING_CONSENT_VERSION = "2026-11-01"

    # The password policy (wizard/core/passwords.py). Classes: lower, upper, digit, special.
    PASSWORD_MIN_LENGTH = _int("PASSWORD_MIN_LENGTH", 8)
    PASSWORD_MAX_LENGTH = _int("PASSWORD_MAX_LENGTH", 128)
    PASSWORD_REQUIRED_CLASSES = tuple(
        name.strip() for name in os.environ.get("PASSWORD_REQUIRED_CLASSES", "lower,upper,digit,special").split(",")
        if name.strip()
    )
    # Argon2id cost; see wizard/core/passwords.py for why these numbers. Hashes made with
    # other numbers are rehashed at the next successful sign-in.
    PASSWORD_HASH_TIME_COST = _int("PASSWORD_HASH_TIME_COST", 3)
    PASSWORD_HASH_MEMORY_KIB = _int("PASSWORD_HASH_MEMORY_KIB", 65536)
    PASSWORD_HASH_PARALLELISM = _int("PASSWORD_HASH_PARALLELISM", 1)

    # Mail. No MAIL_SERVER: mails stay in the outbox table, listed at /dev/courriels.
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = _int("MAIL_PORT", 587)
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", True)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Sésame <ne-pas-repondre@sesame.localhost>")
    MAIL_TIMEOUT_SECONDS = _int("MAIL_TIMEOUT_SECONDS", 10)
    # Background jobs: "thread" (a pool in the web process) or "inline" (tests).
    # Background jobs: "thread" (a pool in the web process), "rq" (workers on REDIS_URL).
    JOB_RUNNER = os.environ.get("JOB_RUNNER", "thread")
    # Eligibility checks mostly wait for the insurer: many threads, little CPU.
    JOB_THREADS = _int("JOB_THREADS", 64)

    # SMS. No SMS_GATEWAY_URL: texts stay in the outbox, listed at /dev/courriels.
    SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL") or None
    SMS_GATEWAY_TOKEN = os.environ.get("SMS_GATEWAY_TOKEN", "")
    SMS_GATEWAY_TIMEOUT_SECONDS = _int("SMS_GATEWAY_TIMEOUT_SECONDS", 10)
    # One-time codes for the phone (and, later, the second factor at sign-in).
    PHONE_CODE_MINUTES = _int("PHONE_CODE_MINUTES", 5)
    SIGN_IN_CODE_MINUTES = _int("SIGN_IN_CODE_MINUTES", 3)
    CODE_MAX_ATTEMPTS = _int("CODE_MAX_ATTEMPTS", 5)
    CODE_RESEND_SECONDS = _int("CODE_RESEND_SECONDS", 60)
    CODE_SENDS_PER_HOUR = _int("CODE_SENDS_PER_HOUR", 5)
    CODE_SENDS_PER_DAY = _int("CODE_SENDS_PER_DAY", 20)

    HCAPTCHA_SITEKEY = os.environ.get("HCAPTCHA_SITEKEY")
    HCAPTCHA_SECRET = os.environ.get("HCAPTCHA_SECRET")
    HCAPTCHA_VERIFY_URL = os.environ.get("HCAPTCHA_VERIFY_URL", "https://api.hcaptcha.com/siteverify")
    HCAPTCHA_TIMEOUT_SECONDS = 5
    # ALTCHA proof of work: PBKDF2 iterations per attempt; about 256 attempts on average.
    ALTCHA_COST = _int("ALTCHA_COST", 2000)
    CAPTCHA_MINUTES = 5
    RATELIMIT_CAPTCHA = os.environ.get("RATELIMIT_CAPTCHA", "10 per minute;60 per hour")
    RATELIMIT_IDENTITY = os.environ.get("RATELIMIT_IDENTITY", "20 per minute;100 per hour")
    # The spoken code's image and sound, per IP: a player asks a few times for one code.
    # Journeys a network starts by opening a page without a cookie (each one writes a row).
    RATELIMIT_NEW_JOURNEY = os.environ.get("RATELIMIT_NEW_JOURNEY", "30 per minute;300 per hour")
    RATELIMIT_SPOKEN_CODE = os.environ.get("RATELIMIT_SPOKEN_CODE", "20 per minute;200 per hour")

    # The insurer: its HTTP API when INSURER_API_URL is set, else the directory (CSV).
    INSURER_API_URL = os.environ.get("INSURER_API_URL") or None
    INSURER_API_TOKEN = os.environ.get("INSURER_API_TOKEN", "")
    INSURER_TIMEOUT_SECONDS = _int("INSURER_TIMEOUT_SECONDS", 10)
    # At most this many "not found"/"mismatch" answers per account in ELIGIBILITY_WINDOW_HOURS.
    ELIGIBILITY_MAX_REFUSALS = _int("ELIGIBILITY_MAX_REFUSALS", 5)
    ELIGIBILITY_WINDOW_HOURS = _int("ELIGIBILITY_WINDOW_HOURS", 6)
    RATELIMIT_ELIGIBILITY = os.environ.get("RATELIMIT_ELIGIBILITY", "10 per minute")
    # The confirmation waits this long for a quick answer before showing the waiting screen.
    ELIGIBILITY_QUICK_ANSWER_SECONDS = float(os.environ.get("ELIGIBILITY_QUICK_ANSWER_SECONDS", "3"))
    # Past this, the waiting screen stops polling and says it takes longer than usual.
    ELIGIBILITY_SLOW_SECONDS = _int("ELIGIBILITY_SLOW_SECONDS", 120)
    # A worker holds a check this long; past it, a sweeper may give the check to another.
    ELIGIBILITY_LEASE_SECONDS = _int("ELIGIBILITY_LEASE_SECONDS", 60)

    # Kiosks: any id of lower-case letters, digits and hyphens, or only those listed
    # (comma-separated) in KIOSKS.
    KIOSKS = tuple(filter(None, os.environ.get("KIOSKS", "").split(",")))
    # Outside production, any well-formed id is a kiosk (demos, tests); in production only
    # those of KIOSKS (none when unset), so that no made-up id writes a start code.
    KIOSKS_ANY_ID = True
    START_CODE_MINUTES = _int("START_CODE_MINUTES", 10)
    KIOSK_IDLE_SECONDS = _int("KIOSK_IDLE_SECONDS", 120)
    KIOSK_WARNING_SECONDS = _int("KIOSK_WARNING_SECONDS", 30)

    # Signing in (wizard/sign_in/, wizard/account/). Sessions live on the server: ended by
    # signing out, by "sign out everywhere", by a new password, after SESSION_IDLE_MINUTES
    # without a request (a warning SESSION_WARNING_SECONDS before, WCAG 2.2.1) or
    # SESSION_ABSOLUTE_HOURS after signing in.
    SESSION_IDLE_MINUTES = _int("SESSION_IDLE_MINUTES", 15)
    SESSION_WARNING_SECONDS = _int("SESSION_WARNING_SECONDS", 120)
    SESSION_ABSOLUTE_HOURS = _int("SESSION_ABSOLUTE_HOURS", 12)
    # Between the password and the code: past this, the person starts again.
    SIGN_IN_PENDING_MINUTES = _int("SIGN_IN_PENDING_MINUTES", 10)
    # Failures in a row for one address before its sign-in pauses, and for how long.
    SIGN_IN_MAX_FAILURES = _int("SIGN_IN_MAX_FAILURES", 10)
    SIGN_IN_PAUSE_MINUTES = _int("SIGN_IN_PAUSE_MINUTES", 15)
    RATELIMIT_SIGN_IN = os.environ.get("RATELIMIT_SIGN_IN", "30 per minute;300 per hour")
    # "Se souvenir de moi": no code on this browser for this long. "Se souvenir de mon
    # email": the address is kept 30 days (the CNIL allows 13 months; a readable address on
    # a shared or lost device should not last that long).
    REMEMBER_BROWSER_DAYS = _int("REMEMBER_BROWSER_DAYS", 90)
    REMEMBER_EMAIL_DAYS = _int("REMEMBER_EMAIL_DAYS", 30)
    # Forgotten password: the link and the code of its email.
    PASSWORD_RESET_MINUTES = _int("PASSWORD_RESET_MINUTES", 30)
    PASSWORD_RESET_COOLDOWN_SECONDS = _int("PASSWORD_RESET_COOLDOWN_SECONDS", 60)
    PASSWORD_RESETS_PER_HOUR = _int("PASSWORD_RESETS_PER_HOUR", 5)
    PASSWORD_RESETS_PER_DAY = _int("PASSWORD_RESETS_PER_DAY", 10)
    RATELIMIT_PASSWORD_RESET = os.environ.get("RATELIMIT_PASSWORD_RESET", "10 per minute;50 per hour")

    # The app's JSON log lines (stderr): INFO has one line per request and the security events.
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")

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
    JOB_RUNNER = "inline"
    MAIL_SERVER = None  # a test that needs SMTP starts its own server and sets this
    SMS_GATEWAY_URL = None  # likewise for the SMS gateway
    # The cheapest Argon2id: the tests check the policy, not the cost.
    PASSWORD_HASH_TIME_COST = 1
    PASSWORD_HASH_MEMORY_KIB = 64


class Production(Config):
    SESSION_COOKIE_SECURE = True
    COOKIE_PREFIX = "__Host-"
    SESSION_COOKIE_NAME = COOKIE_PREFIX + Config.SESSION_COOKIE_NAME
    HSTS_SECONDS = _int("HSTS_SECONDS", 2 * 365 * 24 * 3600)
    KIOSKS_ANY_ID = False


configs = {"development": Development, "test": Test, "production": Production}
