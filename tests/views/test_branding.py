"""The operator's look: colours checked at start-up, the theme, the logo and the favicon."""
import pytest

from app import create_app
from tests.conftest import Page
from wizard.branding.theme import Theme, contrast, too_faint
from wizard.config import SettingError

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>'


def test_contrast_ratios_are_wcags():
    assert contrast("#ffffff", "#000000") == pytest.approx(21)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the lightest grey that passes
    assert contrast("#1d4ed8", "#1d4ed8") == 1
    assert too_faint(Theme()) == []


@pytest.mark.parametrize(("settings", "named"), [
    ({"BRAND_PRIMARY": "#60a5fa"}, "white text on BRAND_PRIMARY (header, buttons): 2.54:1, needs 4.5:1"),
    ({"BRAND_PRIMARY_DARK": "#93c5fd"}, "white text on BRAND_PRIMARY_DARK"),
    ({"BRAND_FOCUS": "#1e40af"}, "BRAND_FOCUS ring around a link of the header (BRAND_PRIMARY)"),
    ({"BRAND_PRIMARY": "bleu"}, "'bleu' is not a colour like #1d4ed8"),
    ({"BRAND_FOLDER": "/nowhere/at/all"}, "BRAND_FOLDER='/nowhere/at/all' is not a folder"),
])
def test_a_theme_that_fails_wcag_aa_stops_the_start_with_the_pair_named(settings, named):
    with pytest.raises(SettingError) as refused:
        create_app("test", **settings)
    assert named in str(refused.value)


def test_the_theme_carries_the_operators_colours():
    app = create_app("test", BRAND_PRIMARY="#00594f", BRAND_PRIMARY_DARK="#003c35")  # a dark green: passes
    client = app.test_client()
    page = Page(client.get("/").get_data(as_text=True), "html.parser")
    theme_url = page.select_one("link[rel=stylesheet][href^='/theme.css']")["href"]
    response = client.get(theme_url)
    assert response.mimetype == "text/css" and "--brand:#00594f" in response.get_data(as_text=True)
    assert "--brand-dark:#003c35" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert client.get("/theme.css").headers["Cache-Control"] == "no-cache"  # no version: revalidate


def test_the_logo_and_favicon_come_from_the_brand_folder(tmp_path):
    (tmp_path / "logo.svg").write_bytes(SVG)
    (tmp_path / "favicon.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 16)
    (tmp_path / "secret.txt").write_text("not for the web")
    app = create_app("test", BRAND_FOLDER=str(tmp_path), INSURER_NAME="Mutuelle Verte")
    client = app.test_client()
    page = Page(client.get("/").get_data(as_text=True), "html.parser")
    logo = page.select_one(".service-name img.brand-logo")
    assert logo["alt"] == "Mutuelle Verte" and logo["src"].startswith("/marque/logo.svg?v=")
    assert page.select_one(".service-name").get_text(" ", strip=True) == "Sésame"
    assert page.text_of("title").endswith("— Sésame — Mutuelle Verte")
    favicon = page.select_one("link[rel=icon]")["href"]
    assert favicon.startswith("/marque/favicon.png?v=")
    assert client.get(logo["src"]).get_data() == SVG
    assert client.get(favicon).headers["Cache-Control"] == "public, max-age=31536000, immutable"
    for other in ("/marque/secret.txt", "/marque/../app.py", "/marque/%2e%2e/app.py", "/marque/logo.png"):
        assert client.get(other).status_code == 404


def test_without_a_brand_folder_sesames_own_look():
    client = create_app("test").test_client()
    page = Page(client.get("/").get_data(as_text=True), "html.parser")
    assert page.select_one(".brand-logo") is None
    assert page.select_one("link[rel=icon]")["href"].startswith("/static/favicon.svg?v=")
    assert client.get("/marque/logo.svg").status_code == 404
