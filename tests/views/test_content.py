"""The operator's texts (CONTENT_FOLDER): sanitised, in the page's language or the default's,
their versions kept with the consent, and a broken folder refused at start-up."""
from pathlib import Path

import pytest

from app import create_app
from tests.conftest import at_step, build_app
from wizard.accounts.models import Consent
from wizard.config import SettingError
from wizard.content import texts
from wizard.extensions import db
from wizard.signup.models import Journey

HOSTILE_MD = """\
# Nos conditions

<script>alert("md")</script>
Texte <img src=x onerror="alert('img')"> avec [un lien piégé](javascript:alert(1)),
[un autre](JaVaScRiPt:alert(2)) et [le bon](https://exemple.fr/cgu) ou [écrire](mailto:cgu@exemple.fr).

<iframe src="https://evil.example/"></iframe>
<style>body { display: none }</style>
<p style="color: red" onclick="alert(3)" onmouseover="alert(4)" class="x" id="main">Paragraphe</p>
<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCg1KTwvc2NyaXB0Pg==">données</a>
<svg><script>alert(6)</script></svg><form action="https://evil.example/"><input name="q"></form>
<object data="x.swf"></object><embed src="x.swf"><meta http-equiv="refresh" content="0;url=https://evil.example/">

#### Article 1 (a level skipped)

Le service est gratuit.
"""
HOSTILE_HTML = """<h1 onload="alert(1)">Vie privée</h1>
<p>Le <abbr title="Délégué à la protection des données">DPO</abbr> répond.</p>
<h3>Vos droits<script>alert(2)</script></h3>
<p><a href="/compte" target="_blank">Mon compte</a> <a href="vbscript:msgbox(1)">x</a>
<span lang="en">privacy</span> <span lang="&quot;><script>">lang</span></p>
<table><caption>Durées</caption><tr><th scope="col">Donnée</th><th scope="col">Durée</th></tr>
<tr><td>Adresse</td><td>Le temps du compte</td></tr></table>
"""


def folder(root: Path, files: dict) -> str:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return str(root)


@pytest.fixture
def content_app(new_app, tmp_path):
    """content_app(files) -> an app whose CONTENT_FOLDER holds `files` (path -> text)."""
    return lambda files, **config: new_app(CONTENT_FOLDER=folder(tmp_path / "content", files), **config)


def page_of(app, url, lang="fr", htmx=False):
    from tests.conftest import ClientRequest
    client = app.test_client()
    client.post("/langue", data={"lang": lang})
    return ClientRequest(client).get(url, htmx=htmx)


def test_hostile_markdown_and_html_are_sanitised(content_app):
    app = content_app({"fr/conditions-generales.md": HOSTILE_MD, "fr/confidentialite.html": HOSTILE_HTML})
    terms = page_of(app, "/conditions-generales")  # one h1 and unique ids: check_page
    text = terms.select_one(".operator-text")
    assert terms.text_of("h1") == "Conditions générales d’utilisation"
    assert [h.name for h in text.select("h1, h2, h3, h4, h5, h6")] == ["h2", "h3"]  # demoted, no level skipped
    assert text.select_one("h2").get_text() == "Nos conditions"
    assert text.select("script, style, iframe, img, svg, form, input, object, embed, meta") == []
    for element in text.select("*"):
        assert set(element.attrs) <= {"href", "rel", "title", "lang"}, element
    links = {a.get_text(): a.get("href") for a in text.select("a")}
    # A link to javascript: or data: is no link (its words stay).
    assert links == {"le bon": "https://exemple.fr/cgu", "écrire": "mailto:cgu@exemple.fr"}
    assert "données" in text.get_text()
    assert all(a["rel"] == ["noopener", "noreferrer"] for a in text.select("a"))
    assert not [value for element in text.select("*") for value in element.attrs.values()
                if "alert" in str(value) or "javascript" in str(value).lower()]
    assert "display: none" not in str(text) and 'alert("md")' not in str(text)
    assert "Paragraphe" in text.get_text() and "Le service est gratuit." in text.get_text()
    assert terms.select_one("main h2").get_text() == "Nos conditions"  # Sésame's own text is gone
    privacy = page_of(app, "/confidentialite").select_one(".operator-text")
    assert [h.name for h in privacy.select("h2, h3")] == ["h2", "h3"]
    assert privacy.select_one("abbr")["title"] == "Délégué à la protection des données"
    assert privacy.select_one("a[href='/compte']").get("target") is None
    assert [a.get_text() for a in privacy.select("a")] == ["Mon compte"]  # the vbscript: link is only its word
    assert [span.get("lang") for span in privacy.select("span")] == ["en", None]
    assert privacy.select_one("table caption").get_text() == "Durées" and len(privacy.select("th[scope=col]")) == 2
    assert privacy.select("script") == [] and "vbscript" not in str(privacy)


def test_french_and_english_each_in_its_own_language(content_app):
    app = content_app({"fr/conditions-generales.md": "# CGU\n\nLe service est gratuit.\n",
                       "en/conditions-generales.md": "# Terms\n\nThe service is free.\n"})
    french, english = page_of(app, "/conditions-generales"), page_of(app, "/conditions-generales", "en")
    assert french.text_of(".operator-text p") == "Le service est gratuit."
    assert english.text_of("h1") == "Terms of use" and english.text_of(".operator-text p") == "The service is free."
    assert french.select_one(".operator-text").get("lang") is None
    assert english.select_one(".operator-text").get("lang") is None


def test_the_privacy_notice_keeps_the_declared_tables_of_data_after_the_operators_text(content_app):
    app = content_app({"fr/confidentialite.md": "# Vie privée\n\nNotre délégué répond.\n"})
    page = page_of(app, "/confidentialite")
    assert page.text_of(".operator-text p") == "Notre délégué répond."
    assert len(page.select("table.personal-data")) == 1  # once, after the operator's text
    assert page.text_of("table.personal-data caption") == "Les données que nous gardons, pourquoi, et combien de temps"
    assert page.select_one(".operator-text").find_next("table") is not None


def test_a_missing_language_falls_back_to_french_said_in_french(content_app):
    app = content_app({"fr/accessibilite.md": "## Contact\n\nÉcrivez à a11y@exemple.fr.\n"})
    english = page_of(app, "/accessibilite", "en")
    text = english.select_one(".operator-text")
    assert text["lang"] == "fr" and english.text_of(".operator-text p") == "Écrivez à a11y@exemple.fr."
    assert english.select_one("html")["lang"] == "en"
    # The rest of the statement is generated, in English: the audit's state, what is checked.
    headings = [h.get_text() for h in english.select("main h2")]
    assert headings[:2] == ["Compliance status", "What we check"] and "Contact" in headings
    assert "Feedback and contact" not in headings  # Sésame's contact part gave way to the operator's
    # Texts the operator does not give stay Sésame's, translated.
    assert page_of(app, "/conditions-generales", "en").select_one(".operator-text") is None


def test_the_help_pages_carry_the_operators_part(content_app):
    app = content_app({"fr/aide-email-non-recu.md": "## Chez nous\n\nNos e-mails partent de @mutuelle.fr.\n",
                       "fr/aide-quelle-adresse.html": "<h2>Votre espace</h2><p>Votre adresse est sur vos relevés.</p>"})
    for htmx in (False, True):
        page = page_of(app, "/inscription/email-non-recu", htmx=htmx)
        assert page.text_of(".operator-text h2") == "Chez nous"
    assert page_of(app, "/connexion/quelle-adresse").text_of(".operator-text p") == \
        "Votre adresse est sur vos relevés."
    assert page_of(build_app(), "/inscription/email-non-recu").select_one(".operator-text") is None


def _accept_terms(app) -> dict:
    client = app.test_client()
    at_step(client, "recapitulatif")
    response = client.post("/inscription/recapitulatif", data={"accept_terms": "y"})
    assert response.headers["Location"] == "/inscription/identifiants"
    with app.app_context():
        return db.session.query(Journey).one().answers["summary"]


def test_the_version_accepted_is_the_files(content_app, new_app, tmp_path):
    assert _accept_terms(new_app())["terms_version"] == "2026-11-01"  # Sésame's own text
    declared = content_app({"fr/conditions-generales.md": "---\nversion: 2027-01-15\n---\n# CGU\n\nTexte.\n"})
    assert _accept_terms(declared)["terms_version"] == "2027-01-15"
    assert page_of(declared, "/conditions-generales").text_of("main .prose > p") == "Version du 15 janvier 2027."
    hashed = content_app({"fr/conditions-generales.md": "# CGU\n\nTexte.\n"})
    version = _accept_terms(hashed)["terms_version"]
    assert version.startswith("sha256:") and len(version) <= 32  # Consent.wording_version
    assert page_of(hashed, "/conditions-generales").select("main .prose > p") == []  # a hash is not shown
    assert texts.of(hashed).version("privacy") == "2026-11-01"  # not given: Sésame's
    again = content_app({"fr/conditions-generales.md": "# CGU\n\nTexte.\n"})
    assert texts.of(again).version("terms") == version  # the same files, the same version, start after start
    html = content_app({"fr/confidentialite.html": "---\nversion: 2027-02-01\n---\n<p>Texte.</p>",
                        "en/confidentialite.html": "---\nversion: 2027-02-01\n---\n<p>Text.</p>"})
    assert texts.of(html).version("privacy") == "2027-02-01"
    assert page_of(html, "/confidentialite", "en").text_of("main .prose > p") == "Version dated 1 February 2027."


def test_a_changed_terms_file_is_accepted_again_and_recorded(new_app, tmp_path):
    """Two starts of the app on one database, the terms file changed in between: the person
    who accepted the old text is sent back to the summary, and the consent keeps the new."""
    database = f"sqlite:///{tmp_path / 'one.sqlite3'}"
    terms = tmp_path / "content" / "fr" / "conditions-generales.md"
    terms.parent.mkdir(parents=True)
    terms.write_text("# CGU\n\nPremière version.\n")
    before = new_app(CONTENT_FOLDER=str(tmp_path / "content"), SQLALCHEMY_DATABASE_URI=database)
    client = before.test_client()
    old = _accept_terms_with(client)
    terms.write_text("# CGU\n\nDeuxième version : nous gardons vos données plus longtemps.\n")
    after = create_app("test", CONTENT_FOLDER=str(tmp_path / "content"), SQLALCHEMY_DATABASE_URI=database)
    new = texts.of(after).version("terms")
    assert new != old
    client.application = after  # the same browser, the app restarted
    response = client.post("/inscription/identifiants", data=CREDENTIALS)
    assert response.headers["Location"] == "/inscription/recapitulatif"
    assert client.post("/inscription/recapitulatif", data={"accept_terms": "y"}).status_code == 303
    assert client.post("/inscription/identifiants", data=CREDENTIALS).status_code == 303
    with after.app_context():
        consent = db.session.query(Consent).filter_by(purpose="terms").one()
        assert consent.wording_version == new
        db.session.remove()


CREDENTIALS = {"email": "jean.martin@exemple.fr", "email_confirmation": "jean.martin@exemple.fr",
               "password": "Tr3s-Sûr-Bateau", "password_confirmation": "Tr3s-Sûr-Bateau"}


def _accept_terms_with(client) -> str:
    at_step(client, "recapitulatif")
    assert client.post("/inscription/recapitulatif", data={"accept_terms": "y"}).status_code == 303
    with client.application.app_context():
        return db.session.query(Journey).one().answers["summary"]["terms_version"]


@pytest.mark.parametrize(("files", "named"), [
    ({"fr/conditions-generales.md": b"\xff\xfe C\x00G\x00U\x00"}, "fr/conditions-generales.md: not UTF-8"),
    ({"fr/conditions-generales.md": "---\nversion: 2027-01-15\n# CGU\n"}, "has no closing line ---"),
    ({"fr/conditions-generales.md": "---\nauteur: moi\n---\nCGU\n"}, "only 'version: YYYY-MM-DD' is read"),
    ({"fr/conditions-generales.md": "---\nversion: v2\n---\nCGU\n"}, "version 'v2' is not a date like 2027-01-15"),
    ({"fr/conditions-generale.md": "CGU"}, "fr/conditions-generale.md: not a text Sésame reads"),
    ({"fr/conditions-generales.txt": "CGU"}, "fr/conditions-generales.txt: not a text Sésame reads"),
    ({"de/conditions-generales.md": "AGB"}, "content/de: only the language folders fr, en belong here"),
    ({"conditions-generales.md": "CGU"}, "content/conditions-generales.md: only the language folders"),
    ({"en/confidentialite.md": "Privacy"}, "confidentialite: there is no fr/confidentialite.md (or .html)"),
    ({"fr/confidentialite.md": "A", "fr/confidentialite.html": "<p>B</p>"}, "is the same text; keep one"),
    ({"fr/confidentialite.md": "<script>alert(1)</script>"}, "nothing left to show once sanitised"),
    ({"fr/conditions-generales.md": "---\nversion: 2027-01-15\n---\nCGU", "en/conditions-generales.md": "Terms"},
     "conditions-generales: every language must declare the same version (en: none, fr: 2027-01-15)"),
])
def test_a_broken_folder_stops_the_start_with_the_file_named(tmp_path, files, named):
    with pytest.raises(SettingError) as refused:
        create_app("test", CONTENT_FOLDER=folder(tmp_path / "content", files))
    assert named in str(refused.value)
    assert str(refused.value).startswith("CONTENT_FOLDER refused: ")


def test_a_content_folder_that_is_not_there_stops_the_start():
    with pytest.raises(SettingError, match="CONTENT_FOLDER='/nowhere/at/all' is not a folder"):
        create_app("test", CONTENT_FOLDER="/nowhere/at/all")


@pytest.mark.parametrize(("html", "headings"), [
    ("<h1>a</h1><h3>b</h3><h2>c</h2><h1>d</h1>", "<h2>a</h2><h3>b</h3><h3>c</h3><h2>d</h2>"),
    ("<h3>a</h3><h4>b</h4><h6>c</h6>", "<h2>a</h2><h3>b</h3><h4>c</h4>"),
    ("<h2>a</h2><h1>b</h1>", "<h2>a</h2><h2>b</h2>"),
    ("<p>none</p>", "<p>none</p>"),
])
def test_headings_start_at_h2_and_skip_no_level(html, headings):
    assert texts.renumber_headings(html) == headings


def test_a_refused_link_leaves_its_words_and_nothing_else():
    assert texts.clean('<p><abbr title="Délégué">DPO</abbr> <a title="t" href="javascript:x">a</a> '
                       '<a href="/compte">b</a> <a onclick="x">c<b>d</b></a></p>') == \
        '<p><abbr title="Délégué">DPO</abbr> a <a href="/compte" rel="noopener noreferrer">b</a> c<b>d</b></p>'
