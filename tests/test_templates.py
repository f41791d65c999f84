"""Rules for the templates, read as text: one way to write a form, HTMX set up once.

What the pages do with these (what is swapped, focused, announced) is checked in the
browser (tests/browser/test_htmx.py) and on every screen the view tests fetch
(tests/conftest.py::check_page)."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
FORMS = TEMPLATES / "components" / "forms.html"
# A request HTMX makes by itself, which no link or form could: these poll, or check as
# the person types. Links and forms are boosted by the frame instead.
OWN_REQUESTS = {"eligibility/_status.html", "kiosk/_code.html", "kiosk/_handoff_status.html",
                "components/forms.html"}


def pages():
    """Every template a browser receives (the emails are not pages)."""
    return {path.relative_to(TEMPLATES).as_posix(): path.read_text(encoding="utf-8")
            for path in TEMPLATES.rglob("*.html") if path.parent.name != "mail"}


def tag_around(text: str, position: int) -> str:
    """The whole start tag that holds `position`, Jinja expressions inside it included."""
    start = text.rindex("<", 0, position)
    depth, index = 0, start
    while True:
        pair = text[index:index + 2]
        if pair in ("{{", "{%"):
            depth, index = depth + 1, index + 2
        elif pair in ("}}", "%}"):
            depth, index = depth - 1, index + 2
        elif text[index] == ">" and depth == 0:
            return text[start:index + 1]
        else:
            index += 1


def test_every_form_is_written_by_the_form_macro():
    """form_wrapper writes action, method, novalidate and the CSRF token; no template
    writes its own form, nor its own CSRF input."""
    for name, text in pages().items():
        if name != "components/forms.html":
            assert "<form" not in text, f"{name}: use form_wrapper (components/forms.html)"
            assert "csrf_token" not in text, f"{name}: the CSRF token is written by form_wrapper"
    macro = FORMS.read_text(encoding="utf-8")
    assert macro.count("<form") == 1 and macro.count("csrf_token()") == 1


def test_htmx_is_set_up_once_on_the_frame():
    texts = pages()
    boosted = [name for name, text in texts.items() if 'data-hx-boost="true"' in text]
    assert boosted == ["wizard/_page.html"]
    frame = tag_around(texts["wizard/_page.html"], texts["wizard/_page.html"].index('data-hx-boost="true"'))
    assert 'id="wizard-step"' in frame and 'data-hx-target="this"' in frame and 'data-hx-swap="outerHTML"' in frame


def test_no_link_or_form_repeats_its_address_for_htmx():
    """An address is written once, in href or action; an HTMX request of its own is kept
    for what polls or checks as the person types (and says its trigger)."""
    for name, text in pages().items():
        for found in re.finditer(r"data-hx-(get|post|put|patch|delete)=", text):
            tag = tag_around(text, found.start())
            assert name in OWN_REQUESTS, f"{name}: {tag}"
            assert not tag.startswith(("<a ", "<form")), f"{name}: {tag}"
            assert "data-hx-trigger=" in tag, f"{name}: {tag}"
