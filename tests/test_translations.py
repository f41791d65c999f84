"""English translations: every French string of the current source has one, with the same
placeholders, and an English reader gets English pages.

When a test here fails on a missing string, follow TRANSLATING.md: extract, update,
translate, compile.
"""
import os
import re
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from conftest import Page, current_captcha_code

from app import create_app
from wizard.config import configs
from wizard.extensions import db

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
ENGLISH_PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"

# The same command as in TRANSLATING.md: keep the two in step.
EXTRACT = ["extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l", "-k", "lazy_gettext",
           "--ignore-dirs", ".* ._ node_modules"]

# A printf conversion as Python's % operator reads it; "%%" is a literal percent sign.
PLACEHOLDER = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<type>[diouxXeEfFgGcrsa%]|$)"
)


@pytest.fixture(scope="module")
def source_catalog(tmp_path_factory):
    """What `pybabel extract` finds in the source today (about 0.2 s, in this process)."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    CommandLineInterface().run(["pybabel", "-q", *EXTRACT, "-o", str(pot), str(ROOT)])
    with pot.open("rb") as file:
        catalog = read_po(file)
    assert len([m for m in catalog if m.id]) > 100, "extraction found almost nothing: check babel.cfg"
    return catalog


@pytest.fixture(scope="module")
def english():
    with ENGLISH_PO.open("rb") as file:
        return read_po(file, locale="en")


def forms(value) -> tuple[str, ...]:
    """msgid or msgstr as a tuple: singular and plural forms for ngettext."""
    return value if isinstance(value, tuple) else (value,)


def placeholders(text: str) -> tuple:
    """Named placeholders as a set (order may change in translation), positional ones in order."""
    found = [(m["name"], m["type"]) for m in PLACEHOLDER.finditer(text) if m["type"] != "%"]
    named = frozenset(item for item in found if item[0] is not None)
    positional = tuple(kind for name, kind in found if name is None)
    return named, positional


def test_every_source_string_has_an_english_translation(source_catalog, english):
    problems = []
    for message in source_catalog:
        if not message.id:
            continue
        key = forms(message.id)[0]
        where = ", ".join(f"{os.path.relpath(path, ROOT)}:{line}" for path, line in message.locations)
        translated = english.get(message.id)
        if translated is None or translated.id != message.id:
            # `.get` finds a message by its singular only: a new plural counts as missing too.
            problems.append(f"missing: {key!r} ({where})")
        elif translated.fuzzy:
            problems.append(f"fuzzy (check, then remove the flag): {key!r} ({where})")
        elif not all(forms(translated.string)) or len(forms(translated.string)) != len(forms(message.id)):
            problems.append(f"not translated: {key!r} ({where})")
    assert not problems, (
        f"{len(problems)} string(s) of the source lack an English translation in "
        f"{ENGLISH_PO.relative_to(ROOT)}; run the steps in TRANSLATING.md:\n  " + "\n  ".join(problems)
    )


def test_translations_keep_the_placeholders_of_the_french(english):
    problems = []
    for message in english:
        if not message.id or not message.string:
            continue
        ids, strings = forms(message.id), forms(message.string)
        for index, string in enumerate(strings):
            if not string:
                continue
            # msgstr[0] follows the singular msgid, every other form the plural one.
            source = ids[min(index, len(ids) - 1)]
            if placeholders(string) != placeholders(source):
                problems.append(f"{source!r}\n    -> {string!r}")
    assert not problems, "placeholders differ from the French:\n  " + "\n  ".join(problems)


def test_the_placeholder_reader_sees_what_python_sees():
    assert placeholders("Étape %(number)s sur %(total)s") == placeholders("Step %(total)s: %(number)s")
    assert placeholders("Étape %(number)s") != placeholders("Step %(numbr)s")
    assert placeholders("100 %% sûr") == placeholders("100%% sure")
    assert placeholders("Sans rien") != placeholders("100% sure")  # "% s" is a conversion
    assert placeholders("Sans rien") != placeholders("Ends with %")


# --- English pages ---------------------------------------------------------------------

@pytest.fixture
def english_app(tmp_path):
    """The app on in-memory SQLite, reading a catalog compiled from the .po as it is now,
    so that a stale or missing .mo on this machine cannot hide a broken translation.

    Requests run outside any app context of the test's own: Flask would otherwise reuse that
    context, and its `g`, where Flask-Babel keeps the locale of the first request."""
    compiled = tmp_path / "translations"
    (compiled / "en" / "LC_MESSAGES").mkdir(parents=True)
    with ENGLISH_PO.open("rb") as po, (compiled / "en" / "LC_MESSAGES" / "messages.mo").open("wb") as mo:
        write_mo(mo, read_po(po, locale="en"))
    app = create_app("test", BABEL_TRANSLATION_DIRECTORIES=str(compiled))
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()


@pytest.fixture
def english_client(english_app):
    return english_app.test_client()


def get(client, url, language):
    response = client.get(url, headers={"Accept-Language": language})
    assert response.status_code == 200, response.status_code
    return Page(response.get_data(as_text=True), "html.parser")


def test_the_app_reads_the_translations_directory_that_holds_the_catalog():
    assert Path(configs["production"].BABEL_TRANSLATION_DIRECTORIES) == TRANSLATIONS


def test_a_browser_asking_for_english_gets_english(english_client):
    page = get(english_client, "/", "en-GB,en;q=0.9")
    assert page.text_of("h1") == "Create your health account"
    assert page.select_one("html")["lang"] == "en"
    assert "Créer votre compte santé" not in str(page)

    assert get(english_client, "/", "fr-FR,fr;q=0.9").text_of("h1") == "Créer votre compte santé"


def test_the_language_switch_is_kept_in_the_session(english_client):
    assert get(english_client, "/", "fr").text_of("h1") == "Créer votre compte santé"

    response = english_client.post("/langue", data={"lang": "en", "next": "/conditions-generales"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/conditions-generales"
    # The choice wins over the browser's French, page after page.
    assert get(english_client, "/conditions-generales", "fr").text_of("h1") == "Terms of use"
    assert get(english_client, "/", "fr").text_of("h1") == "Create your health account"

    english_client.post("/langue", data={"lang": "fr", "next": "/"})
    assert get(english_client, "/", "en").text_of("h1") == "Créer votre compte santé"


def test_form_labels_and_errors_from_python_are_english_too(english_app, english_client):
    """Lazy strings of wizard/web/forms.py and wizard/signup/steps.py, and the plural of the error summary."""
    english_client.post("/langue", data={"lang": "en", "next": "/"})
    english_client.get("/inscription/verification")
    code = current_captcha_code(english_client)
    assert english_client.post("/inscription/verification", data={"code": code}).status_code == 303
    response = english_client.post("/inscription/identite", data={})
    page = Page(response.get_data(as_text=True), "html.parser")
    assert "Your identity" in page.text_of("h1")
    assert page.text_of("h1").startswith("Step 2 of ")
    assert page.text_of("#error-summary-title") == "There are 4 problems to fix"
    assert "Enter your last name" in page.errors()
    assert page.text_of("label[for=last_name]") == "Last name"
