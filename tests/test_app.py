"""The factory, its settings, and the rules every response follows."""
import pytest
from bs4 import BeautifulSoup

from app import create_app
from tests.conftest import REDIS_URL, unavailable


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production", SECRET_KEY=None)


def test_production_cookies_are_secure():
    app = create_app("production", SECRET_KEY="x" * 32)
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert not app.config["DEVELOPMENT_PAGES"]


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://db.example/sesame")
    monkeypatch.setenv("IDENTIFIER_KIND", "nir")
    import importlib

    import wizard.config
    config = importlib.reload(wizard.config)
    try:
        assert config.Production.SQLALCHEMY_DATABASE_URI == "postgresql://db.example/sesame"
        assert config.Production.IDENTIFIER_KIND == "nir"
    finally:
        monkeypatch.undo()
        importlib.reload(wizard.config)


def test_a_settings_file_is_read_before_the_environment(tmp_path):
    """SESAME_SETTINGS: an operator's folder (operators/*) holds its settings, paths relative to it."""
    from wizard.config import from_environment
    (tmp_path / "settings.env").write_text(
        "# a mutuelle\n\nIDENTIFIERS=member_number,contract_number\nSERVICE_NAME=\"Mon espace\"\n"
        "BRAND_FOLDER=brand\nINSURER_NAME=Mutuelle A\n", "utf-8")
    values = from_environment({"SESAME_SETTINGS": str(tmp_path / "settings.env"), "INSURER_NAME": "Mutuelle B"})
    assert values["IDENTIFIERS"] == ("member_number", "contract_number")
    assert values["SERVICE_NAME"] == "Mon espace"
    assert values["BRAND_FOLDER"] == str(tmp_path / "brand")
    assert values["INSURER_NAME"] == "Mutuelle B"  # the environment wins


@pytest.mark.parametrize(("content", "message"), [
    ("IDENTIFIERS=nir\nIDENTIFIRES=nir\n", r"settings.env, line 2: 'IDENTIFIRES' is not a setting"),
    ("just words\n", r"settings.env, line 1: 'just words' is not a setting"),
])
def test_a_settings_file_with_a_wrong_line_stops_the_start(tmp_path, content, message):
    from wizard.config import SettingError, from_environment
    (tmp_path / "settings.env").write_text(content, "utf-8")
    with pytest.raises(SettingError, match=message):
        from_environment({"SESAME_SETTINGS": str(tmp_path / "settings.env")})
    with pytest.raises(SettingError, match="cannot be read"):
        from_environment({"SESAME_SETTINGS": str(tmp_path / "missing.env")})


def test_the_example_operators_start(tmp_path):
    """Each folder of operators/ is a deployment its settings and files alone make."""
    from wizard import settings
    from wizard.config import ROOT, settings_from_file
    for name, kinds in {"mutuelle": ("member_number", "contract_number"), "ameli-like": ("nir", "postal_code"),
                        "mes-like": ("nir", "vitale")}.items():
        app = create_app("test", **settings_from_file(ROOT / "operators" / name / "settings.env"))
        with app.app_context():
            assert settings.identifiers().kinds == kinds
        for path, words in (("/conditions-generales", app.config["SERVICE_NAME"]),
                            ("/confidentialite", app.config["INSURER_NAME"])):
            page = BeautifulSoup(app.test_client().get(path).data, "html.parser")
            assert words in page.select_one(".operator-text").get_text(), (name, path)  # its own texts
            assert "Version du 1 décembre 2026." in page.main.get_text()


def test_a_setting_of_the_wrong_type_stops_the_start_with_its_name():
    from wizard.config import SettingError, from_environment
    with pytest.raises(SettingError, match=r"MAIL_PORT='vingt' should be a whole number.*MAIL_USE_TLS='peut-être'"):
        from_environment({"MAIL_PORT": "vingt", "MAIL_USE_TLS": "peut-être"})
    values = from_environment({"KIOSKS": " agence-a, ,agence-b ", "MAIL_USE_TLS": "off", "MAIL_SERVER": "",
                               "ELIGIBILITY_QUICK_ANSWER_SECONDS": "0.5"})
    assert values["KIOSKS"] == ("agence-a", "agence-b") and values["MAIL_USE_TLS"] is False
    assert values["MAIL_SERVER"] is None and values["ELIGIBILITY_QUICK_ANSWER_SECONDS"] == 0.5
    assert values["MAIL_PORT"] == 587


def test_the_readme_lists_every_setting_as_declared(app):
    """The README's table is made from config.toml: `flask settings` prints it, and the
    README holds it as printed, so neither can drift from what the app reads."""
    from pathlib import Path

    from wizard.config import Config, declared_settings
    printed = app.test_cli_runner().invoke(args=["settings"]).output
    assert printed in (Path(__file__).parent.parent / "README.md").read_text("utf-8"), \
        "config.toml changed: flask --app app settings --readme"
    for _section, name, _spec in declared_settings():
        assert f"| `{name}` |" in printed and hasattr(Config, name)


def test_every_response_carries_the_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "frame-ancestors 'none'" in csp and "cdn" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_session_cookie_is_http_only_and_same_site(client):
    response = client.get("/inscription/verification")  # the spoken code's token: the first cookie
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_health_check(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_health_check_without_a_database():
    app = create_app("test", SQLALCHEMY_DATABASE_URI="postgresql://nobody@127.0.0.1:9/none")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503


def test_csrf_is_required_on_every_form():
    app = create_app("test", WTF_CSRF_ENABLED=True)
    with app.app_context():
        from wizard.extensions import db
        db.create_all()
    client = app.test_client()
    client.get("/inscription/verification")
    response = client.post("/inscription/verification", data={"code": "123456"})
    assert response.status_code == 400
    assert "Votre session a expiré" in response.get_data(as_text=True)
    assert client.post("/langue", data={"lang": "en"}).status_code == 400


def test_rate_limits_are_shared_through_redis():
    """With REDIS_URL, two workers (two apps) count against one limit."""
    import redis
    store = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        store.flushdb()
    except redis.exceptions.ConnectionError:
        unavailable(f"Redis not reachable at {REDIS_URL}")
    workers = [create_app("test", RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_CAPTCHA="3 per minute")
               for _ in range(2)]
    from wizard.extensions import db
    statuses = []
    for number in range(4):
        worker = workers[number % 2]
        with worker.app_context():
            db.create_all()
        client = worker.test_client()
        client.get("/inscription/verification")
        statuses.append(client.post("/inscription/verification", data={"code": "0"}).status_code)
    assert statuses == [200, 200, 200, 429]
    assert store.keys("LIMITS:*"), "the counts are kept in Redis"


def _production_client():
    from wizard.extensions import db
    app = create_app("production", SECRET_KEY="x" * 32, SQLALCHEMY_DATABASE_URI="sqlite://",
                     RATELIMIT_STORAGE_URI="memory://")
    with app.app_context():
        db.create_all()
    return app, app.test_client()


def test_production_sends_hsts_and_host_only_cookies():
    from wizard.web import browser_cookies
    app, client = _production_client()
    response = client.get("/inscription/verification", base_url="https://sesame.example")
    assert response.headers["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-sesame=") and "Secure" in cookie and "Path=/" in cookie
    assert "Domain" not in cookie
    with app.test_request_context():
        assert browser_cookies._named(browser_cookies.EMAIL_COOKIE) == "__Host-sesame_email"
        assert browser_cookies._named(browser_cookies.BROWSER_COOKIE) == "__Host-sesame_navigateur"


def test_no_hsts_outside_production(client):
    assert "Strict-Transport-Security" not in client.get("/").headers


@pytest.mark.parametrize("path", ["/", "/inscription/verification", "/connexion", "/healthz", "/nulle-part"])
def test_pages_are_never_stored_and_ask_for_no_device(client, path):
    response = client.get(path, follow_redirects=True)
    assert response.headers["Cache-Control"] == "no-store"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "geolocation=()" in response.headers["Permissions-Policy"]

