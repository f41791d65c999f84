"""The operator's texts in a real browser: a hostile CONTENT_FOLDER runs nothing, and the
pages it fills stay axe-clean, reflow at 320 px and are valid HTML (Nu checker), in French
and in English (which falls back to French where the operator gave no English)."""
import os
import shutil
import threading

import pytest
from conftest import unavailable  # tests/conftest.py, as the other test modules import it
from werkzeug.serving import make_server

from app import create_app
from tests.browser import support
from tests.views.test_content import HOSTILE_HTML, HOSTILE_MD, folder

HELP = "## Chez nous\n\nNos e-mails partent de **@mutuelle.fr**. <a href=\"#\" onclick=\"alert(1)\">Aide</a>\n"
PATHS = ("/conditions-generales", "/confidentialite", "/accessibilite", "/inscription/email-non-recu")
SHOTS = os.environ.get("CONTENT_SHOTS")  # a folder: each page photographed at 320 px, to look at
ACCESSIBILITY = ("# Déclaration\n\n## Dérogations\n\n- Les relevés PDF avant 2024.\n\n"
                 "## Contact\n\n[accessibilite@mutuelle.fr](mailto:accessibilite@mutuelle.fr)\n")


@pytest.fixture(scope="module")
def content_app(tmp_path_factory):
    root = tmp_path_factory.mktemp("content")
    return create_app("test", CONTENT_FOLDER=folder(root, {
        "fr/conditions-generales.md": HOSTILE_MD, "fr/confidentialite.html": HOSTILE_HTML,
        "en/confidentialite.html": HOSTILE_HTML.replace("Vie privée", "Privacy"),
        "fr/accessibilite.md": ACCESSIBILITY, "fr/aide-email-non-recu.md": HELP}))


@pytest.fixture(scope="module")
def content_url(content_app):
    server = make_server("127.0.0.1", 0, content_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


def test_the_pages_are_valid_html(content_app, tmp_path):
    if not shutil.which("java") or not support.VNU_JAR.is_file():
        unavailable("java or node_modules' vnu.jar not found (see test_html_validity.py)")
    files = []
    for lang in ("fr", "en"):
        client = content_app.test_client()
        client.post("/langue", data={"lang": lang})
        for path in PATHS:
            response = client.get(path)
            assert response.status_code == 200
            files.append(tmp_path / f"{lang}{path.replace('/', '-')}.html")
            files[-1].write_bytes(response.data)
    messages, _ = support.nu_checker_messages(files)
    assert messages == []


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_hostile_texts_run_nothing_and_stay_axe_clean(browser, browser_context_args, content_url, lang):
    context = support.new_context(browser, {**browser_context_args, "base_url": content_url,
                                            "locale": {"fr": "fr-FR", "en": "en-GB"}[lang]})
    page = context.new_page()
    dialogs, errors = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        for path in PATHS:
            page.goto(path)
            assert page.locator("html").get_attribute("lang") == lang
            assert page.locator("h1").count() == 1
            text = page.locator(".operator-text")
            assert text.count() == 1, path
            if lang == "en" and path != "/confidentialite":  # no English file: the French one, said so
                assert text.get_attribute("lang") == "fr"
            assert page.locator(".operator-text a:not([href])").count() == 0  # a refused link is only words
            page.locator(".operator-text abbr, .operator-text p").evaluate_all("all => all.forEach(e => e.click())")
            assert page.locator(".operator-text").evaluate(
                "text => [...text.querySelectorAll('*')].flatMap(e => [...e.attributes].map(a => a.name))"
                ".filter(name => name.startsWith('on') || name === 'style' || name === 'src')") == []
            violations = support.axe_violations(page)
            support.REPORT.axe[f"content-{lang}{path}"] = [v["id"] for v in violations]
            assert violations == [], path
            page.set_viewport_size({"width": 320, "height": 640})  # reflow: nothing scrolls sideways
            assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
            if SHOTS:
                page.screenshot(path=f"{SHOTS}/{lang}{path.replace('/', '-')}.png", full_page=True)
            page.set_viewport_size({"width": 1280, "height": 800})
        assert dialogs == [] and errors == []
    finally:
        context.close()
