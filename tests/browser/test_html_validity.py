"""Every screen, as the server sends it (whole pages, not HTMX partials), is valid HTML for
the Nu HTML Checker (vnu.jar from npm, on the system's Java), in French and in English;
and so is the style sheet. No browser: Flask's test client fetches the pages."""
import re
import shutil

from conftest import unavailable  # tests/conftest.py, as the other test modules import it

from tests.browser.support import (
    ALL_KIOSK_SCREENS,
    ALL_SCREENS,
    IDENTITY,
    KIOSK,
    REPORT,
    ROOT,
    SUBSCRIBER,
    SUBSCRIBER_AS_TYPED,
    VNU_JAR,
    Visitor,
    activation_code,
    activation_link,
    credentials,
    damaged,
    earlier_codes,
    earlier_refusals,
    hours_later,
    national,
    new_email,
    new_phone,
    nu_checker_messages,
    sms_code,
    wrong_code,
)

CSS = ROOT / "static" / "css" / "sesame.css"


def visit_every_screen(app, lang):
    visitor = Visitor(app)
    visitor.get(None, "/")
    if lang != "fr":
        visitor.post(None, "/langue", {"lang": lang, "next": "/"})
    visitor.get("landing", "/")
    visitor.get("terms", "/conditions-generales")
    visitor.get("privacy", "/confidentialite")
    visitor.get("accessibility", "/accessibilite")
    visitor.get("accessibility-audit", "/accessibilite/audit")
    visitor.get("not-found", "/cette-page-n-existe-pas", status=404)
    visitor.get("captcha", "/inscription/")
    visitor.post("captcha-wrong-code", "/inscription/verification", {"code": wrong_code(visitor.code())})
    visitor.post("identity", "/inscription/verification", {"code": visitor.code()})
    visitor.post("identity-errors", "/inscription/identite", {})
    visitor.post("role", "/inscription/identite", IDENTITY)
    visitor.post("subscriber", "/inscription/qualite", {"role": "beneficiary"})
    visitor.post("summary", "/inscription/souscripteur", SUBSCRIBER_AS_TYPED)
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
    visit_phone_and_eligibility(app, visitor, email)
    visitor.get("link-used", link)
    visitor.get("link-invalid", damaged(link), status=400)
    visitor.get("dev-outbox", "/dev/courriels")  # a development page, not met in the walk
    visitor.get("which-address", "/connexion/quelle-adresse")  # tests/browser/test_resume_browser.py's
    elsewhere = Visitor(app)  # another browser, where the activation code is typed with the address
    elsewhere.get(None, "/")
    if lang != "fr":
        elsewhere.post(None, "/langue", {"lang": lang, "next": "/"})
    elsewhere.post("code-elsewhere-errors", "/inscription/verifiez-vos-emails", {"email": "x", "code": "1"})
    visitor.pages.update(elsewhere.pages)
    assert set(ALL_SCREENS) <= set(visitor.pages), "a screen of support.SCREENS is not validated"
    assert b'lang="%s"' % lang.encode() in visitor.pages["activated"]
    return {**visitor.pages, **visit_kiosk_pages(app, lang)}


def visit_phone_and_eligibility(app, visitor, email):
    """The same way as the walk (support.Walker): the locks are reached by making the
    table say that earlier codes and checks were refused, then older."""
    phone = {"phone": national(new_phone()), "channel": "sms"}
    e164 = "+33" + phone["phone"].replace(" ", "")[1:]
    visitor.get("phone", "/inscription/telephone")
    earlier_codes(app, email, e164)
    visitor.post("phone-locked", "/inscription/telephone", phone, status=429)
    hours_later(app, email, 2)
    visitor.post("phone-code", "/inscription/telephone", phone)
    visitor.post("phone-code-wrong", "/inscription/telephone/code", {"code": wrong_code(sms_code(app, e164))})
    visitor.post("phone-confirmed", "/inscription/telephone/code", {"code": sms_code(app, e164)})
    visitor.get("eligibility", "/inscription/eligibilite")
    visitor.post("eligibility-mismatch", "/inscription/eligibilite", {})
    assert b"/inscription/eligibilite/corriger" in visitor.last
    visitor.get("eligibility-retry", "/inscription/eligibilite")
    earlier_refusals(app, email)
    visitor.post("eligibility-locked", "/inscription/eligibilite", {}, status=429)
    hours_later(app, email, 7)
    visitor.get("correction", "/inscription/eligibilite/corriger")
    # The corrected answers are checked at once (issue 14).
    visitor.post("eligible", "/inscription/eligibilite/corriger", {**IDENTITY, **SUBSCRIBER})
    assert "Félicitations".encode() in visitor.last or b"Congratulations" in visitor.last


def visit_kiosk_pages(app, lang):
    visitor = Visitor(app)
    visitor.get(None, "/")
    if lang != "fr":
        visitor.post(None, "/langue", {"lang": lang, "next": "/"})
    visitor.get("poster", f"/borne/affiche?kiosque={KIOSK}")
    visitor.get("kiosk", f"/borne?kiosque={KIOSK}")
    code = re.search(rb'class="visually-hidden">([A-Z0-9 ]{11})<', visitor.last).group(1).replace(b" ", b"")
    visitor.get("typed-code", "/code")
    visitor.post("typed-code-wrong", "/code", {"code": "ZZZ999"})
    visitor.post(None, "/code", {"code": code.decode()})
    assert visitor.code()  # a journey has started, at the CAPTCHA step
    visitor.get("handoff", "/inscription/continuer-sur-mon-telephone")
    visitor.post("kiosk-mode", "/borne/commencer", {"kiosque": KIOSK})
    assert b'id="kiosk-idle"' in visitor.last
    assert set(ALL_KIOSK_SCREENS) <= set(visitor.pages), "a screen of support.KIOSK_SCREENS is not validated"
    return {f"kiosk-{name}": html for name, html in visitor.pages.items()}


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
    messages, proc = nu_checker_messages(files)
    REPORT.vnu_pages.extend(path.name for path in files)
    REPORT.vnu_messages.extend(messages)
    assert messages == []
    assert proc.returncode == 0, proc.stderr


def test_the_checker_finds_what_is_invalid(tmp_path):
    """The check above can fail: an unclosed element is reported, with its file."""
    if not shutil.which("java") or not VNU_JAR.is_file():
        unavailable("java or vnu.jar not found")
    page = tmp_path / "broken.html"
    page.write_text('<!DOCTYPE html><html lang="fr"><head><title>x</title></head>\n<body><p><div>x</p></body></html>')
    messages, proc = nu_checker_messages([page])
    assert proc.returncode == 1 and "broken.html:1: Unclosed element “div”." in messages, messages
