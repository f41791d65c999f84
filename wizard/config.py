"""Settings: the operator's, declared in config.toml and read from the environment, and
the app's own below.

`APP_ENV` chooses the class: development (the default), test or production. Every
operator setting has an embedded default or may stay unset, so that the app runs with no
configuration; a value of the wrong type stops the start with the setting named.
"""
import os
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DECLARED = tomllib.loads(Path(__file__).with_name("config.toml").read_text("utf-8"))
TRUE, FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


class SettingError(ValueError):
    pass


def declared_settings():
    """(section, name, spec) for every operator setting, in the file's order."""
    return [(section, name, spec) for section, names in DECLARED.items() for name, spec in names.items()]


def _parse(raw: str, default):
    if isinstance(default, bool):
        word = raw.strip().lower()
        if word not in TRUE | FALSE:
            raise SettingError("on or off (1/0, true/false, yes/no)")
        return word in TRUE
    if isinstance(default, list):
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    for kind, expected in ((int, "a whole number"), (float, "a number")):
        if isinstance(default, kind):
            try:
                return kind(raw)
            except ValueError:
                raise SettingError(expected) from None
    return raw


# Paths a settings file may give relative to its own folder, so that an operator's folder
# (operators/mutuelle/: settings, brand, directory) works wherever it is copied.
RELATIVE_PATHS = ("BRAND_FOLDER", "CONTENT_FOLDER", "INSURER_DIRECTORY")


def read_settings_file(path: str | os.PathLike) -> dict[str, str]:
    """SESAME_SETTINGS: NAME=value lines (blank lines and # comments allowed), each a
    declared setting; a relative BRAND_FOLDER, CONTENT_FOLDER or INSURER_DIRECTORY is the file's folder's."""
    path = Path(path)
    try:
        lines = path.read_text("utf-8").splitlines()
    except OSError as error:
        raise SettingError(f"SESAME_SETTINGS={str(path)!r} cannot be read: {error.strerror}") from None
    known, values = {name for _section, name, _spec in declared_settings()}, {}
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, equals, value = line.partition("=")
        name, value = name.strip(), value.strip()
        if not equals or name not in known:
            raise SettingError(f"{path}, line {number}: {name!r} is not a setting (NAME=value, see the README)")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        if name in RELATIVE_PATHS and value and not Path(value).is_absolute():
            value = str((path.parent / value).resolve())
        values[name] = value
    return values


def settings_from_file(path: str | os.PathLike) -> dict:
    """The settings a file gives, parsed and typed as from the environment (for tests)."""
    given = read_settings_file(path)
    return {name: value for name, value in from_environment(given).items() if name in given}


def from_environment(environ=os.environ) -> dict:
    """Every declared setting: the environment's value, else SESAME_SETTINGS' file's, else
    its default (None: unset)."""
    if environ.get("SESAME_SETTINGS"):
        environ = {**read_settings_file(environ["SESAME_SETTINGS"]), **environ}
    values, problems = {}, []
    for _section, name, spec in declared_settings():
        default, raw = spec.get("default"), environ.get(name)
        if raw is None or (raw == "" and default is None):
            values[name] = tuple(default) if isinstance(default, list) else default
            continue
        try:
            values[name] = _parse(raw, default)
        except SettingError as expected:
            problems.append(f"{name}={raw!r} should be {expected}")
    if problems:
        raise SettingError("Settings refused: " + "; ".join(problems))
    return values


OPERATOR_SETTINGS = from_environment()


class Config:
    locals().update(OPERATOR_SETTINGS)  # as class attributes, for app.config.from_object

    SQLALCHEMY_DATABASE_URI = OPERATOR_SETTINGS["DATABASE_URL"] or f"sqlite:///{ROOT / 'instance' / 'sesame.sqlite3'}"
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    RATELIMIT_STORAGE_URI = OPERATOR_SETTINGS["REDIS_URL"] or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # Redis away (a restart, a failover): each worker counts in its own memory meanwhile,
    # rather than answering 500; the shared counts resume when Redis answers again.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}
    INSURER_DIRECTORY = OPERATOR_SETTINGS["INSURER_DIRECTORY"] or str(ROOT / "wizard" / "data" / "demo_directory.csv")

    # Request size: no form of ours comes near these; a bigger body is refused (413) before
    # it is parsed, so that a 30 MB POST costs no worker memory.
    MAX_CONTENT_LENGTH = OPERATOR_SETTINGS["MAX_REQUEST_BYTES"]
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
    # Outside production, any well-formed id is a kiosk (demos, tests); in production only
    # those of KIOSKS (none when unset), so that no made-up id writes a start code.
    KIOSKS_ANY_ID = True

    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = OPERATOR_SETTINGS["TIME_ZONE"]
    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "translations")
    LANGUAGES = ("fr", "en")

    # The versions of the texts a person accepts, kept with each consent.
    TERMS_VERSION = "2026-11-01"
    PRIVACY_VERSION = "2026-11-01"
    MARKETING_CONSENT_VERSION = "2026-11-01"
    HCAPTCHA_TIMEOUT_SECONDS = 5
    CAPTCHA_MINUTES = 5

    DEVELOPMENT_PAGES = False


class Development(Config):
    SECRET_KEY = Config.SECRET_KEY or "dev-only-secret-key-not-for-production"
    DEVELOPMENT_PAGES = True
    HSTS_SECONDS = 0  # plain HTTP on a laptop


class Test(Development):
    TESTING = True
    SECRET_KEY = "test-secret-key"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    RATELIMIT_STORAGE_URI = "memory://"
    ALTCHA_COST = 50
    WTF_CSRF_ENABLED = False
    JOB_RUNNER = "inline"
    SCHEDULER = False  # a test runs the scheduler's tick itself
    MAIL_SERVER = None  # a test that needs SMTP starts its own server and sets this
    SMS_GATEWAY_URL = None  # likewise for the SMS gateway
    # The cheapest Argon2id: the tests check the policy, not the cost.
    PASSWORD_HASH_TIME_COST = 1
    PASSWORD_HASH_MEMORY_KIB = 64


class Production(Config):
    SESSION_COOKIE_SECURE = True
    COOKIE_PREFIX = "__Host-"
    SESSION_COOKIE_NAME = COOKIE_PREFIX + Config.SESSION_COOKIE_NAME
    KIOSKS_ANY_ID = False


configs = {"development": Development, "test": Test, "production": Production}


def settings_table() -> str:
    """The README's configuration table, from config.toml."""
    lines = []
    for section, names in DECLARED.items():
        lines += ["", f"**{section}**", "", "| setting | default | what |", "|---|---|---|"]
        for name, spec in names.items():
            default = spec.get("default")
            if "shown" in spec:
                shown = spec["shown"]
            elif isinstance(default, bool):
                shown = "on" if default else "off"
            elif isinstance(default, list):
                shown = f"`{','.join(default)}`"
            else:
                shown = "unset" if default in (None, "") else f"`{default}`"
            lines.append(f"| `{name}` | {shown} | {spec['what']} |")
    return "\n".join(lines[1:]) + "\n"
