"""Every screen of the walks, in French and in English, with the app's JavaScript (HTMX swaps)
and without it: axe-core finds no WCAG 2.2 A/AA violation nor any of its best practices, and
a screen reader is given what it needs (screen_reader.py: one h1, headings without gaps,
every control named, every error linked to its field, nothing focusable hidden, dialogs named
and modal, a skip link; the grid's statuses that depend on what the screen holds). One walk
serves both. The signup's screens (support.SCREENS), the kiosk's pages (KIOSK_SCREENS), what
FranceConnect adds, with FranceConnect configured (FRANCECONNECT_SCREENS), then signing in,
Mon compte and the forgotten password (SIGN_IN_SCREENS)."""
import pytest

from tests.browser.screen_reader import check_what_a_screen_reader_reads
from tests.browser.support import (
    EN_JS,
    EN_NO_JS,
    FR_JS,
    FR_NO_JS,
    REPORT,
    axe_violations,
    walk_cases,
)

MODES = (FR_JS, FR_NO_JS, EN_JS, EN_NO_JS)
CASES = walk_cases(MODES)


@pytest.mark.parametrize(("mode", "walker", "screen"), CASES, ids=[f"{m.id}-{s}" for m, _, s in CASES])
def test_axe_and_the_accessibility_tree(walkers, walk_settings, mode, walker, screen):
    page = walkers(mode, walker).at(screen)
    assert page.evaluate("typeof window.htmx") == ("object" if mode.js else "undefined")
    violations = axe_violations(page)
    REPORT.axe[f"{mode.id}/{screen}"] = [v["id"] for v in violations]
    assert violations == []
    check_what_a_screen_reader_reads(page, screen, mode)
