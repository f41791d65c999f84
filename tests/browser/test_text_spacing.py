"""Text spacing (WCAG 1.4.12, RGAA 10.12): with the spacing a reader's own style sheet may
set (line height 1.5, paragraphs 2em apart, letters .12em, words .16em), nothing on any
screen of the walks is cut off, spills out of its box, or scrolls sideways. Measured on the
walk test_every_screen.py takes (French, with and without the app's JavaScript), the style sheet
added for the measure and removed after it; the sign-in walk (test_sign_in_browser.py) measures
its screens the same way."""
import pytest

from tests.browser.support import (
    FR_JS,
    FR_NO_JS,
    spaced_out,
    walk_cases,
)

MODES = (FR_JS, FR_NO_JS)
CASES = walk_cases(MODES)


@pytest.mark.parametrize(("mode", "walker", "screen"), CASES, ids=[f"{m.id}-{s}" for m, _, s in CASES])
def test_text_spacing_loses_nothing(walkers, walk_settings, mode, walker, screen):
    assert spaced_out(walkers(mode, walker).at(screen)) == []


def test_the_measure_finds_text_cut_off(open_page):
    """The check above can fail: a button too narrow for its words, spaced out, is found."""
    page = open_page(js=False)
    page.goto("/")
    page.evaluate("""document.querySelector('main').insertAdjacentHTML('beforeend',
        '<button style="width: 4em; white-space: nowrap; overflow: hidden">Continuer</button>')""")
    assert [found for found in spaced_out(page) if found.startswith("button")]
