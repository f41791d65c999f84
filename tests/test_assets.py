"""Static files: hashed URLs, long cache lifetimes, compression (wizard/web/assets.py), and
compressed pages (flask-compress)."""
import gzip
import hashlib
import re
from pathlib import Path

import brotli
import pytest

STATIC = Path(__file__).resolve().parent.parent / "static"


def static_urls(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def version_of(filename: str) -> str:
    return hashlib.sha256((STATIC / filename).read_bytes()).hexdigest()[:12]


def test_pages_link_static_files_by_their_content_hash(client):
    urls = static_urls(client.get("/").get_data(as_text=True))
    assert f"/static/css/sesame.css?v={version_of('css/sesame.css')}" in urls
    assert f"/static/vendor/htmx.min.js?v={version_of('vendor/htmx.min.js')}" in urls
    assert all("?v=" in url for url in urls), urls


def test_a_hashed_url_is_cached_for_a_year_and_never_revalidated(client):
    url = next(u for u in static_urls(client.get("/").get_data(as_text=True)) if "sesame.css" in u)
    response = client.get(url)
    assert response.status_code == 200
    assert response.cache_control.public and response.cache_control.immutable
    assert response.cache_control.max_age == 31536000
    assert not response.cache_control.no_cache


@pytest.mark.parametrize("url", ["/static/vendor/altcha/altcha.min.js", "/static/css/sesame.css?v=0ld0ld0ld0ld"])
def test_an_unhashed_or_outdated_url_is_revalidated_each_time(client, url):
    """captcha.js imports the ALTCHA files by relative URLs, without a hash: they must not be
    kept as immutable, and a page from before a deployment may name an old hash."""
    response = client.get(url)
    assert response.status_code == 200
    assert response.cache_control.no_cache and not response.cache_control.immutable
    again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_the_captcha_step_still_serves_the_files_its_script_imports(client):
    client.get("/inscription/")
    page = client.get("/inscription/verification").get_data(as_text=True)
    assert f"/static/js/captcha.js?v={version_of('js/captcha.js')}" in page
    script = (STATIC / "js" / "captcha.js").read_text()
    for relative in re.findall(r'"\.\./(vendor/altcha/[^"]+)"', script):
        assert client.get(f"/static/{relative}").status_code == 200


@pytest.mark.parametrize(("accept", "encoding", "decompress"), [
    ("gzip, deflate, br, zstd", "br", brotli.decompress),
    ("gzip", "gzip", gzip.decompress),
])
def test_static_text_files_are_sent_compressed_when_accepted(client, accept, encoding, decompress):
    response = client.get("/static/vendor/htmx.min.js", headers={"Accept-Encoding": accept})
    assert response.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response.headers["Vary"]
    assert decompress(response.data) == (STATIC / "vendor" / "htmx.min.js").read_bytes()


def test_static_files_are_sent_as_they_are_without_accept_encoding(client):
    response = client.get("/static/css/sesame.css")
    assert "Content-Encoding" not in response.headers
    assert response.data == (STATIC / "css" / "sesame.css").read_bytes()


@pytest.mark.parametrize("url", ["/static/nothing-here.css", "/static/../app.py", "/static/%2e%2e/app.py"])
def test_only_files_inside_the_static_folder_are_served(client, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(("accept", "encoding", "decompress"), [
    ("gzip, deflate, br, zstd", "br", brotli.decompress),
    ("gzip", "gzip", gzip.decompress),
])
def test_pages_are_sent_compressed_when_accepted(client, accept, encoding, decompress):
    client.get("/inscription/")
    response = client.get("/inscription/verification", headers={"Accept-Encoding": accept})
    assert response.headers["Content-Encoding"] == encoding
    assert {"Accept-Encoding", "HX-Request"} <= {v.strip() for v in response.headers["Vary"].split(",")}
    assert "<h1" in decompress(response.data).decode()


def test_pages_are_sent_as_they_are_without_accept_encoding(client_request):
    page = client_request.get("/")
    assert "Content-Encoding" not in page.response.headers


def test_static_files_carry_a_policy_that_allows_nothing(client):
    """The ALTCHA worker runs under its own response's policy: it needs no request."""
    response = client.get("/static/vendor/altcha/pbkdf2.js")
    assert response.headers["Content-Security-Policy"] == "default-src 'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_an_edited_file_gets_a_new_version_when_watched_only(tmp_path):
    """Debug (`watch`) looks at the file again at each URL; a deployment's folder is read once."""
    from wizard.web.assets import StaticFiles
    (tmp_path / "a.css").write_text("a {}")
    watched, deployed = StaticFiles(str(tmp_path)), StaticFiles(str(tmp_path), watch=False)
    before = watched.find("a.css").version
    assert deployed.find("a.css").version == before
    (tmp_path / "a.css").write_text("a { color: red }")
    assert watched.find("a.css").version != before
    assert deployed.find("a.css").version == before
    assert deployed.find("missing.css") is None and deployed.find("../a.css") is None
