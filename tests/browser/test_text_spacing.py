"""Text spacing (WCAG 1.4.12, RGAA 10.12): with the spacing a reader's own style sheet may
set (line height 1.5, paragraphs 2em apart, letters .12em, words .16em), nothing on any
screen of the walk is cut off, spills out of its box, or scrolls sideways. Measured on the
walk test_every_screen.py takes (French, with and without the app's JavaScript), the style sheet
added for the measure and removed after it."""
import pytest

from tests.browser.support import ALL_KIOSK_SCREENS, ALL_SCREENS, FR_JS, FR_NO_JS, KioskWalker, Walker

MODES = (FR_JS, FR_NO_JS)
CASES = [(mode, Walker, screen) for mode in MODES for screen in ALL_SCREENS] \
    + [(mode, KioskWalker, screen) for mode in MODES for screen in ALL_KIOSK_SCREENS]
SPACING = """* { line-height: 1.5 !important; letter-spacing: .12em !important; word-spacing: .16em !important; }
p { margin-bottom: 2em !important; }"""
# Boxes whose text no longer fits: cut off (overflow hidden or clip), or spilling out of a
# control or a box of fixed size (its text would overlap what is next to it).
SPILLED = """() => [...document.querySelectorAll('body *')].filter(e => {
    if (!e.checkVisibility()) return false;
    if (e.closest('.visually-hidden, [hidden], dialog:not([open]), altcha-widget')) return false;
    const style = getComputedStyle(e);
    const clips = ['hidden', 'clip'].includes(style.overflowX) || ['hidden', 'clip'].includes(style.overflowY);
    const control = e.matches('button, input, select, textarea, .button, label, a');
    const wide = e.scrollWidth > e.clientWidth + 1, tall = e.scrollHeight > e.clientHeight + 1;
    return (clips || control) && e.clientWidth > 0 && (wide || (clips && tall));
  }).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : '')
              + ' ' + e.scrollWidth + 'x' + e.scrollHeight + ' in ' + e.clientWidth + 'x' + e.clientHeight)"""


@pytest.mark.parametrize(("mode", "walker", "screen"), CASES, ids=[f"{m.id}-{s}" for m, _, s in CASES])
def test_text_spacing_loses_nothing(walkers, mode, walker, screen):
    page = walkers(mode, walker).at(screen)
    style = page.add_style_tag(content=SPACING)
    try:
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert page.evaluate(SPILLED) == []
    finally:
        style.evaluate("element => element.remove()")


def test_the_measure_finds_text_cut_off(open_page):
    """The check above can fail: a button too narrow for its words, spaced out, is found."""
    page = open_page(js=False)
    page.goto("/")
    page.evaluate("""document.querySelector('main').insertAdjacentHTML('beforeend',
        '<button style="width: 4em; white-space: nowrap; overflow: hidden">Continuer</button>')""")
    page.add_style_tag(content=SPACING)
    assert [found for found in page.evaluate(SPILLED) if found.startswith("button")]
