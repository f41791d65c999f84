"""Every screen, as the server sends it (whole pages, not HTMX partials), is valid HTML for
the Nu HTML Checker (vnu.jar from npm, on the system's Java), in French and in English;
and so is the style sheet. No browser: Flask's test client fetches the pages."""
import json
import re
import shutil
import subprocess

from conftest import unavailable  # tests/conftest.py, as the other test modules import it

from tests.browser.support import (
    ALL_SCREENS,
    IDENTITY,
    REPORT,
    ROOT,
    SUBSCRIBER,
    VNU_JAR,
    activation_code,
    activation_link,
    credentials,
    damaged,
    journey_code,
    new_email,
    wrong_code,
)

CSS = ROOT / "static" / "css" / "sesame.css"


def csrf_token(html: bytes) -> str:
    return re.search(rb'name="csrf_token" value="([^"]+)"', html).group(1).decode()


class Visitor:
    """A Flask test client that keeps each screen's bytes, by name."""

    def __init__(self, app):
        self.app, self.client, self.pages, self.last = app, app.test_client(), {}, b""

    def get(self, name, url, status=200):
        return self._keep(name, self.client.get(url, follow_redirects=True), status)

    def post(self, name, url, data, status=200):
        data = {**data, "csrf_token": csrf_token(self.last)}
        return self._keep(name, self.client.post(url, data=data, follow_redirects=True), status)

    def _keep(self, name, response, status):
        assert response.status_code == status, (name, response.status_code)
        assert response.mimetype == "text/html"
        self.last = response.data
        if name:
            self.pages[name] = response.data

    def code(self):
        with self.client.session_transaction() as session:
            return journey_code(self.app, session["journey"])


def visit_every_screen(app, lang):
    visitor = Visitor(app)
    visitor.get(None, "/")
    if lang != "fr":
        visitor.post(None, "/langue", {"lang": lang, "next": "/"})
    visitor.get("landing", "/")
    visitor.get("terms", "/conditions-generales")
    visitor.get("privacy", "/confidentialite")
    visitor.get("accessibility", "/accessibilite")
    visitor.get("not-found", "/cette-page-n-existe-pas", status=404)
    visitor.get("captcha", "/inscription/")
    visitor.post("captcha-wrong-code", "/inscription/verification", {"code": wrong_code(visitor.code())})
    visitor.post("identity", "/inscription/verification", {"code": visitor.code()})
    visitor.post("identity-errors", "/inscription/identite", {})
    visitor.post("role", "/inscription/identite", IDENTITY)
    visitor.post("subscriber", "/inscription/qualite", {"role": "beneficiary"})
    visitor.post("summary", "/inscription/souscripteur", SUBSCRIBER)
    visitor.post("credentials", "/inscription/recapitulatif", {"accept_terms": "y"})
    visitor.post("credentials-errors", "/inscription/identifiants", {"password": "abc"})
    email = new_email(f"vnu-{lang}")
    visitor.post("check-email", "/inscription/identifiants", credentials(email))
    code, link = activation_code(app, email), activation_link(app, email)
    visitor.post("check-email-wrong-code", "/inscription/verifiez-vos-emails", {"code": wrong_code(code)})
    visitor.get("email-help", "/inscription/email-non-recu")
    visitor.get("change-email", "/inscription/adresse-email")
    visitor.get("activation-link", link)
    visitor.post("activated", "/inscription/verifiez-vos-emails", {"code": code})
    visitor.get("link-used", link)
    visitor.get("link-invalid", damaged(link), status=400)
    visitor.get("dev-outbox", "/dev/courriels")  # a development page, not met in the walk
    assert set(ALL_SCREENS) <= set(visitor.pages), "a screen of support.SCREENS is not validated"
    assert b'lang="%s"' % lang.encode() in visitor.pages["activated"]
    return visitor.pages


def test_every_page_is_valid_html(live_app, tmp_path):
    if not shutil.which("java"):
        unavailable("java not found: apt-get install -y openjdk-17-jre-headless")
    if not VNU_JAR.is_file():
        unavailable(f"{VNU_JAR} not found: npm ci")
    files = []
    for lang in ("fr", "en"):
        for name, html in visit_every_screen(live_app, lang).items():
            path = tmp_path / f"{lang}-{name}.html"
            path.write_bytes(html)
            files.append(path)
    proc = subprocess.run(["java", "-jar", str(VNU_JAR), "--format", "json", "--errors-only",
                           "--also-check-css", *map(str, files), str(CSS)],
                          capture_output=True, text=True, timeout=120)
    messages = [f"{m.get('url', '').rsplit('/', 1)[-1]}:{m.get('lastLine', '?')}: {m['message']}"
                for m in json.loads(proc.stderr)["messages"]]
    REPORT.vnu_pages.extend(path.name for path in files)
    REPORT.vnu_messages.extend(messages)
    assert messages == []
    assert proc.returncode == 0, proc.stderr
