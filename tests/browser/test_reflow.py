"""At 320 CSS pixels wide (WCAG 1.4.10, a 1280 px screen zoomed to 400 %), no screen
scrolls sideways: with the app's JavaScript and without it."""
import pytest

from tests.browser.support import ALL_SCREENS, REPORT, Mode

WIDTH = 320
MODES = [Mode("fr", True, WIDTH), Mode("fr", False, WIDTH), Mode("en", True, WIDTH)]
CASES = [(mode, screen) for mode in MODES for screen in ALL_SCREENS]


@pytest.mark.parametrize(("mode", "screen"), CASES, ids=[f"{m.id}-{s}" for m, s in CASES])
def test_no_horizontal_scrolling_at_320px(walkers, mode, screen):
    page = walkers(mode).at(screen)
    assert page.evaluate("window.innerWidth") == WIDTH
    width = page.evaluate("document.documentElement.scrollWidth")
    REPORT.reflow[f"{mode.id}/{screen}"] = width
    if width > WIDTH:
        wide = page.evaluate("""w => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > w)
            .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                                  + (e.className && typeof e.className === 'string' ? '.' + e.className : ''))""",
                             WIDTH)
        pytest.fail(f"scrollWidth {width} > {WIDTH}; wider than the screen: {wide}")
