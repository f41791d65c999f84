"""axe-core, run on every screen by test_every_screen.py, can fail."""
from tests.browser.support import axe_violations


def test_axe_does_find_a_defect(open_page):
    """The check above can fail: an input without a label, added to a page, is reported."""
    page = open_page(js=False)
    page.goto("/")
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<input type=text>')")
    assert "label" in [violation["id"] for violation in axe_violations(page)]
