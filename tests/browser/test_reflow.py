"""At 320 CSS pixels wide (WCAG 1.4.10, a 1280 px screen zoomed to 400 %), no screen
scrolls sideways: with the app's JavaScript and without it; the signup's screens, the
kiosk's pages and FranceConnect's (its button, a failure, the identity it fills in). Each
screen is measured on the walk test_every_screen.py takes (conftest.py runs the two files' tests of
one screen together), the window narrowed to 320 px, then widened back for the rest of the
walk."""
import pytest

from tests.browser.support import (
    REPORT,
    Mode,
    walk_cases,
)

WIDTH = 320
MODES = [Mode("fr", True, WIDTH), Mode("fr", False, WIDTH), Mode("en", True, WIDTH)]
CASES = walk_cases(MODES)


@pytest.mark.parametrize(("mode", "walker", "screen"), CASES, ids=[f"{m.id}-{s}" for m, _, s in CASES])
def test_no_horizontal_scrolling_at_320px(walkers, walk_settings, mode, walker, screen):
    page = walkers(mode, walker).at(screen)  # the walk test_every_screen.py takes, at its full width
    viewport = page.viewport_size
    page.set_viewport_size({"width": WIDTH, "height": 640})
    try:
        assert page.evaluate("window.innerWidth") == WIDTH
        width = page.evaluate("document.documentElement.scrollWidth")
        REPORT.reflow[f"{mode.id}/{screen}"] = width
        if width > WIDTH:
            report_too_wide(page, width)
    finally:
        page.set_viewport_size(viewport)


def report_too_wide(page, width):
    wide = page.evaluate("""w => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > w)
        .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                              + (e.className && typeof e.className === 'string' ? '.' + e.className : ''))""",
                         WIDTH)
    pytest.fail(f"scrollWidth {width} > {WIDTH}; wider than the screen: {wide}")
