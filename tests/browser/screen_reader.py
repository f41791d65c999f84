"""What a screen reader is given to read on the screen a page shows: the browser's own
accessibility tree (Chromium's, through the DevTools protocol) and the page it is computed
from, checked against the RGAA grid's statuses for that screen (wizard/data/rgaa.toml).
Used by test_every_screen.py's walks and by the sign-in walk (test_sign_in_browser.py).

The tree of each screen (Playwright's aria snapshot, in French with JavaScript) is kept in
tests/browser/aria/<screen>.yml and compared on each run; what changes from walk to walk
(codes, addresses, times, step numbers) is masked. After a wanted change, regenerate them with
UPDATE_ARIA_SNAPSHOTS=1 and review the diff.
"""
import difflib
import os
import re
from pathlib import Path

import pytest

from tests.browser.support import FR_JS, Mode, contrast
from wizard.pages import rgaa

SNAPSHOTS = Path(__file__).resolve().parent / "aria"
UPDATE = os.environ.get("UPDATE_ARIA_SNAPSHOTS") == "1"
NAMED_ROLES = {"button", "checkbox", "combobox", "link", "radio", "searchbox", "spinbutton", "textbox", "dialog",
               "alertdialog", "radiogroup", "img", "switch", "slider", "listbox"}
FIELD_ROLES = {"checkbox", "combobox", "radio", "searchbox", "spinbutton", "textbox", "listbox", "switch"}

# What the page says of itself, from the DOM (the tree is checked below, from Chromium's).
PAGE_FACTS = """() => {
  const shown = e => e.checkVisibility() && !e.closest('[aria-hidden=true], [hidden], .visually-hidden:not(:focus)');
  // In the tab order (tabindex=-1 takes an element out of it, as axe's aria-hidden-focus allows).
  const focusable = ['a[href]', 'button:not([disabled])', 'input:not([type=hidden]):not([disabled])', 'select',
                     'textarea', '[tabindex]', '[contenteditable=true]']
                    .map(s => s + ':not([tabindex="-1"])').join(', ');
  const ids = value => (value || '').split(/\\s+/).filter(Boolean);
  const errors = [...document.querySelectorAll('.error-message[id]')];
  const invalid = [...document.querySelectorAll('[aria-invalid=true]')];
  const describedBy = e => [e, e.closest('fieldset')].filter(Boolean)
      .flatMap(x => ids(x.getAttribute('aria-describedby')));
  const first = [...document.querySelectorAll(focusable)][0];
  return {
    title: document.title,
    headings: [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].filter(h => h.checkVisibility()
        && !h.closest('[aria-hidden=true], dialog:not([open])'))
        .map(h => [+h.tagName[1], h.textContent.trim(), !!h.closest('#error-summary')]),
    hiddenFocusable: [...document.querySelectorAll('[aria-hidden=true]')].flatMap(e =>
        [...(e.matches(focusable) ? [e] : []), ...e.querySelectorAll(focusable)]).map(e => e.outerHTML.slice(0, 80)),
    errorsNotLinked: errors.filter(m => !invalid.some(f => describedBy(f).includes(m.id))).map(m => m.id),
    invalidWithoutError: invalid.filter(f => !describedBy(f).some(id =>
        document.getElementById(id)?.classList.contains('error-message'))).map(f => f.id || f.outerHTML.slice(0, 60)),
    errorCount: errors.length,
    // A group of fields without its legend (11.6); a <details> is a group too, named by nobody.
    unnamedGroups: [...document.querySelectorAll('fieldset, [role=group]')].filter(g => !(
        g.querySelector(':scope > legend')?.textContent.trim() || g.getAttribute('aria-label')
        || ids(g.getAttribute('aria-labelledby')).some(id => document.getElementById(id)?.textContent.trim())))
        .map(g => g.outerHTML.slice(0, 80)),
    dialogs: [...document.querySelectorAll('dialog, [role=dialog], [role=alertdialog]')].map(d => ({
        id: d.id, open: d.open ?? shown(d), modal: d.matches(':modal'),
        name: ids(d.getAttribute('aria-labelledby')).map(id => document.getElementById(id)?.textContent.trim() || '')
              .join(' ') || d.getAttribute('aria-label') || ''})),
    skipLink: first && first.matches('a[href^="#"]') && !!document.querySelector(first.getAttribute('href'))
        ? first.textContent.trim() : null,
    captchaImage: document.querySelector('img.spoken-code-image')?.getAttribute('alt') ?? null,
    frames: document.querySelectorAll('iframe, frame').length,
    tables: document.querySelectorAll('table, [role=table], [role=grid]').length,
    media: document.querySelectorAll('audio, video, object, embed').length,
    // Text fields' borders, and the colour behind them (3.3: a field is seen by its border).
    borders: [...document.querySelectorAll('input:not([type=hidden]):not([type=checkbox]):not([type=radio]), textarea')]
        .filter(e => e.checkVisibility() && !e.closest('altcha-widget')).map(e => {
          let up = e.parentElement, behind = 'rgb(255, 255, 255)';
          for (; up; up = up.parentElement) {
            const c = getComputedStyle(up).backgroundColor;
            if (c !== 'transparent' && !c.endsWith(', 0)')) { behind = c; break; }
          }
          return [e.id, getComputedStyle(e).borderTopColor, behind];
        }),
    landmarks: ['header', 'main', 'footer'].filter(tag => document.querySelectorAll(tag).length === 1),
  };
}"""

def browser_tree(page) -> list[dict]:
    """Chromium's accessibility tree, as a screen reader gets it: the nodes not ignored."""
    session = page.context.new_cdp_session(page)
    try:
        nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        session.detach()
    return [{"role": node.get("role", {}).get("value"), "name": (node.get("name") or {}).get("value", ""),
             "properties": {p["name"]: p["value"].get("value") for p in node.get("properties", [])}}
            for node in nodes if not node.get("ignored")]


def masked(snapshot: str) -> str:
    """The snapshot without what changes from one walk to the next."""
    snapshot = re.sub(r"[\w.+•-]+@exemple\.fr", "<email>", snapshot)  # masked ones too
    snapshot = re.sub(r"[A-Za-z0-9_.-]{24,}", "<token>", snapshot)
    snapshot = re.sub(r"\b\d{1,2}[:h]\d{2}\b", "<time>", snapshot)
    snapshot = re.sub(r"\b[A-Z0-9]{3} ?[A-Z0-9]{3}\b(?=[^a-z]|$)", lambda m: "<code>" if re.search(r"\d", m[0])
                      else m[0], snapshot)
    snapshot = re.sub(r"(?<!\S)(?:[A-Z0-9] ){3,}[A-Z0-9](?!\S)", "<code>", snapshot)  # a code spelt out
    snapshot = re.sub(r"(?<![\w-])(?<!level=)\d+(?:[ .,]\d+)*(?![\w-])", "<n>", snapshot)
    snapshot = re.sub(r"(?<=<n> )(?:janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre"
                      r"|décembre|January|February|March|April|May|June|July|August|September|October|November"
                      r"|December)\b|(?<=<n> )(?:janv|févr|avr|juil|sept|oct|nov|déc)\.", "<month>", snapshot)
    # A wait said in seconds by the server, as a countdown once the page's script has ticked.
    snapshot = re.sub(r"<n> (?:secondes?|seconds?)\b", "<time>", snapshot)
    return snapshot


def check_what_a_screen_reader_reads(page, screen: str, mode: Mode) -> None:
    """Every check of the module's docstring on `screen` as `page` shows it; the snapshot
    compared in French with JavaScript."""
    try:
        _check(page, screen, mode)
    except AssertionError as error:
        raise AssertionError(f"{screen} ({mode.id}): {error}") from None


def _check(page, screen: str, mode: Mode) -> None:
    facts = page.evaluate(PAGE_FACTS)
    tree = browser_tree(page)

    # Headings: one h1, with only the error summary's before it (its place in the pattern:
    # read first); from the h1 on, no level skipped on the way down (9.1).
    levels = [level for level, _, _ in facts["headings"]]
    assert levels.count(1) == 1, facts["headings"]
    before, after = facts["headings"][:levels.index(1)], levels[levels.index(1):]
    assert all(in_summary for _, _, in_summary in before), facts["headings"]
    assert all(b <= a + 1 for a, b in zip(after, after[1:], strict=False)), facts["headings"]
    h1 = facts["headings"][levels.index(1)][1]
    assert [n["name"] for n in tree if n["role"] == "heading" and n["properties"].get("level") == 1] == [h1]
    # The page's title starts with what its h1 says (8.5, 8.6).
    title = re.sub(r"^(Étape \d+ sur \d+ : |Step \d+ of \d+: )", "", h1)
    assert title in facts["title"], (facts["title"], title)

    # Every control has a name (11.1, 6.2); fields have their role and state.
    unnamed = [n for n in tree if n["role"] in NAMED_ROLES and not n["name"].strip()]
    assert unnamed == []
    assert facts["unnamedGroups"] == []
    fields = [n for n in tree if n["role"] in FIELD_ROLES]
    assert all("checked" in n["properties"] for n in fields if n["role"] in ("checkbox", "radio"))

    # Errors: each message linked to its field, each invalid field to its message (11.10).
    assert facts["errorsNotLinked"] == [] and facts["invalidWithoutError"] == []
    assert (facts["errorCount"] > 0) == (screen in rgaa.grid().groups["with-errors"])

    # Nothing focusable hidden from the tree (10.8); dialogs named, and modal when open (7.1).
    assert facts["hiddenFocusable"] == []
    for dialog in facts["dialogs"]:
        assert dialog["name"], dialog
        assert dialog["modal"] or not dialog["open"], dialog
    faint = [(field, border, behind) for field, border, behind in facts["borders"] if contrast(border, behind) < 3]
    assert faint == []
    # A skip link first, to the main content; the header, main and footer once each (12.6, 12.7).
    assert facts["skipLink"], "the first focusable element is not a skip link"
    assert facts["landmarks"] == ["header", "main", "footer"]

    # The grid's statuses against what the screen holds.
    status = {c.id: c.by_screen[screen].status for c in rgaa.grid().criteria}
    assert (status["11.1"] == rgaa.CONFORME) == bool(fields), (status["11.1"], [n["role"] for n in fields])
    assert (status["1.4"] == rgaa.CONFORME) == (facts["captchaImage"] is not None)
    assert facts["frames"] == 0 and status["2.1"] == rgaa.NON_APPLICABLE
    assert (facts["tables"] > 0) == (status["5.6"] == rgaa.CONFORME)
    assert facts["media"] == 0 and status["4.1"] == rgaa.NON_APPLICABLE

    if mode == FR_JS:
        compare_snapshot(screen, masked(page.locator("body").aria_snapshot()))


def compare_snapshot(screen: str, snapshot: str) -> None:
    path = SNAPSHOTS / f"{screen}.yml"
    if UPDATE:
        path.write_text(snapshot + "\n", encoding="utf-8")
        return
    if not path.exists():
        pytest.fail(f"no accessibility tree kept for {screen}: UPDATE_ARIA_SNAPSHOTS=1 writes it, then review it")
    kept = path.read_text(encoding="utf-8").rstrip("\n")
    if kept != snapshot:
        diff = "\n".join(difflib.unified_diff(kept.splitlines(), snapshot.splitlines(), f"{path.name} (kept)",
                                              f"{path.name} (now)", lineterm=""))
        pytest.fail(f"the accessibility tree of {screen} changed (UPDATE_ARIA_SNAPSHOTS=1 to accept):\n{diff}")
