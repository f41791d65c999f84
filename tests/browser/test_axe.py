"""axe-core finds no WCAG 2.2 A/AA violation, nor any of its best practices, on any screen:
in French and in English, with the app's JavaScript (HTMX swaps) and without it. The
signup's screens (support.SCREENS), the kiosk's pages (support.KIOSK_SCREENS), then what
FranceConnect adds, with FranceConnect configured (support.FRANCECONNECT_SCREENS)."""
import pytest

from tests.browser.support import (
    ALL_FRANCECONNECT_SCREENS,
    ALL_KIOSK_SCREENS,
    ALL_SCREENS,
    EN_JS,
    EN_NO_JS,
    FR_JS,
    FR_NO_JS,
    REPORT,
    FranceConnectWalker,
    KioskWalker,
    Walker,
    axe_violations,
)

MODES = (FR_JS, FR_NO_JS, EN_JS, EN_NO_JS)
CASES = [(mode, Walker, screen) for mode in MODES for screen in ALL_SCREENS] \
    + [(mode, KioskWalker, screen) for mode in MODES for screen in ALL_KIOSK_SCREENS] \
    + [(mode, FranceConnectWalker, screen) for mode in MODES for screen in ALL_FRANCECONNECT_SCREENS]


@pytest.mark.parametrize(("mode", "walker", "screen"), CASES, ids=[f"{m.id}-{s}" for m, _, s in CASES])
def test_no_axe_violation(walkers, walk_settings, mode, walker, screen):
    page = walkers(mode, walker).at(screen)
    assert page.evaluate("typeof window.htmx") == ("object" if mode.js else "undefined")
    violations = axe_violations(page)
    REPORT.axe[f"{mode.id}/{screen}"] = [v["id"] for v in violations]
    assert violations == []


def test_axe_does_find_a_defect(open_page):
    """The check above can fail: an input without a label, added to a page, is reported."""
    page = open_page(js=False)
    page.goto("/")
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<input type=text>')")
    assert "label" in [violation["id"] for violation in axe_violations(page)]
