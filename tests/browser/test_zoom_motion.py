"""Text zoomed to 200 % (WCAG 1.4.4): nothing cut off, nothing scrolls sideways; and the
wish for less motion (prefers-reduced-motion) is honoured."""
import pytest

PAGES = ["/", "/inscription/verification", "/code", "/connexion", "/mot-de-passe-oublie", "/accessibilite",
         "/borne?kiosque=agence-test"]

CLIPPED = """() => [...document.querySelectorAll('body *')].filter(e => {
    if (e.closest('.visually-hidden, [hidden], dialog:not([open])')) return false;
    const style = getComputedStyle(e);
    const clips = ['hidden', 'clip'].includes(style.overflowX) || ['hidden', 'clip'].includes(style.overflowY);
    return clips && (e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1);
  }).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : ''))"""


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_text_at_200_percent_is_not_cut_off(open_page, path, js):
    page = open_page(js=js, viewport={"width": 1280, "height": 800})
    page.goto(path)
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert page.evaluate(CLIPPED) == []


@pytest.mark.parametrize("path", ["/", "/inscription/verification"])
def test_less_motion_when_asked(open_page, path):
    page = open_page(reduced_motion="reduce")
    page.goto(path)
    durations = page.evaluate("""() => [...document.querySelectorAll('*')].flatMap(e => {
        const s = getComputedStyle(e);
        return [s.transitionDuration, s.animationDuration].flatMap(d => d.split(',')).map(parseFloat);
      })""")
    assert max(durations) <= 0.001
    assert page.evaluate("getComputedStyle(document.documentElement).scrollBehavior") == "auto"
