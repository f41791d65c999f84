"""The screen reader's checks (screen_reader.py), run on every screen by test_every_screen.py
and test_sign_in_browser.py, can fail."""
from tests.browser.screen_reader import PAGE_FACTS, browser_tree


def test_a_focusable_element_hidden_from_the_tree_is_found(open_page):
    """The check above can fail: a link inside aria-hidden, and an unnamed button, are reported."""
    page = open_page(js=False)
    page.goto("/")
    page.evaluate("""document.querySelector('main').insertAdjacentHTML('beforeend',
        '<div aria-hidden="true"><a href="/">x</a></div><button></button>')""")
    assert len(page.evaluate(PAGE_FACTS)["hiddenFocusable"]) == 1
    assert [n for n in browser_tree(page) if n["role"] == "button" and not n["name"]]
